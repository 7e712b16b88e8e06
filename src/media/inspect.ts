import type { FfmpegBinaries } from './ffmpeg-binaries.js';
import { parseAstats, parseEbur128Summary, type AstatsValues, type Ebur128Summary } from './ffmpeg-output.js';
import { buildDecodeCheckArgs, FILTER_IDS } from './pipeline-args.js';
import { probeFile, validateProbe, type SourceProbe } from './probe.js';
import { rejections, type AudioRejection } from './rejection.js';
import { runTool, ToolRunError } from './runner.js';
import { DEFAULT_AUDIO_LIMITS, type AudioLimits } from './targets.js';

export type Inspection =
  | {
      readonly ok: true;
      readonly probe: SourceProbe;
      /** Loudness of the first seconds, LUFS; undefined when they are silent. */
      readonly headLufs: number | undefined;
    }
  | { readonly ok: false; readonly rejection: AudioRejection };

export interface DecodeCheck {
  readonly probe: SourceProbe;
  readonly headS: number;
  readonly head: AstatsValues | undefined;
  readonly headLoudness: Ebur128Summary | undefined;
  /** Undefined when the file is short enough for the head to cover all of it. */
  readonly tail: AstatsValues | undefined;
  readonly readsTail: boolean;
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

  if (check.readsTail) {
    // A whole file yields about tailS seconds here; a cut one, where seeking lands past its data, none.
    const tailSamples = check.tail?.['Number of samples'] ?? 0;
    if (tailSamples < probe.sampleRate * 0.25) return { ok: false, rejection: rejections.truncated() };
  } else {
    const decodedMs = (headSamples / probe.sampleRate) * 1000;
    const expected = Math.min(probe.durationMs, check.headS * 1000);
    if (decodedMs < expected - Math.max(500, expected * 0.05))
      return { ok: false, rejection: rejections.truncated() };
  }

  const headLufs = check.headLoudness?.integratedLufs;
  return { ok: true, probe, headLufs: headLufs !== undefined && headLufs > -69.5 ? headLufs : undefined };
}

/** Runs the quick decode check on a probed input. */
export async function checkDecoding(
  binaries: FfmpegBinaries,
  input: string,
  probe: SourceProbe,
  headS = 30,
): Promise<Inspection> {
  const plan = buildDecodeCheckArgs(input, probe, { headS });
  let stderr: string;
  try {
    stderr = (await runTool(binaries.ffmpeg, plan.args, { timeoutMs: 120_000 })).stderr;
  } catch (error) {
    if (error instanceof ToolRunError && error.exitCode !== null) {
      return { ok: false, rejection: rejections.unreadable() };
    }
    throw error;
  }
  return judgeDecodeCheck({
    probe,
    headS,
    head: parseAstats(stderr, FILTER_IDS.headStats),
    headLoudness: parseEbur128Summary(stderr, FILTER_IDS.headLoudness),
    tail: plan.readsTail ? parseAstats(stderr, FILTER_IDS.tailStats) : undefined,
    readsTail: plan.readsTail,
  });
}

/**
 * Everything the upload route needs before accepting a file: ffprobe, the limits, and a quick
 * decode of its first and last seconds (damaged, cut-short and noise-only files are refused here,
 * not after minutes of processing). Takes about 0.1 s.
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
  const verdict = validateProbe(await probeFile(p.binaries, p.input), p.limits ?? DEFAULT_AUDIO_LIMITS);
  if (!verdict.ok) return verdict;
  return checkDecoding(p.binaries, p.input, verdict.probe);
}
