import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAudioTargets } from '../../src/domain/commune.js';
import { AudioRejectedError } from '../../src/domain/ports/audio.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { measureMp3, offTarget } from '../../src/media/mp3-check.js';
import { extractMpg123Wasm } from '../../src/media/mpg123-wasm.node.js';
import { processAudio } from '../../src/media/pipeline.js';
import { createProcessedIntake } from '../../src/media/processed-intake.js';
import { ffmpegFixture, speechWav } from '../support/audio-fixtures.js';
import { hasTool } from '../support/tools.js';
import { loudgain } from './loudgain.js';

let work: string;
let processedPath: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'loa-mp3-check-'));
  const wav = join(work, 'speech.wav');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(wav, speechWav());
  const result = await processAudio({
    input: wav,
    workDir: join(work, 'job'),
    binaries: await resolveFfmpeg(process.env),
  });
  processedPath = result.outputs.find((o) => o.format === 'mp3')!.path;
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the mpg123 the Worker imports', () => {
  it('is the WebAssembly of the installed mpg123-decoder (npm run wasm:mpg123 after an upgrade)', async () => {
    const committed = readFileSync(new URL('../../src/media/mpg123.wasm', import.meta.url));
    expect(Buffer.from(await extractMpg123Wasm()).equals(committed)).toBe(true);
  });
});

describe.skipIf(!hasTool('loudgain'))('the MP3 check of processed audio, against loudgain -O', () => {
  it('measures the pipeline’s own MP3 as loudgain does, and finds it on target', async () => {
    const measured = await measureMp3(readFileSync(processedPath));
    if (!measured.ok) throw new Error(measured.rejection.messageEn);
    const reference = await loudgain(processedPath);
    expect(Math.abs(measured.measure.loudness.integratedLufs - reference.integratedLufs)).toBeLessThan(0.1);
    expect(Math.abs(measured.measure.loudness.truePeakDbtp - reference.truePeakDbtp)).toBeLessThan(0.3);
    expect(measured.measure.channels).toBe(1);
    expect(measured.measure.peaks).toHaveLength(400);
    expect(offTarget(measured.measure, defaultAudioTargets)).toBeNull();
  });

  it('refuses an MP3 6 dB too quiet, and one too hot, naming what is off', async () => {
    const quiet = ffmpegFixture('quiet.mp3', ['-i', processedPath, '-af', 'volume=-6dB', '-b:a', '64k']);
    const m = await measureMp3(quiet);
    if (!m.ok) throw new Error(m.rejection.messageEn);
    const reference = await loudgain(processedPath);
    expect(m.measure.loudness.integratedLufs).toBeLessThan(reference.integratedLufs - 5);
    expect(offTarget(m.measure, defaultAudioTargets)).toMatchObject({
      code: 'not_processed',
      status: 422,
      reason: 'loudness',
    });
    const hot = ffmpegFixture('hot.mp3', ['-i', processedPath, '-af', 'volume=+1.2dB', '-b:a', '64k']);
    const h = await measureMp3(hot);
    if (!h.ok) throw new Error(h.rejection.messageEn);
    expect(offTarget(h.measure, defaultAudioTargets)).toMatchObject({ code: 'not_processed' });
  });

  it('refuses a WAV, a stereo MP3, a PDF and MP3-looking noise as not processed', async () => {
    const wav = speechWav();
    expect(await measureMp3(wav)).toMatchObject({
      ok: false,
      rejection: { code: 'not_processed', reason: 'codec' },
    });
    const stereo = ffmpegFixture('stereo.mp3', ['-i', processedPath, '-ac', '2', '-b:a', '128k']);
    expect(await measureMp3(stereo)).toMatchObject({ ok: false, rejection: { code: 'not_processed' } });
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
    expect(await measureMp3(pdf)).toMatchObject({ ok: false, rejection: { code: 'not_processed' } });
    const noise = new Uint8Array(20_000).map((_, i) => (i * 7919) % 251);
    noise[0] = 0xff;
    noise[1] = 0xfb;
    expect(await measureMp3(noise)).toMatchObject({ ok: false, rejection: { code: 'not_processed' } });
  });

  it('stores only what is on target', async () => {
    const stored: string[] = [];
    const files = new Map<string, Uint8Array>([
      ['good', readFileSync(processedPath)],
      ['quiet', ffmpegFixture('quiet2.mp3', ['-i', processedPath, '-af', 'volume=-3dB', '-b:a', '64k'])],
    ]);
    const intake = createProcessedIntake({
      open: async (key) => {
        const file = files.get(key);
        // Handed over in 1 KB pieces, as a bucket streams an object.
        const pieces = Array.from({ length: Math.ceil((file?.length ?? 0) / 1024) }, (_, i) =>
          file!.subarray(i * 1024, (i + 1) * 1024),
        );
        return file ? { body: ReadableStream.from(pieces), size: file.length } : null;
      },
      sha256: () => {
        const hash = createHash('sha256');
        return { write: async (chunk) => void hash.update(chunk), hex: async () => hash.digest('hex') };
      },
      putAsset: async (key, _ext, expected) => {
        stored.push(key);
        expect(expected.bytes).toBe(files.get(key)!.length);
        return { created: true };
      },
      removeAsset: async () => undefined,
      isSaved: async () => true,
    });
    await expect(intake.take('quiet', defaultAudioTargets)).rejects.toBeInstanceOf(AudioRejectedError);
    expect(stored).toEqual([]);
    const taken = await intake.take('good', defaultAudioTargets);
    expect(taken.outputs).toEqual([
      {
        format: 'mp3',
        sha256: createHash('sha256').update(files.get('good')!).digest('hex'),
        bytes: files.get('good')!.length,
        durationMs: taken.durationMs,
      },
    ]);
    expect(Math.abs(taken.loudness.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
    expect(stored).toHaveLength(1);
  });
});
