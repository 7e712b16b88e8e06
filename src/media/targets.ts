/** Loudness and encoding targets of a commune's audio (DESIGN.md, "Audio targets"). */
export interface AudioTargets {
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

export const DEFAULT_AUDIO_TARGETS: AudioTargets = {
  integratedLufs: -16,
  truePeakDbtp: -1.5,
  maxLraLu: 8,
  mp3BitrateK: 64,
  mp3SampleRate: 44100,
  opus: false,
  opusBitrateK: 24,
} as const;

/** Limits on accepted uploads beyond their byte size, which the upload route enforces. */
export interface AudioLimits {
  readonly maxDurationMs: number;
  readonly maxChannels: number;
}

export const DEFAULT_AUDIO_LIMITS: AudioLimits = {
  maxDurationMs: 90 * 60 * 1000,
  maxChannels: 8,
} as const;

/** Internal working format: every source is decoded once to this. */
export const WORK_SAMPLE_RATE = 48000;
