import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioTargets } from '../domain/commune.js';
import {
  AudioRejectedError,
  type AcceptedAudio,
  type AudioInspector,
  type AudioWork,
  type ProcessedAudio,
} from '../domain/ports/audio.js';
import { MissingSourceError } from '../domain/ports/media-store.js';
import { isTtsVoice, type TtsEngine } from '../domain/ports/tts.js';
import type { FfmpegBinaries } from './ffmpeg-binaries.js';
import type { FileMediaStore } from './file-store.node.js';
import { processAudio } from './pipeline.js';
import { inspectAudio } from './inspect.js';
import { asStorageFull, writing } from './storage-full.js';
import { DEFAULT_ENCODING_TARGETS } from './targets.js';

interface Deps {
  readonly binaries: Promise<FfmpegBinaries>;
  readonly media: FileMediaStore;
}

/**
 * ffprobe and a quick decode at the door: an upload that is not audio, is damaged, or is beyond the limits
 * is refused before the 202.
 */
export function createNodeInspector({ binaries, media }: Deps): AudioInspector {
  return {
    async inspect(uploadKey) {
      return inspectAudio({ input: media.pathOf(uploadKey), binaries: await binaries });
    },
  };
}

/**
 * The audio pipeline on Node: espeak-ng for texts, ffmpeg for everything, outputs into the file store.
 * `process` throws `AudioRejectedError` for input that will never work, and `StorageFullError`
 * (the kernel's, `retryable`) when a write on the way found the disk full.
 */
export function createNodeAudioWork({ binaries, media, tts }: Deps & { readonly tts: TtsEngine }): AudioWork {
  return {
    async process(source, communeTargets: AudioTargets): Promise<ProcessedAudio> {
      const workDir = await media.makeWorkFolder();
      try {
        let input: string;
        let inspection: AcceptedAudio | null | undefined;
        if (source.kind === 'text') {
          input = join(workDir, 'speech.wav');
          const voice = isTtsVoice(source.voice) ? source.voice : 'vi';
          const wav = await tts.synthesize(source.text, { voice });
          await writing('writing the spoken text', () => writeFile(input, wav));
        } else {
          input = await media.localSource(source.key, workDir);
          inspection = source.inspection;
        }
        const targets = { ...DEFAULT_ENCODING_TARGETS, ...communeTargets };
        const result = await processAudio({ input, workDir, targets, inspection, binaries: await binaries });
        const outputs = [];
        for (const output of result.outputs) {
          const stored = await media.putAsset(output.path, output.format);
          outputs.push({
            format: output.format,
            sha256: stored.sha256,
            bytes: stored.bytes,
            durationMs: output.durationMs,
          });
        }
        return {
          source: {
            codec: result.source.codec,
            durationMs: result.source.durationMs,
            integratedLufs: result.source.integratedLufs ?? null,
          },
          durationMs: result.durationMs,
          loudness: result.loudness,
          peaks: result.peaks,
          outputs,
        };
      } catch (error) {
        if (error instanceof AudioRejectedError || error instanceof MissingSourceError) throw error;
        throw asStorageFull(error, 'processing audio');
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}
