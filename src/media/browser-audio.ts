/**
 * The upload page's audio work in the browser, bundled into `browser-audio.js` (`npm run build:browser-audio`):
 * ffmpeg.wasm is fetched from this origin only when a recording is sent, then it levels and encodes
 * with the server pipeline's own argument builders and meter (edge profile); a long WAV is shrunk to
 * Opus by the browser's own encoder (`browser-shrink.ts`) before a slow upload, or before it is kept
 * as the original.
 */
import type { AudioTargets } from '../domain/commune.js';
import { processInBrowser, type InMemoryFfmpeg } from './browser-pipeline.js';
import { canShrink, linkBitsPerSecond, linkIsPoor, shrinkToOpus, worthShrinking } from './browser-shrink.js';
import { DEFAULT_ENCODING_TARGETS } from './targets.js';

/** Where the page loads ffmpeg from (`ffmpegUrls` of the pages). */
export interface FfmpegUrls {
  readonly module: string;
  readonly core: string;
  readonly wasmParts: readonly string[];
}

/** Progress as the page shows it: loading ffmpeg (with a fraction of the bytes), then each step. */
export type Progress = (
  stage: 'download' | 'decode' | 'level' | 'encode' | 'verify',
  fraction?: number,
) => void;

interface FFmpegClass {
  on(event: 'log', cb: (e: { message: string }) => void): void;
  off(event: 'log', cb: (e: { message: string }) => void): void;
  load(config: { coreURL: string; wasmURL: string }): Promise<boolean>;
  exec(args: string[]): Promise<number>;
  writeFile(path: string, data: Uint8Array): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array | string>;
  deleteFile(path: string): Promise<boolean>;
}

/** The least memory (GB, `navigator.deviceMemory`) a phone needs to run ffmpeg.wasm on a recording. */
export const MIN_DEVICE_MEMORY_GB = 2;

/**
 * Whether this browser can run ffmpeg.wasm: WebAssembly, module workers, and enough memory (a
 * 3-minute recording takes about 150 MB of the wasm heap while it is levelled).
 */
export function capable():
  { readonly ok: true } | { readonly ok: false; readonly why: 'webassembly' | 'memory' } {
  const scope = globalThis as {
    WebAssembly?: unknown;
    Worker?: unknown;
    navigator?: { deviceMemory?: number };
  };
  if (typeof scope.WebAssembly !== 'object' || typeof scope.Worker !== 'function') {
    return { ok: false, why: 'webassembly' };
  }
  const memory = scope.navigator?.deviceMemory;
  if (memory !== undefined && memory < MIN_DEVICE_MEMORY_GB) return { ok: false, why: 'memory' };
  return { ok: true };
}

/** The bytes of a view as an ArrayBuffer of their own, as a Blob takes them. */
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

/** Fetches the parts of the core's WebAssembly with progress and joins them into one blob address. */
async function wasmUrl(parts: readonly string[], progress: Progress): Promise<string> {
  const responses = await Promise.all(parts.map((url) => fetch(url)));
  for (const r of responses) if (!r.ok) throw new Error(`ffmpeg could not be loaded (${r.status})`);
  const total = responses.reduce((n, r) => n + Number(r.headers.get('content-length') ?? 0), 0);
  let received = 0;
  const blobs = await Promise.all(
    responses.map(async (r) => {
      const chunks: Uint8Array[] = [];
      const reader = r.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (total > 0) progress('download', Math.min(1, received / total));
      }
      return new Blob(chunks.map(arrayBuffer));
    }),
  );
  return URL.createObjectURL(new Blob(blobs, { type: 'application/wasm' }));
}

let loaded: Promise<FFmpegClass> | undefined;

/** ffmpeg.wasm, loaded once per page: the module, its worker, the core and the 32 MB WebAssembly. */
function ffmpeg(urls: FfmpegUrls, progress: Progress): Promise<FFmpegClass> {
  loaded ??= (async () => {
    const page = (globalThis as unknown as { location: { href: string } }).location.href;
    const absolute = (path: string) => new URL(path, page).href;
    const [mod, wasm] = await Promise.all([
      import(/* @vite-ignore */ absolute(urls.module)) as Promise<{ FFmpeg: new () => FFmpegClass }>,
      wasmUrl(urls.wasmParts, progress),
    ]);
    const ff = new mod.FFmpeg();
    await ff.load({ coreURL: absolute(urls.core), wasmURL: wasm });
    return ff;
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/** The port the shared pipeline runs on: ffmpeg.wasm with its log as stderr. */
function inMemory(ff: FFmpegClass): InMemoryFfmpeg {
  return {
    async run(args) {
      const lines: string[] = [];
      const log = (e: { message: string }) => lines.push(e.message);
      ff.on('log', log);
      try {
        const code = await ff.exec([...args]);
        const stderr = lines.join('\n');
        if (code !== 0) throw new Error(`ffmpeg failed (${code}): ${stderr.slice(-500)}`);
        return { stderr };
      } finally {
        ff.off('log', log);
      }
    },
    async writeFile(path, bytes) {
      await ff.writeFile(path, bytes);
    },
    async readFile(path) {
      const data = await ff.readFile(path);
      return typeof data === 'string' ? new TextEncoder().encode(data) : data;
    },
    async deleteFile(path) {
      await ff.deleteFile(path);
    },
  };
}

/**
 * Levels and encodes a recording as the server would (edge profile): the MP3 to send with
 * `processed=true`, which the Worker measures again before it takes it.
 */
export async function processRecording(
  file: Blob,
  name: string,
  targets: Partial<AudioTargets>,
  urls: FfmpegUrls,
  progress: Progress,
): Promise<{ mp3: Blob; durationMs: number; integratedLufs: number; truePeakDbtp: number }> {
  const ff = inMemory(await ffmpeg(urls, progress));
  const made = await processInBrowser(
    ff,
    { bytes: new Uint8Array(await file.arrayBuffer()), name },
    { ...DEFAULT_ENCODING_TARGETS, ...targets, opus: false },
    (stage) => progress(stage),
  );
  return {
    mp3: new Blob([arrayBuffer(made.mp3)], { type: 'audio/mpeg' }),
    durationMs: made.durationMs,
    integratedLufs: made.loudness.integratedLufs,
    truePeakDbtp: made.loudness.truePeakDbtp,
  };
}

(globalThis as { LoaAudio?: unknown }).LoaAudio = {
  capable,
  processRecording,
  canShrink,
  shrinkToOpus,
  worthShrinking,
  linkBitsPerSecond,
  linkIsPoor,
};
