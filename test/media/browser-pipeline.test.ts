import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrowserAudio } from '../../src/http/web/assets/build-browser-audio.node.js';
import { WASM_PART_BYTES, WASM_PARTS, vendorFiles } from '../../src/http/web/assets/ffmpeg-vendor.js';
import { nodeModulesVendor } from '../../src/http/web/assets/vendor-files.node.js';
import { processInBrowser, type InMemoryFfmpeg } from '../../src/media/browser-pipeline.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { DEFAULT_ENCODING_TARGETS } from '../../src/media/targets.js';
import { speechWav } from '../support/audio-fixtures.js';
import { hasTool } from '../support/tools.js';
import { loudgain } from './loudgain.js';

const run = promisify(execFile);
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'loa-browser-pipeline-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The browser's in-memory ffmpeg, played by the system's ffmpeg over a folder. */
async function folderFfmpeg(): Promise<InMemoryFfmpeg> {
  const { ffmpeg } = await resolveFfmpeg(process.env);
  const at = (path: string) => join(work, path.replace(/^\//, ''));
  return {
    run: async (args) => ({
      stderr: (
        await run(
          ffmpeg,
          args.map((a) => (/^\/[a-z0-9.-]+$/i.test(a) ? at(a) : a)),
          { maxBuffer: 1 << 26 },
        )
      ).stderr,
    }),
    writeFile: (path, bytes) => writeFile(at(path), bytes),
    readFile: async (path) => new Uint8Array(await readFile(at(path))),
    deleteFile: (path) => rm(at(path), { force: true }),
  };
}

describe('the browser pipeline', () => {
  it.skipIf(!hasTool('loudgain'))(
    'levels speech to the targets with the server’s builders, on any ffmpeg',
    async () => {
      const stages: string[] = [];
      const made = await processInBrowser(
        await folderFfmpeg(),
        { bytes: speechWav(), name: 'ghi-am.wav' },
        DEFAULT_ENCODING_TARGETS,
        (s) => stages.push(s),
      );
      expect(stages).toEqual(expect.arrayContaining(['decode', 'level', 'encode', 'verify']));
      await writeFile(join(work, 'out.mp3'), made.mp3);
      const measured = await loudgain(join(work, 'out.mp3'));
      expect(Math.abs(measured.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
      expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1.5);
      // Its own verification agrees with the independent meter.
      expect(Math.abs(made.loudness.integratedLufs - measured.integratedLufs)).toBeLessThanOrEqual(0.15);
    },
    60_000,
  );

  it('refuses silence instead of sending it', async () => {
    const silence = join(work, 'silence.wav');
    const { ffmpeg } = await resolveFfmpeg(process.env);
    await run(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=44100:cl=mono',
      '-t',
      '5',
      '-y',
      silence,
    ]);
    await expect(
      processInBrowser(
        await folderFfmpeg(),
        { bytes: await readFile(silence), name: 'im-lang.wav' },
        DEFAULT_ENCODING_TARGETS,
      ),
    ).rejects.toMatchObject({ reason: 'silent' });
  }, 60_000);

  it('is served to the page as built from src/media (npm run build:browser-audio)', async () => {
    const committed = await readFile(
      new URL('../../src/http/web/assets/browser-audio.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(await buildBrowserAudio());
  }, 60_000);

  it('serves ffmpeg.wasm in parts under 25 MiB that join into the installed file', async () => {
    const parts = vendorFiles.filter((f) => f.part !== undefined);
    expect(parts).toHaveLength(WASM_PARTS);
    const whole = await readFile(
      new URL('../../node_modules/@ffmpeg/core/dist/esm/ffmpeg-core.wasm', import.meta.url),
    );
    const joined = Buffer.concat(
      await Promise.all(
        parts.map(async (f) =>
          Buffer.from(await new Response((await nodeModulesVendor(f))!.body).arrayBuffer()),
        ),
      ),
    );
    expect(WASM_PART_BYTES).toBeLessThan(25 * 1024 * 1024);
    expect(joined.equals(whole)).toBe(true);
  });
});
