import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir, speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { binaries, hasTool } from '../support/tools.js';
import {
  launchChromium,
  phoneContext,
  poll,
  recordUploads,
  serveHarness,
  signIn,
  type SentFile,
  type Served,
} from './browser.js';

/**
 * Node profile in real Chromium: a phone's long WAV is shrunk to Ogg/Opus by the browser's own encoder
 * (WebCodecs) before it is sent, when the estimate says that saves time; the server's ffprobe takes the
 * Ogg/Opus and its pipeline levels it as any upload.
 */
describe.skipIf(!hasTool('chromium'))('shrinking a long WAV in the browser before upload', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let wav: string;
  beforeAll(async () => {
    h = await createHarness();
    [server, browser] = await Promise.all([serveHarness(h), launchChromium()]);
    speechWav('Thông báo của Ủy ban nhân dân xã Cốc San về lịch tiêm phòng gia súc.', 'shrink-speech');
    // 30 s of a phone's 44.1 kHz 16-bit mono: 2.6 MB, over the 2 MB the page shrinks from.
    wav = join(fixtureDir, 'ghi-am-dai.wav');
    execFileSync(binaries.ffmpeg, [
      ...['-v', 'error', '-stream_loop', '-1', '-i', join(fixtureDir, 'shrink-speech.wav'), '-t', '30'],
      ...['-ar', '44100', '-ac', '1', '-c:a', 'pcm_s16le', '-y', wav],
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  /** Sends the WAV from the upload page; gives back the announcement's id and the file it sent. */
  async function send(page: Page, title: string): Promise<{ id: string; sent: SentFile }> {
    const uploads = await recordUploads(page);
    await signIn(page, server.url, 'secretary');
    await page.goto(`${server.url}/thong-bao/gui`);
    await page.getByLabel('Tiêu đề').fill(title);
    await page.getByLabel('Tệp âm thanh').setInputFiles(wav);
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    const sent = await uploads();
    expect(sent).toHaveLength(1);
    return { id: new URL(page.url()).pathname.split('/').pop()!, sent: sent[0]! };
  }

  it('sends Ogg/Opus at a fraction of the WAV, which the server levels', async () => {
    const page = await (await phoneContext(browser)).newPage();
    const { id, sent } = await send(page, 'Nén trên máy');
    expect(sent).toMatchObject({ path: '/api/v1/announcements', name: 'ghi-am-dai.ogg', head: 'OggS' });
    // 48 kbit/s for 30 s, against 2.6 MB of WAV.
    expect(sent.size).toBeLessThan(220_000);
    await h.runtime.jobs.drain();
    const got = (await (
      await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary })
    ).json()) as {
      status: string;
      variants: { audio: { source: { codec: string }; loudness: { integratedLufs: number } } }[];
    };
    expect(got.status).toBe('ready');
    expect(got.variants[0]!.audio.source.codec).toBe('opus');
    expect(Math.abs(got.variants[0]!.audio.loudness.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
    // The page reloads itself once processing has finished.
    await poll(() => page.locator('body').textContent()).toMatch(/Sẵn sàng/);
    await page.close();
    // Encoding 30 s in Chromium and levelling it with ffmpeg share two cores with the rest of the suite.
  }, 240_000);

  it('sends the WAV as it is when the link is fast enough that shrinking would not save time', async () => {
    const page = await (await phoneContext(browser)).newPage();
    // A link reported at 1 Gbit/s (an office LAN): sending 2.6 MB takes less than encoding it.
    await page.addInitScript(() =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
      Object.defineProperty((globalThis as any).Navigator.prototype, 'connection', {
        get: () => ({ downlink: 1000, effectiveType: '4g', saveData: false }),
      }),
    );
    const { sent } = await send(page, 'Mạng nhanh');
    expect(sent).toMatchObject({ name: 'ghi-am-dai.wav', head: 'RIFF' });
    expect(sent.size).toBeGreaterThan(2_600_000);
    await page.close();
  }, 120_000);
});
