import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, type FfmpegBinaries } from '../../src/media/ffmpeg-binaries.js';
import { inspectAudio } from '../../src/media/inspect.js';
import { writeLevelled } from '../../src/media/intermediate.js';
import { levellerFor } from '../../src/media/pipeline-args.js';
import { processAudio } from '../../src/media/pipeline.js';
import { probeFile } from '../../src/media/probe.js';
import { AudioRejectedError } from '../../src/media/rejection.js';
import { DEFAULT_ENCODING_TARGETS, WORK_SAMPLE_RATE, type AudioLimits } from '../../src/media/targets.js';
import { flacWithLyingHeader, mp3WithLyingHeader } from './crafted-fixtures.js';

/** A one-minute limit and five minutes of audio keep the test fast; the ratio is what matters. */
const limits: AudioLimits = { maxDurationMs: 60_000, maxChannels: 8 };
const REAL_S = 300;
/** The levelled intermediate is 32-bit float mono 48 kHz: this many bytes hold the limit. */
const LIMIT_BYTES = (limits.maxDurationMs / 1000) * WORK_SAMPLE_RATE * 4;
/** What the margin past the limit and the encoded outputs may add. */
const SLACK_BYTES = 2 * 1024 * 1024;

type Kind = 'mp3' | 'flac';
let binaries: FfmpegBinaries;
let dir: string;
const inputs = new Map<string, string>();
const input = (kind: Kind, claimS: number): string => inputs.get(`${kind}-${claimS}`) ?? '';

beforeAll(async () => {
  binaries = await resolveFfmpeg(process.env);
  dir = await mkdtemp(join(tmpdir(), 'loa-media-limits-'));
  for (const claimS of [1, 40]) {
    inputs.set(`mp3-${claimS}`, await mp3WithLyingHeader(dir, { claimS, realS: REAL_S }));
    inputs.set(`flac-${claimS}`, await flacWithLyingHeader(dir, { claimS, realS: REAL_S }));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Samples the total size of the files in a folder as often as the event loop allows, until stopped. */
function watchFolderSize(folder: string): { stop(): number } {
  let peak = 0;
  const sample = (): void => {
    let total = 0;
    try {
      for (const name of readdirSync(folder)) total += statSync(join(folder, name)).size;
    } catch {
      // The folder does not exist yet, or a file went away between the listing and the stat.
    }
    peak = Math.max(peak, total);
  };
  const timer = setInterval(sample, 5);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

describe.each(['mp3', 'flac'] as const)('a %s whose header claims 1 s but holds 5 min', (kind) => {
  it('is believed by ffprobe (the lie is real)', async () => {
    const probed = await probeFile(binaries, input(kind, 1));
    expect(probed).toMatchObject({ kind: 'audio' });
    if (probed.kind === 'audio') expect(probed.probe.durationMs).toBeLessThan(1500);
  });

  it('is refused at the upload as too long, giving what was decoded as a lower bound', async () => {
    const inspection = await inspectAudio({ input: input(kind, 1), binaries, limits });
    expect(inspection).toMatchObject({ ok: false, rejection: { code: 'too_long', status: 422 } });
    if (inspection.ok) return;
    expect(inspection.rejection.message).toMatch(
      /^Bản ghi dài ít nhất 1 phút \d+ giây, vượt quá giới hạn 1 phút\./,
    );
    expect(inspection.rejection.messageEn).toMatch(/at least 1 min \d+ s, more than the 1 min limit/);
  });

  it('is refused by the processing, which never holds more than the limit of audio on disk', async () => {
    const workDir = join(dir, `work-${kind}`);
    const watch = watchFolderSize(workDir);
    const outcome = await processAudio({ input: input(kind, 1), workDir, binaries, limits }).then(
      () => 'processed',
      (error: unknown) => error,
    );
    const peak = watch.stop();
    expect(outcome).toBeInstanceOf(AudioRejectedError);
    expect(outcome).toMatchObject({ rejection: { code: 'too_long', status: 422 } });
    expect(peak).toBeLessThanOrEqual(LIMIT_BYTES + SLACK_BYTES);
  });

  it('is stopped by the analysis pass itself at the limit, the intermediate holding no more', async () => {
    const intermediatePath = join(dir, `levelled-${kind}.f32`);
    const levelling = {
      preGainDb: 0,
      leveller: levellerFor(DEFAULT_ENCODING_TARGETS),
      makeupDb: 0,
      ceilingDb: -4,
    };
    const outcome = writeLevelled({ binaries, input: input(kind, 1), levelling, intermediatePath, limits });
    await expect(outcome).rejects.toMatchObject({ rejection: { code: 'too_long', status: 422 } });
    await expect(outcome).rejects.toThrow(/at least 1 min/);
    const { size } = await stat(intermediatePath);
    expect(size).toBeGreaterThan(LIMIT_BYTES);
    expect(size).toBeLessThanOrEqual(LIMIT_BYTES + SLACK_BYTES);
  });
});

describe.each(['mp3', 'flac'] as const)('a %s whose header claims 40 s but holds 5 min', (kind) => {
  it('goes on past the end it claims, and is refused at the upload', async () => {
    const inspection = await inspectAudio({ input: input(kind, 40), binaries, limits });
    expect(inspection).toMatchObject({ ok: false, rejection: { code: 'too_long', status: 422 } });
  });

  it('is accepted with its real length when the limit allows it', async () => {
    const inspection = await inspectAudio({
      input: input(kind, 40),
      binaries,
      limits: { ...limits, maxDurationMs: 10 * 60_000 },
    });
    expect(inspection).toMatchObject({ ok: true, probe: { durationFrom: 'decoded' } });
    if (inspection.ok) expect(Math.abs(inspection.probe.durationMs - REAL_S * 1000)).toBeLessThan(500);
  });
});
