import { AudioRejectedError, type ProcessedAudio, type ProcessedAudioIntake } from '../domain/ports/audio.js';
import { StoreUnavailableError } from '../domain/ports/unavailable.js';
import { measureMp3, offTarget, type Mp3CheckOptions } from './mp3-check.js';
import { chunksOf } from './r2-store.js';
import type { Sha256Stream } from './sha256-stream.js';
import { rejections } from './rejection.js';

export interface ProcessedIntakeDeps extends Mp3CheckOptions {
  /** A stream of an upload, and its size as stored. */
  open(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>;
  /** A SHA-256 fed a chunk at a time. */
  sha256(): Sha256Stream;
  /**
   * Stores the upload as encoded audio under its SHA-256, copied as a stream and checked against what
   * was measured (`expected`); `created` when it was not there before.
   */
  putAsset(
    key: string,
    ext: 'mp3',
    expected: { readonly sha256: string; readonly bytes: number },
  ): Promise<{ created: boolean }>;
  removeAsset(sha256: string, ext: 'mp3'): Promise<void>;
  /** Whether saved content uses this audio: its measurements are stored (`saveAsset`). */
  isSaved(sha256: string): Promise<boolean>;
}

/**
 * Takes an MP3 processed elsewhere (the uploader's browser, a processing node) after decoding and
 * measuring it here: off target, not an MP3 or not audio, it is refused and nothing is stored; on
 * target, it is stored content-addressed and described as the pipeline describes its own output, and
 * removed again when it is released without saved content using it.
 */
export function createProcessedIntake(deps: ProcessedIntakeDeps): ProcessedAudioIntake {
  // What each take stored, from which upload, and whether it wrote the file itself, until it is released.
  const taken = new WeakMap<
    ProcessedAudio,
    { readonly key: string; readonly stored: { sha256: string; bytes: number }; readonly created: boolean }
  >();
  return {
    async take(key, targets): Promise<ProcessedAudio> {
      const upload = await deps.open(key);
      if (!upload || upload.size === 0) throw new AudioRejectedError(rejections.empty());
      // Read once as a stream, measured and hashed as it goes: an upload may be as large as the
      // isolate's memory, and the MP3 is stored from the upload afterwards, a part at a time.
      const hash = deps.sha256();
      let read = 0;
      async function* hashed() {
        for await (const chunk of chunksOf(upload!.body)) {
          read += chunk.length;
          await hash.write(chunk);
          yield chunk;
        }
      }
      const measured = await measureMp3(hashed(), deps);
      if (!measured.ok) throw new AudioRejectedError(measured.rejection);
      const off = offTarget(measured.measure, targets);
      if (off) throw new AudioRejectedError(off);
      if (read !== upload.size)
        throw new StoreUnavailableError('media', `R2 gave ${read} of the ${upload.size} bytes of ${key}`);
      const { measure } = measured;
      const stored = { sha256: await hash.hex(), bytes: read };
      const { created } = await deps.putAsset(key, 'mp3', stored);
      const audio: ProcessedAudio = {
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
      taken.set(audio, { key, stored, created });
      return audio;
    },

    async release(made) {
      const mine = taken.get(made);
      taken.delete(made);
      if (!mine) return;
      const { key, stored, created } = mine;
      // Two uploads of the very same bytes are one object: one refused may remove it while the other
      // commits. Each side puts it back from its own upload (still there while it is released) once it
      // sees saved content using it: the one committed after its commit, the one refused after removing.
      const putBackIfSaved = async () => {
        if (!(await deps.isSaved(stored.sha256))) return false;
        await deps.putAsset(key, 'mp3', stored);
        return true;
      };
      try {
        // Audio that was there before this take belongs to others.
        if ((await putBackIfSaved()) || !created) return;
        await deps.removeAsset(stored.sha256, 'mp3');
        await putBackIfSaved();
      } catch {
        // R2 or D1 down: the file stays unlisted, as it did before this removal was tried.
      }
    },
  };
}
