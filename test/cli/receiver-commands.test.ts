import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { enrolmentText } from '../../src/domain/receiver/enrolment.js';
import { loaBin, runLoa, serveLoa, type RunningServer } from '../support/serve.js';

const recorder = fileURLToPath(new URL('../support/recording-player.mjs', import.meta.url));
const password = 'cli-admin-password';

describe('loa receiver and loa simulate against loa serve', () => {
  let dir: string;
  let server: RunningServer;
  let admin: string;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    });
    return (await res.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-cli-rx-'));
    server = await serveLoa({
      DATA_DIR: join(dir, 'data'),
      MEDIA_DIR: join(dir, 'media'),
      LOA_ADMIN_PASSWORD: password,
      LOG_LEVEL: 'info',
    });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    admin = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs an agent that syncs, caches its manifest, heartbeats, and stops cleanly on SIGTERM', async () => {
    const created = (await api('/api/v1/receivers', {
      method: 'POST',
      body: JSON.stringify({ hamletId: 'un-ta', name: 'Hộp thử' }),
    })) as {
      receiver: { id: string };
      token: string;
    };
    const cache = join(dir, 'box');
    const child = spawn(
      process.execPath,
      [
        loaBin,
        'receiver',
        '--server',
        server.url,
        '--cache',
        cache,
        '--player',
        `"${process.execPath}" "${recorder}" "${join(dir, 'played')}" {file}`,
      ],
      { env: { ...process.env, LOA_RECEIVER_TOKEN: created.token } },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually(
        () => existsSync(join(cache, 'manifest.json')),
        `the manifest in the cache\n${output}`,
        30_000,
      );
      const manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as {
        manifest: { receiverId: string };
      };
      expect(manifest.manifest.receiverId).toBe(created.receiver.id);
      await eventually(
        async () => (await api(`/api/v1/receivers/${created.receiver.id}`)).online === true,
        'a heartbeat',
        30_000,
      );
      const row = await api(`/api/v1/receivers/${created.receiver.id}`);
      expect(row).toMatchObject({ online: true, volume: 80, signal: null, appVersion: '0.1.0' });
      expect(output).toMatch(/receiver agent started/);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses to start without a token or with a bad server URL, saying what to give', async () => {
    const noToken = await runLoa(['receiver', '--server', server.url, '--cache', join(dir, 'x')], {
      LOA_RECEIVER_TOKEN: '',
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/device token/);
    const badUrl = await runLoa(['receiver', '--server', 'loa.local', '--token', 'x'.repeat(43)], {});
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/--server must be/);
    // Out of range: a box cannot start louder than 100 %, nor heartbeat slower than the server's minute.
    for (const [option, value, range] of [
      ['--volume', '150', 'from 0 to 100'],
      ['--heartbeat-s', '300', 'from 1 to 60'],
    ]) {
      const run = await runLoa(
        [
          'receiver',
          '--server',
          server.url,
          '--token',
          'x'.repeat(43),
          '--cache',
          join(dir, 'x'),
          option!,
          value!,
        ],
        {},
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${option} must be a whole number ${range} (got "${value}")`);
    }
  });

  it('enrols a box from the line of its QR code, and keeps the enrolment for the next start', async () => {
    const created = (await api('/api/v1/receivers', {
      method: 'POST',
      body: JSON.stringify({ hamletId: 'un-ta', name: 'Hộp ghép nối' }),
    })) as { receiver: { id: string }; token: string };
    const text = enrolmentText({ server: server.url, receiverId: created.receiver.id, token: created.token });
    const cache = join(dir, 'enrolled');
    const child = spawn(
      process.execPath,
      [loaBin, 'receiver', '--enrol', text, '--cache', cache, '--player', `"${process.execPath}" -e ""`],
      { env: { ...process.env, LOA_RECEIVER_TOKEN: '' } },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await eventually(() => existsSync(join(cache, 'manifest.json')), `the manifest\n${output}`, 30_000);
      const saved = join(cache, 'enrolment.json');
      expect(JSON.parse(readFileSync(saved, 'utf8'))).toMatchObject({
        server: server.url,
        token: created.token,
      });
      expect(statSync(saved).mode & 0o777).toBe(0o600);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const bad = await runLoa(
      ['receiver', '--enrol', 'https://example.vn/?token=x', '--cache', join(dir, 'y')],
      {},
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'loa receiver: --enrol: an enrolment starts with "loa-receiver:?server=…&token=…"\nSee: loa receiver --help\n',
    );

    // A power cut while it was written leaves it empty or cut: the box says how to enrol it again.
    for (const damaged of ['', '{"server":"http://10.0.0.5:3000","tok']) {
      writeFileSync(join(cache, 'enrolment.json'), damaged);
      const refused = await runLoa(['receiver', '--cache', cache], {});
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `loa receiver: ${join(cache, 'enrolment.json')} is damaged: enrol the box again with --enrol "loa-receiver:?…" from its token page\nSee: loa receiver --help\n`,
      );
    }
  });

  it('prints help for simulate and receiver, and a bad option in one line, never a stack trace', async () => {
    const help = await runLoa(['simulate', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: loa simulate --server URL/);
    expect(help.stdout).toContain('--hamlet ID');
    expect(help.stderr).toBe('');
    expect((await runLoa(['receiver', '-h'], {})).stdout).toContain('--enrol TEXT');
    const bad = await runLoa(['simulate', '--server', server.url, '--receivers', 'lots'], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'loa simulate: --receivers must be a whole number ≥ 1 (got "lots")\nSee: loa simulate --help\n',
    );
  });

  it('simulates receivers that come online, marked as simulated, disabled after the run and reused by the next', async () => {
    const env = { LOA_USERNAME: 'admin', LOA_PASSWORD: password };
    const args = ['simulate', '--server', server.url, '--hamlet', 'thon-4', '--duration-s', '3'];
    const run = await runLoa([...args, '--receivers', '3'], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const last = JSON.parse(lines.filter((l) => l.startsWith('{')).at(-1)!) as Record<string, number>;
    expect(last).toMatchObject({ receivers: 3, online: 3, unauthorized: 0 });
    expect(lines[0]).toBe(
      'Simulated receivers: 0 reused from an earlier run, 3 made, named "Loa mô phỏng N".',
    );
    expect(lines.at(-2)).toMatch(
      /^Summary: 3 receivers for \d+ s: 3 online, 3 with a push channel, 0 refused \(401\); \d+ items played, \d+ log events delivered \(\d+ duplicates, \d+ still queued\)\.$/,
    );
    expect(lines.at(-1)).toBe('The 3 simulated receivers are disabled now; the next run reuses them.');
    const simulated = async () =>
      (
        (await api('/api/v1/receivers?hamletId=thon-4&limit=200')) as {
          items: { name: string; disabled: boolean }[];
        }
      ).items.filter((r) => r.name.startsWith('Loa mô phỏng '));
    expect((await simulated()).map((r) => r.disabled)).toEqual([true, true, true]);

    const again = await runLoa([...args, '--receivers', '4'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(
      'Simulated receivers: 3 reused from an earlier run, 1 made, named "Loa mô phỏng N".',
    );
    const after = await simulated();
    expect(after.map((r) => r.name).sort()).toEqual([
      'Loa mô phỏng 1',
      'Loa mô phỏng 2',
      'Loa mô phỏng 3',
      'Loa mô phỏng 4',
    ]);
    expect(after.every((r) => r.disabled)).toBe(true);
  });
});
