/**
 * The numbers between the passes, as pure functions: pre-gain, trim span, encoding gain,
 * limiter ceiling, and whether a verified output needs its one correction.
 */
import type { EncodeOutputs, TrimSpan } from './pipeline-args.js';
import type { EncodingTargets } from './targets.js';

/** Silence, for trimming: below −50 dBFS for more than 0.5 s; 0.25 s of it is kept at each edge. */
export const SILENCE = { thresholdDb: -50, minS: 0.5, keepS: 0.25 } as const;

/** `ebur128` reports −70 LUFS (its absolute gate) when nothing is loud enough to measure. */
export const SILENT_LUFS = -69.5;

/** Loudness of a typical phone recording, assumed when the first seconds are silent. */
const TYPICAL_SOURCE_LUFS = -24;

/**
 * Loudness each codec takes away at our bitrates, LU, measured on speech with the ffmpeg builds
 * Loa runs: LAME 3.100 at 64 kbit/s mono 0.40–0.50 LU (espeak-ng, phone and narrow-band speech
 * alike), libopus at 24 kbit/s about the same. The verification pass measures the real figure
 * and corrects once if this guess is off by more than 0.3 LU.
 */
export const CODEC_LOUDNESS_LOSS_LU = { mp3: 0.45, opus: 0.45 } as const;

/**
 * Room between the limiter's sample-peak ceiling and the true-peak target, dB. Measured on
 * limited speech: inter-sample peaks add about 0.5 dB, and LAME's quantisation noise at
 * 64 kbit/s adds 0.1–1.2 dB more, varying from file to file.
 */
export const LIMITER_MARGIN_DB = 3;

/**
 * The levelled intermediate aims this much above where the encoding wants it, so that the
 * encoding gain is a small cut: the limiter of the encoding pass then has nothing to do and cannot
 * take loudness away after the measurement.
 */
export const LEVELLED_BIAS_DB = 0.3;

/** Largest gain applied before the leveller; beyond it, noise would be levelled up as speech. */
const MAX_PRE_GAIN_DB = 40;

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/**
 * Gain that brings the source near the target before the leveller, from the loudness of the
 * first seconds (an estimate: the analysis measures the whole levelled file afterwards).
 */
export function preGainDb(headLufs: number | undefined, targets: EncodingTargets): number {
  const estimate = headLufs === undefined || headLufs < SILENT_LUFS ? TYPICAL_SOURCE_LUFS : headLufs;
  return clamp(targets.integratedLufs - estimate, -30, MAX_PRE_GAIN_DB);
}

/**
 * Silence threshold in the levelled intermediate: −50 dBFS of the source moved by the static
 * gains. The leveller may raise silence further (never lower it), which can only make the trim
 * more cautious, never cut into speech.
 */
export function silenceThresholdDb(levelling: {
  readonly preGainDb: number;
  readonly makeupDb?: number;
}): number {
  return SILENCE.thresholdDb + levelling.preGainDb + (levelling.makeupDb ?? 0);
}

/**
 * The span to keep: silent edges longer than 0.5 s are cut down to 0.25 s; silence inside the
 * speech is never touched.
 *
 * @param firstLoudS time of the first sample above the threshold, or undefined if none is
 * @param lastLoudS time just after the last sample above the threshold
 * @example trimSpan(5.2, 14.0, 15) // { startS: 4.95, durationS: 9.3 }
 */
export function trimSpan(
  firstLoudS: number | undefined,
  lastLoudS: number | undefined,
  totalS: number,
): TrimSpan {
  if (firstLoudS === undefined || lastLoudS === undefined) return { startS: 0, durationS: totalS };
  const startS = firstLoudS > SILENCE.minS ? firstLoudS - SILENCE.keepS : 0;
  const endS = totalS - lastLoudS > SILENCE.minS ? lastLoudS + SILENCE.keepS : totalS;
  return { startS: round3(startS), durationS: round3(Math.max(0, endS - startS)) };
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Loudness the levelling aims at: the target, plus what the MP3 codec takes, plus the bias. */
export function levelledAimLufs(targets: EncodingTargets): number {
  return targets.integratedLufs + CODEC_LOUDNESS_LOSS_LU.mp3 + LEVELLED_BIAS_DB;
}

/** Encoding gain from the measured levelled loudness; the codec's loss is given back. */
export function encodeGainDb(levelledLufs: number, targets: EncodingTargets): number {
  return targets.integratedLufs + CODEC_LOUDNESS_LOSS_LU.mp3 - levelledLufs;
}

/** Ceiling of the limiters, dBFS, for a true-peak target. */
export function limiterCeilingDb(targets: EncodingTargets): number {
  return targets.truePeakDbtp - LIMITER_MARGIN_DB;
}

/** Gain of the Opus branch relative to the MP3 branch: Opus loses less loudness. */
export const OPUS_TRIM_DB = CODEC_LOUDNESS_LOSS_LU.opus - CODEC_LOUDNESS_LOSS_LU.mp3;

/** What the verification pass found in one output. */
export interface OutputMeasurement {
  readonly format: keyof EncodeOutputs;
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
  readonly lraLu: number;
}

/** Off target by more than this, an output is encoded once more with corrected numbers. */
export const CORRECTION_THRESHOLD_LU = 0.3;

export interface Correction {
  readonly gainDb: number;
  /** Ceiling of the encoding pass's limiter, or none when the gain cannot raise a peak. */
  readonly ceilingDb: number | undefined;
  readonly opusTrimDb: number;
}

/** The first encoding's numbers, from the measured levelled loudness. */
export function firstEncoding(levelledLufs: number, targets: EncodingTargets): Correction {
  const gainDb = encodeGainDb(levelledLufs, targets);
  return { gainDb, ceilingDb: gainDb > 0 ? limiterCeilingDb(targets) : undefined, opusTrimDb: OPUS_TRIM_DB };
}

/**
 * The one correction, if the verified outputs need it: shift the gain by the MP3's measured
 * error and, if its true peak overshot, limit below the ceiling by the overshoot plus a little;
 * trim the Opus branch by its own loudness error. Opus's true peak is reported but not chased:
 * at 24 kbit/s libopus adds up to 4–5 dB of peak to limited speech, and limiting that away would
 * take the MP3 off target. Pure.
 */
export function planCorrection(
  measured: readonly OutputMeasurement[],
  current: Correction,
  targets: EncodingTargets,
): Correction | undefined {
  const mp3 = measured.find((m) => m.format === 'mp3');
  const opus = measured.find((m) => m.format === 'opus');
  if (!mp3) return undefined;
  const offLoudness = (m: OutputMeasurement | undefined): boolean =>
    m !== undefined && Math.abs(m.integratedLufs - targets.integratedLufs) > CORRECTION_THRESHOLD_LU + 1e-9;
  const overshoot = Math.max(0, mp3.truePeakDbtp - targets.truePeakDbtp);
  if (!offLoudness(mp3) && !offLoudness(opus) && overshoot === 0) return undefined;

  const mp3Error = targets.integratedLufs - mp3.integratedLufs;
  const gainDb = current.gainDb + mp3Error;
  const base = current.ceilingDb ?? limiterCeilingDb(targets);
  const ceilingDb =
    overshoot > 0 ? base - overshoot - 0.3 : gainDb > 0 || current.ceilingDb !== undefined ? base : undefined;
  const opusTrimDb = opus
    ? current.opusTrimDb + (targets.integratedLufs - opus.integratedLufs) - mp3Error
    : current.opusTrimDb;
  return { gainDb, ceilingDb, opusTrimDb };
}
