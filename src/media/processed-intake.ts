import { AudioRejectedError, type ProcessedAudio, type ProcessedAudioIntake } from '../domain/ports/audio.js';
import { measureMp3, offTarget, type Mp3CheckOptions } from './mp3-check.js';
import { rejections } from './rejection.js';

export interface ProcessedIntakeDeps extends Mp3CheckOptions {
  /** The whole of an upload (bounded by the upload limit). */
  read(key: string): Promise<Uint8Array | null>;
  /** Stores encoded audio under its SHA-256. */
  putAsset(bytes: Uint8Array, ext: 'mp3'): Promise<{ sha256: string; bytes: number }>;
}

/**
 * Takes an MP3 processed elsewhere (the uploader's browser, a processing node) after decoding and
 * measuring it here: off target, not an MP3 or not audio, it is refused and nothing is stored; on
 * target, it is stored content-addressed and described as the pipeline describes its own output.
 */
export function createProcessedIntake(deps: ProcessedIntakeDeps): ProcessedAudioIntake {
  return {
    async take(key, targets): Promise<ProcessedAudio> {
      const bytes = await deps.read(key);
      if (!bytes || bytes.length === 0) throw new AudioRejectedError(rejections.empty());
      const measured = await measureMp3(bytes, deps);
      if (!measured.ok) throw new AudioRejectedError(measured.rejection);
      const off = offTarget(measured.measure, targets);
      if (off) throw new AudioRejectedError(off);
      const { measure } = measured;
      const stored = await deps.putAsset(bytes, 'mp3');
      return {
        source: {
          codec: 'mp3',
          durationMs: measure.durationMs,
          integratedLufs: measure.loudness.integratedLufs,
        },
        durationMs: measure.durationMs,
        loudness: {
          integratedLufs: measure.loudness.integratedLufs,
          truePeakDbtp: measure.loudness.truePeakDbtp,
          lraLu: measure.loudness.lraLu,
        },
        peaks: measure.peaks,
        outputs: [
          { format: 'mp3', sha256: stored.sha256, bytes: stored.bytes, durationMs: measure.durationMs },
        ],
      };
    },
  };
}
