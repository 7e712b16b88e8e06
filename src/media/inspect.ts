import type { Inspection } from '../domain/ports/audio.js';
import { decodingFor, type FfmpegBinaries } from './ffmpeg-binaries.js';
import { parseAstats, parseEbur128Summary, type AstatsValues, type Ebur128Summary } from './ffmpeg-output.js';
import { buildCountArgs, type SourceDecoding } from './decoding.js';
import { buildDecodeCheckArgs, TAIL_OVERRUN_S } from './decode-check-args.js';
import { FILTER_IDS } from './pipeline-args.js';
import { probeFile, validateProbe, type SourceProbe } from './probe.js';
import { rejections } from './rejection.js';
import { runTool, ToolRunError } from './runner.js';
import { decodeCapMs, DEFAULT_AUDIO_LIMITS, type AudioLimits } from './targets.js';

export type { Inspection };

export interface DecodeCheck {
  readonly probe: SourceProbe;
  readonly headS: number;
  readonly head: AstatsValues | undefined;
  readonly headLoudness: Ebur128Summary | undefined;
  /** Undefined when the file is short enough for the head to cover all of it. */
  readonly tail: AstatsValues | undefined;
  readonly readsTail: boolean;
  /** Seconds the tail read aims at (3 unless told). */
  readonly tailS?: number;
  /** The decoder drops the silence frames of discontinuous transmission (`SourceDecoding`). */
  readonly dropsSilenceFrames?: boolean;
}

/**
 * Random bytes behind a valid WAV header decode as full-scale white noise: half the samples
 * change sign and the crest factor is under 2, which speech never shows.
 */
const NOISE = { minZeroCrossingRate: 0.4, minRmsDb: -15, maxCrestFactor: 4 } as const;

/**
 * Judges what the quick decode check saw. Pure.
 *
 * @example judgeDecodeCheck({ probe, headS: 30, head, headLoudness, tail: { 'Number of samples': 0 }, readsTail: true })
 * // { ok: false, rejection: { code: 'unreadable', reason: 'truncated', … } }
 */
export function judgeDecodeCheck(check: DecodeCheck): Inspection {
  const { probe, head } = check;
  const headSamples = head?.['Number of samples'] ?? 0;
  if (headSamples === 0) return { ok: false, rejection: rejections.unreadable() };

  const zcr = head?.['Zero crossings rate'] ?? 0;
  const rms = head?.['RMS level dB'] ?? Number.NEGATIVE_INFINITY;
  const crest = head?.['Crest factor'] ?? Number.POSITIVE_INFINITY;
  const peak = head?.['Peak level dB'] ?? Number.NEGATIVE_INFINITY;
  // Float samples from random bytes are astronomically large or NaN.
  if (peak > 40 || Number.isNaN(rms)) return { ok: false, rejection: rejections.noise() };
  if (zcr >= NOISE.minZeroCrossingRate && rms >= NOISE.minRmsDb && crest <= NOISE.maxCrestFactor) {
    return { ok: false, rejection: rejections.noise() };
  }

  if (isCutShort(check, headSamples)) return { ok: false, rejection: rejections.truncated() };

  const headLufs = check.headLoudness?.integratedLufs;
  return { ok: true, probe, headLufs: headLufs !== undefined && headLufs > -69.5 ? headLufs : undefined };
}

/**
 * Whether less decoded than the header promised. Not judged when the decoder drops the silence
 * frames of discontinuous transmission: their time is filled from the timestamps, but a pause at
 * the end of what was read leaves no timestamp behind, so a phone recording that ends in a pause
 * decodes as short as a cut one (the built-in AMR-NB decoder gave none of the last 3 s of one that
 * ended in 5 s of pause). Such a file is judged by whether it decodes at all.
 */
function isCutShort(check: DecodeCheck, headSamples: number): boolean {
  if (check.dropsSilenceFrames) return false;
  const { probe } = check;
  if (check.readsTail) {
    // A whole file yields about tailS seconds here; a cut one, where seeking lands past its data, none.
    const tailSamples = check.tail?.['Number of samples'] ?? 0;
    return tailSamples < probe.sampleRate * 0.25;
  }
  const decodedMs = (headSamples / probe.sampleRate) * 1000;
  const expected = Math.min(probe.durationMs, check.headS * 1000);
  return decodedMs < expected - Math.max(500, expected * 0.05);
}

/**
 * Whether the quick check decoded more than the header promised: the head more than the whole
 * promised duration, or the tail on past the end (it is read up to `tailS + TAIL_OVERRUN_S`).
 * Then the header lies, as an MP3 whose Xing frame count or a FLAC whose STREAMINFO claims a second
 * of what lasts hours, and the real length must be counted before the file is let in. Pure.
 *
 * @example decodedPastHeader({ probe: { ...probe, durationMs: 1000 }, head: { 'Number of samples': 30 * 44100 }, readsTail: false, … }) // true
 */
export function decodedPastHeader(check: DecodeCheck): boolean {
  const { probe } = check;
  if (check.readsTail) {
    const tailSamples = check.tail?.['Number of samples'] ?? 0;
    return tailSamples > ((check.tailS ?? 3) + TAIL_OVERRUN_S / 2) * probe.sampleRate;
  }
  const decodedMs = ((check.head?.['Number of samples'] ?? 0) / probe.sampleRate) * 1000;
  return decodedMs > probe.durationMs + Math.max(500, probe.durationMs * 0.05);
}

