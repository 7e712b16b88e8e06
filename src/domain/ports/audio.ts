import type { AudioTargets } from '../commune.js';

/** Why an input cannot become broadcast audio, in words a commune cadre can act on. */
export interface AudioRejection {
  readonly code: AudioRejectionCode;
  /** 413: too large; 415: not audio that can be read; 422: audio, but beyond the limits or empty. */
  readonly status: 413 | 415 | 422;
  /** Vietnamese, for the pages. */
  readonly message: string;
  readonly messageEn: string;
  /** Which case of the code it is, for logs and tests. */
  readonly reason?: 'truncated' | 'noise' | 'silent' | 'image' | 'video' | 'codec' | 'loudness' | 'peak';
}

export type AudioRejectionCode =
  | 'no_audio'
  | 'unreadable'
  | 'too_long'
  | 'too_many_channels'
  | 'empty'
  /** Sent as processed already (by the browser or a processing node), but not what the receivers need. */
  | 'not_processed';

/** Thrown by the audio adapters for input that will never become audio; trying again does not help. */
export class AudioRejectedError extends Error {
  override readonly name = 'AudioRejectedError';
  constructor(readonly rejection: AudioRejection) {
    super(rejection.messageEn);
  }
}

/** What ffprobe found in an accepted upload: kept with the variant, so processing does not probe again. */
export interface SourceProbe {
  readonly codec: string;
  readonly formatName: string;
  readonly durationMs: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitRate?: number;
  /**
   * Where `durationMs` comes from when the header did not give it: the packets were counted (a
   * browser's WebM carries no duration), or the decoded samples were (the header claimed less than
   * the file holds). Such a count stops past the limit, so it may be a lower bound.
   */
  readonly durationFrom?: 'packets' | 'decoded';
}

/** The outcome of the check at the door. */
export type Inspection =
  | {
      readonly ok: true;
      readonly probe: SourceProbe;
      /** Loudness of the first seconds, LUFS; undefined when they are silent. */
      readonly headLufs: number | undefined;
    }
  | { readonly ok: false; readonly rejection: AudioRejection };

/** An upload that passed the check: what processing starts from instead of probing again. */
export type AcceptedAudio = Extract<Inspection, { ok: true }>;

/** Checks an upload (ffprobe and a quick decode) before it is accepted: is it audio, within the limits? */
export interface AudioInspector {
  inspect(uploadKey: string): Promise<Inspection>;
}

/** What the audio work gives back for one processed source; its files are already in the media store. */
export interface ProcessedAudio {
  readonly source: {
    readonly codec: string;
    readonly durationMs: number;
    readonly integratedLufs: number | null;
  };
  readonly durationMs: number;
  readonly loudness: {
    readonly integratedLufs: number;
    readonly truePeakDbtp: number;
    readonly lraLu: number;
  };
  readonly peaks: readonly number[];
  readonly outputs: readonly {
    readonly format: 'mp3' | 'opus';
    readonly sha256: string;
    readonly bytes: number;
    readonly durationMs: number;
  }[];
}

export type AudioSource =
  | {
      readonly kind: 'file';
      readonly key: string;
      /** The inspection made at upload, reused so that the file is not probed twice. */
      readonly inspection?: AcceptedAudio | null | undefined;
    }
  | { readonly kind: 'text'; readonly text: string; readonly voice: string; readonly language: string };

/**
 * The audio work a variant needs, as a port: on Node, ffmpeg and espeak-ng over the media store.
 * Stores its outputs content-addressed; throws `AudioRejectedError` for input that will never work,
 * and `StorageFullError` (`media-store.ts`) when the media disk has no room for its work.
 */
export interface AudioWork {
  process(source: AudioSource, targets: AudioTargets): Promise<ProcessedAudio>;
}

/**
 * Audio processed elsewhere (levelled and encoded in the uploader's browser, or by a processing node):
 * measured against the commune's targets and, when it meets them, stored as the version's broadcast
 * audio. Throws `AudioRejectedError` (`not_processed`, 422) for a file that is not a mono MP3 at the
 * targets, so what reaches the receivers is held to one rule wherever it was made.
 */
export interface ProcessedAudioIntake {
  take(key: string, targets: AudioTargets): Promise<ProcessedAudio>;
  /**
   * Called once the use case that took `made` is over, whether it committed or not: the file `take`
   * wrote is removed unless it was stored already or saved content uses it by now, so a use case that
   * refused it, or whose unit of work failed, leaves nothing behind. Never throws.
   */
  release(made: ProcessedAudio): Promise<void>;
}
