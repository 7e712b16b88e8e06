import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtures, type FixtureFactory, type GoodFixture } from '../media/fixtures.js';
import { loudgain } from '../media/loudgain.js';
import { runLoa } from '../support/serve.js';
import { binaries, hasTool } from '../support/tools.js';
import { startWranglerDev, wranglerBin, type WranglerDev } from '../support/wrangler-dev.js';
import { launchChromium, phoneContext, poll, recordUploads } from './browser.js';

const adminPassword = 'admin-password-for-tests';
const processingToken = 'processing-token-0123456789';

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
          LOA_PROCESSING_TOKEN: processingToken,
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
          // The page fetches its audio bundle once a recording is on its way; here, the same way.
          if (!scope.LoaAudio)
            await new Promise((resolve, reject) => {
              const script = scope.document.createElement('script');
              script.src = form.dataset.audioScript;
              script.onload = resolve;
              script.onerror = reject;
              scope.document.head.appendChild(script);
            });
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

    /** A phone's WAV over 2 MB (30 s, 44.1 kHz 16-bit mono): the page shrinks it before keeping it. */
    async function longWav(): Promise<string> {
      const file = join(fixtures.dir, 'ghi-am-30-giay.wav');
      execFileSync(binaries.ffmpeg, [
        ...['-v', 'error', '-stream_loop', '-1', '-i', await fixtures.get('quietPhone'), '-t', '30'],
        ...['-ar', '44100', '-ac', '1', '-c:a', 'pcm_s16le', '-y', file],
      ]);
      return file;
    }

    /**
     * Runs a `wrangler … --local` command on the state `wrangler dev` is using. It opens the same SQLite
     * files as the running Worker, so it is asked again while that one holds the lock.
     */
    async function wranglerLocal(args: readonly string[]): Promise<string> {
      const local = ['--local', '--persist-to', edge.state];
      for (let attempt = 1; ; attempt++) {
        try {
          return execFileSync(process.execPath, [wranglerBin, ...args, ...local], {
            stdio: 'pipe',
          }).toString();
        } catch (error) {
          if (attempt === 10 || !String((error as { stderr?: Buffer }).stderr).includes('SQLITE_BUSY'))
            throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }

    /** The file name of the version's kept source, as D1 holds it. */
    const sourceName = async (id: string): Promise<string> => {
      const out = await wranglerLocal([
        ...['d1', 'execute', 'loa', '--json', '--command'],
        `select source_name from announcement_variants where announcement_id = '${id}'`,
      ]);
      return (JSON.parse(out) as { results: { source_name: string }[] }[])[0]!.results[0]!.source_name;
    };

    type Version = {
      status: string;
      error: string | null;
      audio: {
        sha256: string;
        source: { codec: string };
        loudness: { integratedLufs: number; truePeakDbtp: number };
      } | null;
    };
    // Read with the page's cookies but outside the page, which may be reloading itself meanwhile.
    const announcementOf = async (p: Page, id: string) =>
      (await (await p.request.get(`${edge.url}/api/v1/announcements/${id}`)).json()) as {
        status: string;
        variants: Version[];
      };

    it('keeps the original shrunk to Opus after the MP3, and a processing node rebuilds from it on a retry', async () => {
      const uploads = await recordUploads(page);
      await page.goto(`${edge.url}/thong-bao/gui`);
      await page.getByLabel('Tiêu đề').fill('Lịch tiêm phòng');
      await page.locator('input[type=file]').setInputFiles(await longWav());
      await page.getByRole('button', { name: 'Gửi', exact: true }).click();
      await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 120_000 });
      const id = new URL(page.url()).pathname.split('/').pop()!;
      // What was kept is said on the page the cadre lands on.
      await poll(() => page.locator('[data-flash-note]').textContent()).toMatch(
        /Đã lưu cả bản ghi gốc \(0,\d MB\)/,
      );
      await poll(() => page.locator('body').textContent()).toMatch(/Sẵn sàng/);
      // The MP3 first, then the original: Opus from the browser's encoder, far smaller than the 2.6 MB WAV.
      const sent = await uploads();
      expect(sent.map((s) => [s.path, s.name])).toEqual([
        ['/api/v1/announcements', 'ghi-am-30-giay.mp3'],
        [`/api/v1/announcements/${id}/variants/vi/original`, 'ghi-am-30-giay.ogg'],
      ]);
      expect(sent[1]!.head).toBe('OggS');
      expect(sent[1]!.size).toBeLessThan(220_000);
      const browserMp3 = (await announcementOf(page, id)).variants[0]!.audio!;
      expect(await sourceName(id)).toBe('ghi-am-30-giay.ogg');

      // The MP3 is lost from R2: the version fails, and "Xử lý lại" makes it again from the original.
      const [a, b] = [browserMp3.sha256.slice(0, 2), browserMp3.sha256.slice(2, 4)];
      await wranglerLocal(['r2', 'object', 'delete', `loa-media/${a}/${b}/${browserMp3.sha256}.mp3`]);
      await page.reload();
      await poll(() => page.locator('body').textContent()).toMatch(/Mất âm thanh/);
      await page.getByRole('button', { name: 'Xử lý lại' }).click();
      await poll(() => page.locator('body').textContent()).toMatch(/Đang chờ xử lý/);
      const work = await mkdtemp(join(tmpdir(), 'loa-node-'));
      try {
        const node = await runLoa(
          [
            'worker',
            '--edge',
            edge.url,
            '--token',
            processingToken,
            '--node',
            'may-xa',
            '--work',
            work,
            '--once',
          ],
          { LOG_LEVEL: 'warn' },
        );
        expect(node.code, node.stderr).toBe(0);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      const rebuilt = (await announcementOf(page, id)).variants[0]!;
      expect(rebuilt.status).toBe('ready');
      // Made again from the kept original (the Opus the page sent), not from the browser's MP3.
      expect(rebuilt.audio!.sha256).not.toBe(browserMp3.sha256);
      expect(await sourceName(id)).toBe('ghi-am-30-giay.ogg');
      expect(Math.abs(rebuilt.audio!.loudness.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
      // The page the cadre left open turns ready by itself: it reloads once the version is processed.
      await poll(() => page.locator('body').textContent()).toMatch(/Sẵn sàng/);
    }, 240_000);

    it('sends the original for server processing when the Worker refuses the browser’s MP3 (422)', async () => {
      // A page of its own: the one before may still be reloading itself as its version changes.
      const page = await (await phoneContext(browser)).newPage();
      await signInAs(page);
      await page.goto(`${edge.url}/thong-bao/gui`);
      await page.getByLabel('Tiêu đề').fill('Họp thôn');
      await page.locator('input[type=file]').setInputFiles(await fixtures.get('quietPhone'));
      // The page is told a target 6 LU under the commune's: it levels there for real, and the Worker,
      // measuring against the commune's own target, refuses the MP3.
      await page.evaluate(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
        const form = (globalThis as any).document.querySelector('form[data-upload]');
        form.dataset.targets = JSON.stringify({ ...JSON.parse(form.dataset.targets), integratedLufs: -22 });
      });
      const answers: number[] = [];
      page.on('response', (r) => {
        if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/announcements')
          answers.push(r.status());
      });
      await page.getByRole('button', { name: 'Gửi', exact: true }).click();
      await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 120_000 });
      expect(answers).toEqual([422, 202]);
      await poll(() => page.locator('[data-flash-note]').textContent()).toMatch(
        /không nhận bản đã xử lý.*gửi bản ghi gốc để máy chủ xử lý/,
      );
      // The recording waits for a processing node, as from a phone that cannot process.
      await poll(() => page.locator('body').textContent()).toMatch(/Đang chờ xử lý/);
      await page.close();
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
