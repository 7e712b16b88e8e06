import type { FfmpegBinaries } from './ffmpeg-binaries.js';
import { parseEbur128Summary } from './ffmpeg-output.js';
import { levelledAimLufs, limiterCeilingDb, preGainDb, SILENT_LUFS } from './loudness-plan.js';
import { buildHeadTrialArgs, FILTER_IDS, levellerFor, type LevellingSettings } from './pipeline-args.js';
import { runTool } from './runner.js';
import type { AudioTargets } from './targets.js';

/** Seconds of the source the trials run on: long enough to hold several sentences. */
export const TRIAL_HEAD_S = 20;

/** Trials with the limiter; the limiter's loss grows with its input, so each corrects the last. */
const LIMITER_TRIALS = 2;
/** Loudness gained per dB of make-up once the limiter works: a first guess, then measured. */
const INITIAL_SLOPE = 0.6;
/** Close enough: the encoding gain takes out what is left, exactly. */
const TOLERANCE_LU = 0.1;

async function trialLufs(
  binaries: FfmpegBinaries,
  input: string,
  levelling: LevellingSettings,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const { stderr } = await runTool(binaries.ffmpeg, buildHeadTrialArgs(input, TRIAL_HEAD_S, levelling), { signal });
  const lufs = parseEbur128Summary(stderr, FILTER_IDS.trial)?.integratedLufs;
  return lufs !== undefined && lufs > SILENT_LUFS ? lufs : undefined;
}

/**
 * Finds the levelling of a source by trying it on the first seconds: the pre-gain from their
 * loudness, then the make-up gain that brings leveller and limiter output to the aim. The
 * analysis pass measures the whole file afterwards, so an unrepresentative start costs accuracy
 * of the peak margin only, never of the final loudness.
 */
export async function calibrateLevelling(
  binaries: FfmpegBinaries,
  input: string,
  headLufs: number | undefined,
  targets: AudioTargets,
  signal?: AbortSignal,
): Promise<LevellingSettings> {
  const base = { preGainDb: preGainDb(headLufs, targets), leveller: levellerFor(targets) };
  const ceilingDb = limiterCeilingDb(targets);
  const aim = levelledAimLufs(targets);
  if (headLufs === undefined) return { ...base, makeupDb: 0, ceilingDb };

  const levelled = await trialLufs(binaries, input, base, signal);
  if (levelled === undefined) return { ...base, makeupDb: 0, ceilingDb };
  // Secant steps on make-up gain → limited loudness, from the leveller-only estimate.
  let makeupDb = aim - levelled;
  let previous: { readonly makeupDb: number; readonly lufs: number } | undefined;
  for (let i = 0; i < LIMITER_TRIALS; i++) {
    const lufs = await trialLufs(binaries, input, { ...base, makeupDb, ceilingDb }, signal);
    if (lufs === undefined || Math.abs(aim - lufs) < TOLERANCE_LU) break;
    const measuredSlope = previous ? (lufs - previous.lufs) / (makeupDb - previous.makeupDb) : Number.NaN;
    const slope = Number.isFinite(measuredSlope) ? Math.min(1, Math.max(0.2, measuredSlope)) : INITIAL_SLOPE;
    previous = { makeupDb, lufs };
    makeupDb += (aim - lufs) / slope;
  }
  return { ...base, makeupDb, ceilingDb };
}
