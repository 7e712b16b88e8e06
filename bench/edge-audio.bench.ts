/**
 * Sending a 3-minute recording from a weak phone on a slow link: real Chromium with the network throttled
 * by CDP (750 kbit/s up, 1.6 Mbit/s down, 150 ms) and the CPU slowed 4×, from the click on "Gửi" to the
 * announcement being ready ("Sẵn sàng"):
 *
 *   - Node profile, the recording sent as it is (the baseline; the server levels it);
 *   - Node profile, the long WAV shrunk to Opus by the browser's own encoder (WebCodecs) first, when its
 *     estimate says that saves time (the server still levels it);
 *   - edge profile (`wrangler dev --local`), levelled and encoded in the browser, the MP3 measured by
 *     the Worker (ffmpeg.wasm already cached, as on every visit after the first); ready on the MP3, then
 *     the original is shrunk the same way and sent to be kept, timed to the page's move on;
 *
 * with the bytes each upload sent, and the cost of the first load of ffmpeg's WebAssembly (32 MB, in
 * two parts) against its reload from the HTTP cache. Run: `npm run bench:edge-audio` (about 12 minutes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ffmpegUrls } from '../src/http/web/assets/ffmpeg-vendor.js';
import { serveLoa } from '../test/support/serve.js';
import { binaries, chromiumPath, speakTo } from '../test/support/tools.js';
import { startWranglerDev } from '../test/support/wrangler-dev.js';

const password = 'bench-admin-password';
const UP = 750_000;
const DOWN = 1_600_000;
const LATENCY_MS = 150;
const CPU_SLOWDOWN = 4;

const work = mkdtempSync(join(tmpdir(), 'loa-bench-edge-audio-'));

/** Three minutes of Vietnamese speech as a phone's WAV (44.1 kHz, 16-bit, mono). */
function recording(): string {
  const speech = join(work, 'speech.wav');
  speakTo(
    speech,
    'Thông báo của Ủy ban nhân dân xã Cốc San. Đề nghị bà con các thôn đưa trâu bò đi tiêm phòng lở mồm long móng tại nhà văn hóa thôn vào sáng thứ bảy tuần này. Mang theo sổ theo dõi vật nuôi.',
  );
  const file = join(work, 'ghi-am-3-phut.wav');
  execFileSync(binaries.ffmpeg, [
    ...['-v', 'error', '-stream_loop', '-1', '-i', speech, '-t', '180'],
    ...['-af', 'volume=-12dB', '-ar', '44100', '-ac', '1', '-c:a', 'pcm_s16le', '-y', file],
  ]);
  return file;
}

async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
}

/** The phone's conditions, through the DevTools protocol. */
async function throttle(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: DOWN / 8,
    uploadThroughput: UP / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

interface Sent {
  /** From the click to the announcement ready. */
  readonly seconds: number;
  /** From the click to the page done sending (the original kept too, on the edge). */
  readonly doneSeconds: number;
  readonly bytes: number;
}

/** From the click on "Gửi" to the announcement ready, and the bytes of the upload. */
async function send(page: Page, base: string, file: string, title: string): Promise<Sent> {
  await page.goto(`${base}/thong-bao/gui`);
  await page.getByLabel('Tiêu đề').fill(title);
  await page.locator('input[type=file]').setInputFiles(file);
  const started = performance.now();
  const clickedAt = await page.evaluate(() => Date.now());
  await page.getByRole('button', { name: 'Gửi', exact: true }).click();
  await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/, { timeout: 900_000 });
  const doneSeconds = (performance.now() - started) / 1000;
  const id = new URL(page.url()).pathname.split('/').pop()!;
  // Ready on the upload's own answer (the edge's MP3), before the page sends the original.
  const readyAt = await page.evaluate(() =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
    Number((globalThis as any).sessionStorage.getItem('readyAt')),
  );
  for (;;) {
    const status = await page.evaluate(
      async (path) => ((await (await fetch(path)).json()) as { status: string }).status,
      `/api/v1/announcements/${id}`,
    );
    if (status === 'ready') break;
    if (status === 'failed') throw new Error(`${title}: processing failed`);
    await page.waitForTimeout(250);
  }
  const seconds = readyAt ? (readyAt - clickedAt) / 1000 : (performance.now() - started) / 1000;
  const bytes = await page.evaluate(() =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
    Number((globalThis as any).sessionStorage.getItem('sentBytes')),
  );
  // Each figure as soon as it is measured: the whole run takes minutes.
  process.stderr.write(
    `${title}: ready ${seconds.toFixed(1)} s, done ${doneSeconds.toFixed(1)} s, ${bytes} bytes sent\n`,
  );
  return { seconds, doneSeconds: Math.max(seconds, doneSeconds), bytes };
}

