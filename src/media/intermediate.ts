import { open, stat } from 'node:fs/promises';
import type { SourceDecoding } from './decoding.js';
import type { FfmpegBinaries } from './ffmpeg-binaries.js';
import { createLoudnessMeter, type LoudnessReading } from './loudness-meter.js';
import { firstAbove, lastAbove } from './pcm.js';
import { buildAnalysisArgs, type LevellingSettings } from './pipeline-args.js';
import { AudioRejectedError, rejections } from './rejection.js';
import { runTool, ToolRunError } from './runner.js';
import { decodeCapMs, reachedDecodeCap, WORK_SAMPLE_RATE, type AudioLimits } from './targets.js';

/** The levelled intermediate as written: its measured loudness and how much audio it holds. */
export interface Levelled {
  readonly loudness: LoudnessReading;
  readonly decodedMs: number;
}

/**
 * The analysis pass: decodes the input once, levels it and writes the raw float intermediate,
 * stopping a little past `limits.maxDurationMs` whatever the input's header claims, then measures
 * it. The intermediate never holds more than the limit and its margin.
 *
 * @throws AudioRejectedError `too_long` when the decoded audio is over the limit (the intermediate
 *   is left for the caller to remove), `unreadable` when ffmpeg refuses the stream
 */
export async function writeLevelled(p: {
  readonly binaries: FfmpegBinaries;
  readonly input: string;
  readonly levelling: LevellingSettings;
  readonly intermediatePath: string;
  readonly limits: AudioLimits;
  readonly decoding?: SourceDecoding;
  readonly signal?: AbortSignal | undefined;
}): Promise<Levelled> {
  const args = buildAnalysisArgs({
    input: p.input,
    levelling: p.levelling,
    intermediatePath: p.intermediatePath,
    maxS: decodeCapMs(p.limits) / 1000,
    ...(p.decoding ? { decoding: p.decoding } : {}),
  });
  try {
    await runTool(p.binaries.ffmpeg, args, { signal: p.signal });
  } catch (error) {
    // ffmpeg refusing the stream it probed a moment ago means the file is damaged inside.
    if (error instanceof ToolRunError && error.exitCode !== null && !error.timedOut) {
      throw new AudioRejectedError(rejections.unreadable());
    }
    throw error;
  }
  const decodedMs = ((await stat(p.intermediatePath)).size / 4 / WORK_SAMPLE_RATE) * 1000;
  if (decodedMs > p.limits.maxDurationMs) {
    const atLeast = reachedDecodeCap(decodedMs, p.limits);
    throw new AudioRejectedError(rejections.tooLong(decodedMs, p.limits.maxDurationMs, { atLeast }));
  }
  return { loudness: await measureIntermediate(p.intermediatePath), decodedMs };
}

/** Where sound begins and ends in the raw f32le mono intermediate, in seconds. */
export interface LoudEdges {
  readonly totalS: number;
  /** Undefined when nothing in the file exceeds the threshold. */
  readonly firstLoudS: number | undefined;
  /** Time just after the last loud sample. */
  readonly lastLoudS: number | undefined;
}

const CHUNK_SAMPLES = 48_000;

/**
 * Finds the first and last samples above `thresholdDb` by reading inwards from both ends: only
 * the silent edges are read, so this costs nothing next to a pass of ffmpeg.
 */
export async function findLoudEdges(path: string, thresholdDb: number): Promise<LoudEdges> {
  const threshold = 10 ** (thresholdDb / 20);
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const total = Math.floor(size / 4);
    const totalS = total / WORK_SAMPLE_RATE;
    const buffer = new Float32Array(CHUNK_SAMPLES);
    const bytes = new Uint8Array(buffer.buffer);

    const readAt = async (sample: number, count: number): Promise<Float32Array> => {
      const { bytesRead } = await file.read(bytes, 0, count * 4, sample * 4);
      return buffer.subarray(0, bytesRead >> 2);
    };

    let first = -1;
    for (let at = 0; at < total && first < 0; at += CHUNK_SAMPLES) {
      const i = firstAbove(await readAt(at, Math.min(CHUNK_SAMPLES, total - at)), threshold);
      if (i >= 0) first = at + i;
    }
    if (first < 0) return { totalS, firstLoudS: undefined, lastLoudS: undefined };

    let last = -1;
    for (let end = total; end > first && last < 0; end -= CHUNK_SAMPLES) {
      const at = Math.max(first, end - CHUNK_SAMPLES);
      const i = lastAbove(await readAt(at, end - at), threshold);
      if (i >= 0) last = at + i;
    }
    return { totalS, firstLoudS: first / WORK_SAMPLE_RATE, lastLoudS: (last + 1) / WORK_SAMPLE_RATE };
  } finally {
    await file.close();
  }
}

/**
 * Measures the loudness of the whole intermediate by reading it through the meter: cheaper than
 * a second `ebur128` in the analysis pass (no true peak is needed here: the limiter set it).
 */
export async function measureIntermediate(path: string): Promise<LoudnessReading> {
  const meter = createLoudnessMeter(WORK_SAMPLE_RATE, { truePeak: false });
  const file = await open(path, 'r');
  try {
    const buffer = new Float32Array(256 * 1024);
    const bytes = new Uint8Array(buffer.buffer);
    for (let at = 0; ;) {
      const { bytesRead } = await file.read(bytes, 0, bytes.byteLength, at);
      if (bytesRead < 4) break;
      meter.push(buffer.subarray(0, bytesRead >> 2));
      at += bytesRead - (bytesRead % 4);
    }
    return meter.finish();
  } finally {
    await file.close();
  }
}
