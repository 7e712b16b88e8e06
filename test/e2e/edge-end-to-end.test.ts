import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type FixtureFactory } from '../media/fixtures.js';
import { eventually } from '../support/agent-harness.js';
import { loaBin } from '../support/serve.js';
import { hasTool } from '../support/tools.js';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.js';
import { launchChromium, phoneContext, poll } from './browser.js';

const recorder = fileURLToPath(new URL('../support/recording-player.mjs', import.meta.url));
const adminPassword = 'admin-password-for-tests';

/**
 * The edge profile from end to end, as deployed but offline (`wrangler dev --local`): a recording is
 * levelled in real Chromium and sent processed, the office approves it and sends it, a real
 * `loa receiver` agent is pushed the airing, fetches the MP3 from R2 and "plays" it (a recording
 * player), and its report is the proof of playback on the office's page.
 */
describe.skipIf(!hasTool('chromium'))('the edge profile end to end', () => {
  let edge: WranglerDev;
  let browser: Browser;
  let page: Page;
  let fixtures: FixtureFactory;
  let admin: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-edge-e2e-'));
    [edge, browser, fixtures] = await Promise.all([
      startWranglerDev({ LOA_ADMIN_PASSWORD: adminPassword }),
      launchChromium(),
      createFixtures(),
    ]);
    const login = await fetch(`${edge.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    admin = ((await login.json()) as { token: string }).token;
    page = await (await phoneContext(browser)).newPage();
    await page.goto(`${edge.url}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill('admin');
    await page.getByLabel('Mật khẩu').fill(adminPassword);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
      page.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await fixtures?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${edge.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });

  it('upload processed in Chromium → approve → emergency → a real agent plays it → played in the report', async () => {
    // 1. The secretary's phone: the page levels the recording and sends the MP3.
    await page.goto(`${edge.url}/thong-bao/gui`);
    await page.getByLabel('Tiêu đề').fill('Phòng chống lũ quét');
    await page.locator('input[type=file]').setInputFiles(await fixtures.get('webmStereoLeadingSilence'));
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    const announcementId = new URL(page.url()).pathname.split('/').pop()!;
    const a = (await (await api(`/api/v1/announcements/${announcementId}`)).json()) as {
      status: string;
      variants: { audio: { sha256: string } | null }[];
    };
    expect(a.status).toBe('ready');
    const sha256 = a.variants[0]!.audio!.sha256;

    // 2. The commune office approves it.
    expect(
      (await api(`/api/v1/announcements/${announcementId}/approve`, { method: 'POST', json: {} })).status,
    ).toBe(200);

    // 3. A loudspeaker box of Ún Tà runs the real agent against the Worker.
    const made = (await (
      await api('/api/v1/receivers', {
        method: 'POST',
        json: { hamletId: 'un-ta', name: 'Cụm loa nhà văn hóa' },
      })
    ).json()) as { receiver: { id: string }; token: string };
    const played = join(dir, 'played');
    const cache = join(dir, 'box');
    const agent = spawn(
      process.execPath,
      [
        loaBin,
        'receiver',
        '--server',
        edge.url,
        '--cache',
        cache,
        '--player',
        `"${process.execPath}" "${recorder}" "${played}" {file}`,
      ],
      { env: { ...process.env, LOA_RECEIVER_TOKEN: made.token } },
    );
    let output = '';
    agent.stdout.on('data', (d) => (output += d));
    agent.stderr.on('data', (d) => (output += d));
    try {
      await eventually(
        () => existsSync(join(cache, 'manifest.json')),
        `the agent's first sync\n${output}`,
        30_000,
      );

      // 4. Sent as an emergency: it airs now whatever the hour (the real clock may be in quiet hours).
      const sent = await api('/api/v1/broadcasts', {
        method: 'POST',
        json: { announcementId, hamletIds: ['un-ta'], priority: 'emergency' },
      });
      expect(sent.status, await sent.clone().text()).toBe(201);
      const broadcast = (await sent.json()) as { id: string };

      // 5. The box is pushed the airing, fetches the MP3 and plays it.
      await eventually(
        () => existsSync(played) && readFileSync(played, 'utf8').includes(sha256),
        `the agent playing ${sha256}\n${output}`,
        60_000,
      );

      // 6. Its report reaches the Worker: the office's report shows the airing played, with the audio's hash.
      await eventually(
        async () => {
          const report = (await (await api(`/api/v1/broadcasts/${broadcast.id}/playback`)).json()) as {
            occurrences: {
              receivers: { receiverId: string; status: string; sha256s: string[] }[];
            }[];
          };
          return report.occurrences.some((o) =>
            o.receivers.some(
              (r) => r.receiverId === made.receiver.id && r.status === 'played' && r.sha256s.includes(sha256),
            ),
          );
        },
        `played in the report\n${output}\n${edge.output().slice(-3000)}`,
        60_000,
      );
      await page.goto(`${edge.url}/giam-sat/phat/${broadcast.id}`);
      await poll(() => page.locator('body').textContent()).toMatch(/Cụm loa nhà văn hóa[\s\S]*Đã phát/);
    } finally {
      const exited = new Promise((resolve) => agent.once('close', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
  }, 300_000);
});