/** Fetches the parts of ffmpeg's WebAssembly as the page does: first from the network, then again. */
async function wasmLoads(page: Page): Promise<{ first: number; cached: number; bytes: number }> {
  const load = () =>
    page.evaluate(
      async (parts) => {
        const t = performance.now();
        const sizes = await Promise.all(
          parts.map(async (u) => (await (await fetch(u)).arrayBuffer()).byteLength),
        );
        return { ms: performance.now() - t, bytes: sizes.reduce((a, b) => a + b, 0) };
      },
      ffmpegUrls.wasmParts as unknown as string[],
    );
  const first = await load();
  const cached = await load();
  process.stderr.write(
    `ffmpeg.wasm: first load ${(first.ms / 1000).toFixed(1)} s, cached ${(cached.ms / 1000).toFixed(2)} s\n`,
  );
  return { first: first.ms / 1000, cached: cached.ms / 1000, bytes: first.bytes };
}

async function main(): Promise<void> {
  const file = recording();
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath() ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const node = await serveLoa({
    DATA_DIR: join(work, 'data'),
    MEDIA_DIR: join(work, 'media'),
    LOA_ADMIN_PASSWORD: password,
    // Its start is told by the info line "Loa listening on …".
    LOG_LEVEL: 'info',
  });
  const edge = await startWranglerDev({ LOA_ADMIN_PASSWORD: password });
  const results: { name: string; sent: Sent }[] = [];
  try {
    const fresh = async (base: string, plain = false, warm = false) => {
      const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 360, height: 640 } });
      const page = await context.newPage();
      // A browser that runs no browser-side audio work: the page sends the file as it is.
      if (plain)
        await page.addInitScript(() => Object.defineProperty(globalThis, 'LoaAudio', { set() {}, get() {} }));
      // What the page hands to the upload: its file and fields (the multipart framing adds a few hundred bytes).
      await page.addInitScript(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
        const scope = globalThis as any;
        const send = scope.XMLHttpRequest.prototype.send;
        scope.XMLHttpRequest.prototype.send = function (body: unknown) {
          if (body instanceof scope.FormData) {
            let bytes = 0;
            for (const [, v] of body as Iterable<[string, unknown]>) {
              bytes += typeof v === 'string' ? v.length : (v as { size: number }).size;
            }
            // Kept across the page's move to the announcement; the edge sends the original after the MP3.
            const before = Number(scope.sessionStorage.getItem('sentBytes'));
            scope.sessionStorage.setItem('sentBytes', String(before + bytes));
          }
          this.addEventListener('load', () => {
            if (/"status":"ready"/.test(this.responseText) && !scope.sessionStorage.getItem('readyAt'))
              scope.sessionStorage.setItem('readyAt', String(Date.now()));
          });
          return send.call(this, body);
        };
      });
      await signIn(page, base);
      // ffmpeg.wasm in the HTTP cache already, as on every visit after the first (its first load is
      // measured on its own, below).
      if (warm) await wasmLoads(page);
      await throttle(context, page);
      return { context, page };
    };

    const a = await fresh(node.url, true);
    results.push({
      name: 'Node, sent as recorded (baseline)',
      sent: await send(a.page, node.url, file, 'Bản ghi gốc'),
    });
    await a.context.close();

    // No ffmpeg.wasm for it: the browser's own Opus encoder (WebCodecs).
    const b = await fresh(node.url);
    results.push({
      name: 'Node, shrunk to Opus in the browser',
      sent: await send(b.page, node.url, file, 'Nén Opus'),
    });
    await b.context.close();

    const c = await fresh(edge.url);
    // Throttled: the first load a phone pays once, then its reload from the cache.
    const wasm = await wasmLoads(c.page);
    results.push({
      name: 'edge, processed in the browser',
      sent: await send(c.page, edge.url, file, 'Xử lý trên máy'),
    });
    await c.context.close();

    const edgeSent = results[2]!.sent;
    const rows = [
      ...results.map((r) => ({ name: r.name, seconds: r.sent.seconds, bytes: r.sent.bytes })),
      { name: '  … and its original kept', seconds: edgeSent.doneSeconds, bytes: edgeSent.bytes },
      {
        name: 'edge, first visit (ffmpeg.wasm loaded)',
        seconds: edgeSent.seconds + wasm.first,
        bytes: edgeSent.bytes,
      },
    ];
    const base = rows[0]!;
    const size = statSync(file).size;
    const lines = [
      `recording: 180 s WAV, 44.1 kHz 16-bit mono, ${(size / 1e6).toFixed(1)} MB; Chromium ${browser.version()}`,
      `throttled by CDP: ${UP / 1000} kbit/s up, ${DOWN / 1000} kbit/s down, ${LATENCY_MS} ms, CPU ×${CPU_SLOWDOWN} slower`,
      '',
      'from "Gửi" to "Sẵn sàng"                     time            sent',
      ...rows.map(
        (r) =>
          `${r.name.padEnd(40)} ${r.seconds.toFixed(1).padStart(6)} s ×${(r.seconds / base.seconds).toFixed(2)}  ${(r.bytes / 1e6).toFixed(2).padStart(6)} MB ×${(r.bytes / base.bytes).toFixed(3)}`,
      ),
      '',
      `ffmpeg.wasm (${(wasm.bytes / 1e6).toFixed(1)} MB in 2 parts): first load ${wasm.first.toFixed(1)} s, from the HTTP cache ${wasm.cached.toFixed(2)} s`,
      'edge bytes: the MP3 and the original sent after it (the version is ready on the MP3)',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    await node.stop();
    await edge.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
