import type { AnnouncementsRepository } from '../db/repositories/announcements.repository.js';
import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import { defaultAudioTargets, type AudioTargets } from '../domain/commune.js';
import type { AudioRejection, Clock, Logger } from '../domain/ports.js';
import type { JobContext, JobResult } from '../domain/jobs.js';

/** What the audio pipeline gives back for one processed source. */
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

/**
 * The audio work a variant needs, as a port: on Node it is ffmpeg and espeak-ng over the file store.
 * `process` stores its outputs content-addressed; it throws `AudioRejected` for input that will never work.
 */
export interface AudioWork {
  process(
    source:
      | { readonly kind: 'file'; readonly key: string }
      | { readonly kind: 'text'; readonly text: string; readonly voice: string; readonly language: string },
    targets: AudioTargets,
  ): Promise<ProcessedAudio>;
}

export class AudioRejected extends Error {
  override readonly name = 'AudioRejected';
  constructor(readonly rejection: AudioRejection) {
    super(rejection.messageEn);
  }
}

interface Deps {
  readonly announcements: AnnouncementsRepository;
  readonly communes: CommunesRepository;
  readonly audio: AudioWork;
  readonly clock: Clock;
  readonly logger: Logger;
}

const retryLater = 'Lỗi tạm thời khi xử lý âm thanh; hệ thống sẽ tự thử lại.';

/**
 * Turns one variant's source into broadcast audio. Idempotent: a variant that is already ready is skipped,
 * and the same output stored twice is one asset (content-addressed).
 */
export function createProcessVariantHandler(deps: Deps) {
  const { announcements, clock } = deps;
  return async function processVariant(data: { variantId: string }, job: JobContext): Promise<JobResult> {
    const variant = await announcements.findVariant(data.variantId);
    if (!variant) return { status: 'skipped', reason: 'variant no longer exists' };
    if (variant.status === 'ready') return { status: 'skipped', reason: 'already processed' };
    const now = () => clock.now().toISOString();
    await announcements.setVariantStatus(variant.id, 'processing', null, now());
    await announcements.refreshAnnouncementStatus(variant.announcementId, now());
    const announcement = await announcements.findAnnouncement(variant.announcementId);
    const commune = announcement && (await deps.communes.findCommune(announcement.communeId));
    const targets = commune?.settings.audio ?? defaultAudioTargets;
    try {
      const source =
        variant.sourceKind === 'text'
          ? {
              kind: 'text' as const,
              text: variant.text ?? '',
              voice: variant.voice ?? 'vi',
              language: variant.language,
            }
          : { kind: 'file' as const, key: variant.sourceKey ?? '' };
      const result = await deps.audio.process(source, targets);
      const stamp = now();
      for (const output of result.outputs) {
        await announcements.saveAsset(
          {
            sha256: output.sha256,
            format: output.format,
            bytes: output.bytes,
            durationMs: output.durationMs,
            integratedLufs: result.loudness.integratedLufs,
            truePeakDbtp: result.loudness.truePeakDbtp,
            lraLu: result.loudness.lraLu,
            sourceCodec: result.source.codec,
            sourceDurationMs: result.source.durationMs,
            sourceLufs: result.source.integratedLufs,
            peaks: result.peaks,
          },
          stamp,
        );
      }
      const mp3 = result.outputs.find((o) => o.format === 'mp3');
      if (!mp3) throw new Error('the pipeline produced no MP3');
      await announcements.setVariantAudio(
        variant.id,
        mp3.sha256,
        result.outputs.find((o) => o.format === 'opus')?.sha256 ?? null,
        stamp,
      );
      await announcements.refreshAnnouncementStatus(variant.announcementId, stamp);
      return { status: 'success' };
    } catch (error) {
      const rejected = error instanceof AudioRejected;
      const final = rejected || job.lastAttempt;
      const message = rejected
        ? error.rejection.message
        : final
          ? `Không xử lý được âm thanh: ${(error as Error).message}`
          : retryLater;
      deps.logger.warn(
        { variant: variant.id, attempt: job.attempt, err: (error as Error).message },
        'audio processing failed',
      );
      await announcements.setVariantStatus(
        variant.id,
        final ? 'failed' : 'queued',
        final ? message : null,
        now(),
      );
      await announcements.refreshAnnouncementStatus(variant.announcementId, now());
      return { status: 'failed', error: (error as Error).message, retry: !rejected };
    }
  };
}
