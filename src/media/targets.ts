/** Loudness and encoding targets of a commune's audio (DESIGN.md, "Audio targets"). */
export interface EncodingTargets {
  /** Integrated loudness of every output, LUFS (EBU R128 / ITU-R BS.1770). */
  readonly integratedLufs: number;
  /** Highest true peak allowed in every output, dBTP. */
  readonly truePeakDbtp: number;
  /** Highest loudness range wanted, LU: outdoor horn speakers need evenly loud speech. */
  readonly maxLraLu: number;
  readonly mp3BitrateK: number;
  readonly mp3SampleRate: number;
  /** Also produce an Opus file for receivers on weak links. */
  readonly opus: boolean;
  readonly opusBitrateK: number;
}

export const DEFAULT_ENCODING_TARGETS: EncodingTargets = {
  integratedLufs: -16,
  truePeakDbtp: -1.5,
  maxLraLu: 8,
  mp3BitrateK: 64,
  mp3SampleRate: 44100,
  opus: false,
  opusBitrateK: 24,
} as const;

/**
 * The shortest audio processed. EBU R128 measures loudness over 400 ms blocks, so anything shorter has
 * none to level to (250–300 ms of tone were refused as silence after the whole pipeline had run); and
 * ffmpeg 5.1's `dynaudnorm` (Debian 12) crashed with SIGSEGV on some inputs of 5–200 ms, which a job
 * retried five times. A word spoken by espeak-ng lasts about 0.7 s, so one-word texts still pass.
 */
export const MIN_DURATION_MS = 500;

/** Limits on accepted uploads beyond their byte size, which the upload route enforces. */
export interface AudioLimits {
  readonly maxDurationMs: number;
  readonly maxChannels: number;
}

export const DEFAULT_AUDIO_LIMITS: AudioLimits = {
  maxDurationMs: 90 * 60 * 1000,
  maxChannels: 8,
} as const;

/**
 * How far past the duration limit a decode runs before it is stopped: far enough to tell a file over
 * the limit from one at it, near enough that a file whose header lies (an MP3 whose Xing frame count
 * or a FLAC whose STREAMINFO claims a second, holding hours) costs no more than the limit's worth of
 * decoding and of work files.
 */
export const DECODE_MARGIN_MS = 2000;

/**
 * Where every full decode of an input stops, in milliseconds of decoded audio.
 *
 * @example decodeCapMs(DEFAULT_AUDIO_LIMITS) // 5_402_000
 */
export function decodeCapMs(limits: AudioLimits): number {
  return limits.maxDurationMs + DECODE_MARGIN_MS;
}

/**
 * Whether a duration counted by a capped decode may have been cut by the cap, so that it is only a
 * lower bound of the real one.
 */
export function reachedDecodeCap(countedMs: number, limits: AudioLimits): boolean {
  return countedMs >= limits.maxDurationMs + DECODE_MARGIN_MS / 2;
}

/** Internal working format: every source is decoded once to this. */
export const WORK_SAMPLE_RATE = 48000;
