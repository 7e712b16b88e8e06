import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type FixtureFactory, type GoodFixture } from '../media/fixtures.js';
import { loudgain } from '../media/loudgain.js';
import { hasTool } from '../support/tools.js';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.js';
import { launchChromium, phoneContext, poll } from './browser.js';

const adminPassword = 'admin-password-for-tests';

/** The inputs of the server pipeline's tests (test/media/pipeline.integration.test.ts). */
const inputs: readonly GoodFixture[] = [
  'quietPhone',
  'clippedHot',
  'amrNb',
  'webmStereoLeadingSilence',
  'wav24bit96kDcOffset',
  'flac6ch',
  'tts',
  'changingLevels',
];

/**
 * The edge profile in real Chromium, served by `wrangler dev --local`: the upload page levels and
 * encodes with ffmpeg.wasm (single-thread core, from this origin) and the same argument builders and
 * meter as the server pipeline; the Worker measures the MP3 again before it takes it.
 */
describe.skipIf(!hasTool('chromium') || !hasTool('loudgain'))(
  'audio processed in the browser, edge profile',
  () => {
    let edge: WranglerDev;
    let browser: Browser;
    let page: Page;
    let fixtures: FixtureFactory;
    beforeAll(async () => {
      [edge, browser, fixtures] = await Promise.all([
        startWranglerDev({
          LOA_ADMIN_PASSWORD: adminPassword,
          LOA_PROCESSING_TOKEN: 'processing-token-0123456789',
        }),
        launchChromium(),
        createFixtures(),
      ]);
      page = await (await phoneContext(browser)).newPage();
      await page.goto(`${edge.url}/dang-nhap`);
      await page.getByLabel('Tên đăng nhập').fill('admin');
      await page.getByLabel('Mật khẩu').fill(adminPassword);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
        page.getByRole('button', { name: 'Đăng nhập' }).click(),
      ]);
      await page.goto(`${edge.url}/thong-bao/gui`);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await edge?.stop();
      await fixtures?.cleanup();
    });

    async function signInAs(p: Page): Promise<void> {
      await p.goto(`${edge.url}/dang-nhap`);
      await p.getByLabel('Tên đăng nhập').fill('admin');
      await p.getByLabel('Mật khẩu').fill(adminPassword);
      await Promise.all([
        p.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
        p.getByRole('button', { name: 'Đăng nhập' }).click(),
      ]);
    }

    /** Runs the page's own processing on a file and gives back the MP3. */
    async function processInPage(path: string): Promise<Buffer> {
      const b64 = (await readFile(path)).toString('base64');
      const name = path.split('/').pop()!;
      const out = await page.evaluate(
        async ({ b64, name }) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
          const scope = globalThis as any;
          const form = scope.document.querySelector('form[data-upload]');
          const audio = scope.LoaAudio;
          const made = await audio.processRecording(
            new Blob([bytes]),
            name,
            JSON.parse(form.dataset.targets),
            JSON.parse(form.dataset.ffmpeg),
            () => undefined,
          );
          const mp3 = new Uint8Array(await made.mp3.arrayBuffer());
          let s = '';
          for (let i = 0; i < mp3.length; i += 0x8000)
            s += String.fromCharCode(...mp3.subarray(i, i + 0x8000));
          return btoa(s);
        },
        { b64, name },
      );
      return Buffer.from(out, 'base64');
    }

    it.each(inputs)(
      '%s: −16 LUFS ±0.5 and true peak ≤ −1.5 dBTP by loudgain -O',
      async (name) => {
        const mp3 = await processInPage(await fixtures.get(name));
        const file = join(fixtures.dir, `${name}.browser.mp3`);
        await writeFile(file, mp3);
        const measured = await loudgain(file);
        expect(Math.abs(measured.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
        expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1.5);
        expect(measured.lraLu).toBeLessThanOrEqual(8);
      },
      180_000,
    );

    it('sends a recording from the upload page processed: ready as soon as it is sent', async () => {
      await page.goto(`${edge.url}/thong-bao/gui`);
      await page.getByLabel('Tiêu đề').fill('Tiêm phòng gia súc');
      await page.locator('input[type=file]').setInputFiles(await fixtures.get('quietPhone'));
      await page.getByRole('button', { name: 'Gửi', exact: true }).click();
      await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 120_000 });
      // No processing node runs here: only audio processed in the browser and taken by the Worker is ready.
      await poll(() => page.locator('body').textContent()).toMatch(/Sẵn sàng/);
    }, 180_000);

    it('sends the recording as it is from a phone with too little memory, saying so in Vietnamese', async () => {
      const weak = await (await phoneContext(browser)).newPage();
      // A phone with 1 GB: ffmpeg.wasm would run out of memory on a long recording.
      await weak.addInitScript(() =>
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
        Object.defineProperty((globalThis as any).Navigator.prototype, 'deviceMemory', { get: () => 1 }),
      );
      await signInAs(weak);
      await weak.goto(`${edge.url}/thong-bao/gui`);
      await weak.getByLabel('Tiêu đề').fill('Họp chi bộ');
      await weak.locator('input[type=file]').setInputFiles(await fixtures.get('quietPhone'));
      let wasmAsked = false;
      weak.on('request', (r) => {
        if (r.url().includes('ffmpeg-core.wasm')) wasmAsked = true;
      });
      // The upload is held a moment, so that the note can be read before the page moves on.
      await weak.route('**/api/v1/announcements', async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await weak.getByRole('button', { name: 'Gửi', exact: true }).click();
      await poll(() => weak.locator('[data-audio-note]').textContent()).toMatch(
        /không đủ mạnh để xử lý âm thanh.*máy chủ xử lý/,
      );
      await weak.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 60_000 });
      expect(wasmAsked).toBe(false);
      // Waiting for a processing node, not ready: the Worker got the original recording.
      await poll(() => weak.locator('body').textContent()).toMatch(/Đang chờ xử lý/);
      await weak.close();
    }, 120_000);
  },
);