/**
 * Decodes an input to count its real length, stopping at `maxMs`; returns the milliseconds decoded
 * (`maxMs` when it was stopped). Costs one plain decode of up to `maxMs`: run only when the header
 * was caught lying.
 */
export async function countDecodedMs(
  binaries: FfmpegBinaries,
  input: string,
  p: { readonly sampleRate: number; readonly maxMs: number; readonly decoding?: SourceDecoding },
): Promise<number> {
  const maxBytes = Math.ceil((p.maxMs / 1000) * p.sampleRate) * 2;
  const stop = new AbortController();
  let bytes = 0;
  const args = buildCountArgs(input, {
    sampleRate: p.sampleRate,
    maxS: p.maxMs / 1000,
    ...(p.decoding ? { decoding: p.decoding } : {}),
  });
  try {
    await runTool(binaries.ffmpeg, args, {
      signal: stop.signal,
      timeoutMs: 10 * 60_000,
      onStdout: (chunk) => {
        bytes += chunk.length;
        // `-t` stops by timestamps; this stops a file whose timestamps do not advance.
        if (bytes >= maxBytes && !stop.signal.aborted) stop.abort();
      },
    });
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  }
  return Math.min(p.maxMs, Math.round((bytes / 2 / p.sampleRate) * 1000));
}

async function runDecodeCheck(
  binaries: FfmpegBinaries,
  input: string,
  probe: SourceProbe,
  headS: number,
  decoding: SourceDecoding,
): Promise<DecodeCheck | undefined> {
  const plan = buildDecodeCheckArgs(input, probe, { headS, decoding });
  let stderr: string;
  try {
    stderr = (await runTool(binaries.ffmpeg, plan.args, { timeoutMs: 120_000 })).stderr;
  } catch (error) {
    if (error instanceof ToolRunError && error.exitCode !== null) return undefined;
    throw error;
  }
  return {
    probe,
    headS,
    head: parseAstats(stderr, FILTER_IDS.headStats),
    headLoudness: parseEbur128Summary(stderr, FILTER_IDS.headLoudness),
    tail: plan.readsTail ? parseAstats(stderr, FILTER_IDS.tailStats) : undefined,
    readsTail: plan.readsTail,
    ...(decoding.dropsSilenceFrames ? { dropsSilenceFrames: true } : {}),
  };
}

/**
 * Runs the quick decode check on a probed input and, when the file turns out to hold more than its
 * header claims, counts its real length (stopping a little past `limits.maxDurationMs`) and applies
 * the limits to that. The probe of an accepted file carries the counted length.
 */
export async function checkDecoding(
  binaries: FfmpegBinaries,
  input: string,
  probe: SourceProbe,
  opts: { readonly headS?: number; readonly limits?: AudioLimits; readonly decoding?: SourceDecoding } = {},
): Promise<Inspection> {
  const decoding = opts.decoding ?? {};
  const check = await runDecodeCheck(binaries, input, probe, opts.headS ?? 30, decoding);
  if (!check) return { ok: false, rejection: rejections.unreadable() };
  const judged = judgeDecodeCheck(check);
  if (!judged.ok || !decodedPastHeader(check)) return judged;

  const limits = opts.limits ?? DEFAULT_AUDIO_LIMITS;
  let countedMs: number;
  try {
    countedMs = await countDecodedMs(binaries, input, {
      sampleRate: probe.sampleRate,
      maxMs: decodeCapMs(limits),
      decoding,
    });
  } catch (error) {
    if (error instanceof ToolRunError && error.exitCode !== null) {
      return { ok: false, rejection: rejections.unreadable() };
    }
    throw error;
  }
  const counted = { ...probe, durationMs: countedMs, durationFrom: 'decoded' as const };
  const verdict = validateProbe({ kind: 'audio', probe: counted }, limits);
  return verdict.ok ? { ...judged, probe: verdict.probe } : verdict;
}

/**
 * Everything the upload route needs before accepting a file: ffprobe, the limits, and a quick
 * decode of its first and last seconds (damaged, cut-short and noise-only files are refused here,
 * not after minutes of processing). Takes about 0.1 s; a file that holds more than its header
 * claims costs one decode more, stopped a little past the duration limit.
 *
 * @example
 * const inspection = await inspectAudio({ input: tempPath, binaries });
 * if (!inspection.ok) return problem(inspection.rejection.status, inspection.rejection.message);
 */
export async function inspectAudio(p: {
  readonly input: string;
  readonly binaries: FfmpegBinaries;
  readonly limits?: AudioLimits;
}): Promise<Inspection> {
  const limits = p.limits ?? DEFAULT_AUDIO_LIMITS;
  const verdict = validateProbe(await probeFile(p.binaries, p.input, limits), limits);
  if (!verdict.ok) return verdict;
  const decoding = await decodingFor(p.binaries, verdict.probe.codec);
  return checkDecoding(p.binaries, p.input, verdict.probe, { limits, decoding });
}
