import type { SourceDecoding } from './decoding.js';
import { parseEbur128Summary } from './ffmpeg-output.js';
import { levelledAimLufs, limiterCeilingDb, preGainDb, SILENT_LUFS } from './loudness-plan.js';
import {
  buildTrialArgs,
  FILTER_IDS,
  levellerFor,
  trialExcerpts,
  type Excerpt,
  type LevellingSettings,
} from './pipeline-args.js';
import type { EncodingTargets } from './targets.js';

/**
 * Candidate make-up gains. After the pre-gain the speech sits near the target and the leveller
 * takes it 2–7 dB lower; the limiter then takes up to 10 LU more (espeak-ng speech, whose peaks
 * are 19 dB above its loudness, gains only 0.1–0.3 LU per dB near the aim). Candidates 4 dB apart
 * interpolate to within 0.1 LU.
 */
const MAKEUP_CANDIDATES_DB = [0, 4, 8, 12, 16, 20, 24, 28] as const;

interface TrialResult {
  readonly sourceLufs: number | undefined;
  readonly levelledLufs: number | undefined;
  /** Loudness after make-up and limiter, per candidate. */
  readonly limitedLufs: readonly (number | undefined)[];
}

/**
 * Runs ffmpeg with these arguments and gives its stderr: a process on Node, ffmpeg.wasm in a browser.
 * The levelling is found the same way wherever ffmpeg runs.
 */
export type RunFfmpeg = (args: readonly string[]) => Promise<{ readonly stderr: string }>;

async function trial(
  run: RunFfmpeg,
  input: string,
  excerpts: readonly Excerpt[],
  levelling: LevellingSettings,
  makeupsDb: readonly number[],
  decoding: SourceDecoding,
): Promise<TrialResult> {
  const args = buildTrialArgs(input, excerpts, levelling, makeupsDb, decoding);
  const { stderr } = await run(args);
  const audible = (instance: string): number | undefined => {
    const lufs = parseEbur128Summary(stderr, instance)?.integratedLufs;
    return lufs !== undefined && lufs > SILENT_LUFS ? lufs : undefined;
  };
  return {
    sourceLufs: audible(FILTER_IDS.source),
    levelledLufs: audible(`${FILTER_IDS.trial}0`),
    limitedLufs: makeupsDb.map((_, i) => audible(`${FILTER_IDS.trial}${i + 1}`)),
  };
}

/**
 * The make-up gain whose limited loudness meets the aim, interpolated between measured
 * candidates (loudness grows with make-up, ever more slowly as the limiter works harder), and
 * the loudness gained per dB there. Pure.
 *
 * @example interpolateMakeup([10, 12], [-17, -15], -16) // { makeupDb: 11, slope: 1 }
 */
export function interpolateMakeup(
  makeupsDb: readonly number[],
  lufs: readonly (number | undefined)[],
  aim: number,
): { readonly makeupDb: number; readonly slope: number } {
  const points = makeupsDb
    .map((m, i) => ({ m, l: lufs[i] }))
    .filter((p): p is { m: number; l: number } => p.l !== undefined);
  const slopeOf = (a: { m: number; l: number }, b: { m: number; l: number }): number =>
    Math.min(1, Math.max(MIN_SLOPE, (b.l - a.l) / (b.m - a.m)));
  const first = points[0];
  if (!first) return { makeupDb: makeupsDb[0] ?? 0, slope: 1 };
  if (aim <= first.l) return { makeupDb: first.m - (first.l - aim), slope: 1 };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as { m: number; l: number };
    const b = points[i] as { m: number; l: number };
    if (aim <= b.l) {
      const slope = slopeOf(a, b);
      return { makeupDb: b.l === a.l ? b.m : a.m + ((aim - a.l) * (b.m - a.m)) / (b.l - a.l), slope };
    }
  }
  const last = points[points.length - 1] as { m: number; l: number };
  const before = points[points.length - 2];
  const slope = before ? slopeOf(before, last) : 1;
  return { makeupDb: last.m + (aim - last.l) / slope, slope };
}

const MIN_SLOPE = 0.1;

/** The levelling found for a source, and the source's loudness measured on the way. */
export interface Calibration {
  readonly levelling: LevellingSettings;
  /** Levelled loudness gained per dB of make-up near the aim: how to correct the make-up. */
  readonly slope: number;
  /** Loudness of the trial excerpts (the whole file when it is short), after the high-pass. */
  readonly sourceLufs: number | undefined;
}

/**
 * Finds the levelling of a source in one trial on excerpts: the pre-gain from the loudness of
 * the first seconds, then eight candidate make-up gains through the limiter, interpolated to the
 * aim.
 * The analysis pass measures the whole file afterwards and the encoding gain is computed from
 * that, so an unrepresentative excerpt costs only a little peak margin, never loudness accuracy.
 */
export async function calibrateLevelling(
  run: RunFfmpeg,
  input: string,
  probe: { readonly durationMs: number },
  headLufs: number | undefined,
  targets: EncodingTargets,
  decoding: SourceDecoding = {},
): Promise<Calibration> {
  const base = { preGainDb: preGainDb(headLufs, targets), leveller: levellerFor(targets) };
  const ceilingDb = limiterCeilingDb(targets);
  const aim = levelledAimLufs(targets);
  const excerpts = trialExcerpts(probe.durationMs);

  const result = await trial(run, input, excerpts, { ...base, ceilingDb }, MAKEUP_CANDIDATES_DB, decoding);
  if (result.levelledLufs === undefined) {
    return { levelling: { ...base, makeupDb: 0, ceilingDb }, slope: 1, sourceLufs: result.sourceLufs };
  }
  const { makeupDb, slope } = interpolateMakeup(MAKEUP_CANDIDATES_DB, result.limitedLufs, aim);
  return { levelling: { ...base, makeupDb, ceilingDb }, slope, sourceLufs: result.sourceLufs };
}
