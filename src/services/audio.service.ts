import { canMove, rollUpStatus, type AudioInfo, type ProcessingStatus } from '../domain/announcement.js';
import { defaultAudioTargets, type AudioTargets } from '../domain/commune.js';
import {
  AudioRejectedError,
  type AudioSource,
  type AudioWork,
  type ProcessedAudio,
} from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { JobContext, JobResult } from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import { MissingSourceError, StorageFullError, type MediaStore } from '../domain/ports/media-store.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';

interface Deps {
  readonly repos: Pick<Repositories, 'announcements' | 'communes'>;
  readonly tx: UnitOfWork;
  readonly audio: AudioWork;
  readonly media: Pick<MediaStore, 'keptOriginals' | 'discard'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A version being processed, as the two halves of its processing know it. */
export interface VariantRef {
  readonly id: string;
  readonly announcementId: string;
}

const retryLater = 'Lỗi tạm thời khi xử lý âm thanh; hệ thống sẽ tự thử lại.';
/** Shown on the announcement while its job waits for room on the disk. */
const waitingForSpace =
  'Ổ đĩa đầy, đang chờ để xử lý lại. Tệp không bị lỗi; hãy báo cán bộ kỹ thuật giải phóng dung lượng.';

/** What the pipeline made, as the asset rows stored once per SHA-256 (MP3 and Opus of one source). */
export const assetsOf = (result: ProcessedAudio): readonly AudioInfo[] =>
  result.outputs.map((output) => ({
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
  }));

/**
 * Stores a version's broadcast audio and marks it ready, rolling the announcement's status up, inside
 * the caller's unit of work: the pipeline's output, a processing node's, or an MP3 levelled in the
 * uploader's browser are recorded alike.
 */
export async function recordProcessedAudio(
  r: Pick<Repositories, 'announcements'>,
  variantId: string,
  announcementId: string,
  result: ProcessedAudio,
  now: string,
): Promise<void> {
  const mp3 = result.outputs.find((o) => o.format === 'mp3');
  if (!mp3) throw new Error('the pipeline produced no MP3');
  for (const asset of assetsOf(result)) await r.announcements.saveAsset(asset, now);
  const opus = result.outputs.find((o) => o.format === 'opus')?.sha256 ?? null;
  await r.announcements.setVariantAudio(variantId, mp3.sha256, opus, now);
  const announcement = await r.announcements.findAnnouncement(announcementId);
  const rolled = rollUpStatus(announcement?.variants ?? []);
  await r.announcements.setAnnouncementStatus(announcementId, rolled.status, rolled.error, now);
}

/**
 * The audio lifecycle of an announcement's versions: queued → processing → ready | failed (and back to
 * queued for a retry). It owns those states and the announcement's status rolled up from them; the
 * job runner only calls `processVariant`.
 */
export function createAudioService(deps: Deps) {
  const { clock } = deps;

  /** Moves a version to `status` and rolls the announcement's status up from its versions, together. */
  /**
   * Moves a version (and rolls its announcement up); with `from`, only a version still in that state: a
   * run that ends after another finished the version changes nothing.
   */
  function moveTo(
    variantId: string,
    announcementId: string,
    status: ProcessingStatus,
    error: string | null,
    from?: ProcessingStatus,
  ) {
    return deps.tx(async (r) => {
      const now = clock.now().toISOString();
      if (!from) await r.announcements.setVariantStatus(variantId, status, error, now);
      else if (!(await r.announcements.moveVariantStatus(variantId, from, status, error, now))) return;
      const announcement = await r.announcements.findAnnouncement(announcementId);
      const rolled = rollUpStatus(announcement?.variants ?? []);
      await r.announcements.setAnnouncementStatus(announcementId, rolled.status, rolled.error, now);
    });
  }

  return {
    /**
     * Turns one version's source into broadcast audio. Idempotent: a version already ready is skipped,
     * and the same output stored twice is one asset (content-addressed). Input that will never work
     * fails at once with the reason in Vietnamese; anything else is retried by the job runner.
     */
    async processVariant(variantId: string, job: JobContext): Promise<JobResult> {
      const work = await this.startVariant(variantId);
      if (work.kind === 'skip') return work.result;
      // Every attempt so far ended with its worker (killed, out of memory): another would too.
      if (job.attempt > job.maxAttempts)
        return this.finishVariant(work.variant, job, new Error('the worker stopped during every attempt'));
      let outcome: ProcessedAudio | Error;
      try {
        outcome = await deps.audio.process(work.source, work.targets);
      } catch (error) {
        outcome = error instanceof Error ? error : new Error(String(error));
      }
      try {
        return await this.finishVariant(work.variant, job, outcome);
      } catch (error) {
        // The audio was made but could not be saved (the database): the version is told, as for any
        // failure, rather than left processing.
        if (outcome instanceof Error) throw error;
        return this.finishVariant(
          work.variant,
          job,
          error instanceof Error ? error : new Error(String(error)),
        );
      }
    },

    /**
     * The first half of processing a version, for whoever does the audio work (this process, or a
     * processing node the edge hands the job to): marks it processing and says what to make from
     * what, or why there is nothing to do.
     */
    async startVariant(variantId: string): Promise<
      | { readonly kind: 'skip'; readonly result: JobResult }
      | {
          readonly kind: 'work';
          readonly variant: VariantRef;
          readonly source: AudioSource;
          readonly targets: AudioTargets;
        }
    > {
      const variant = await deps.repos.announcements.findVariantWork(variantId);
      const skip = (reason: string) => ({
        kind: 'skip' as const,
        result: { status: 'skipped' as const, reason },
      });
      if (!variant) return skip('variant no longer exists');
      if (variant.status === 'ready') return skip('already processed');
      if (variant.status !== 'processing' && !canMove(variant.status, 'processing')) {
        return skip(`variant is ${variant.status}`);
      }
      await moveTo(variant.id, variant.announcementId, 'processing', null);
      const commune = await deps.repos.communes.findCommune(variant.communeId);
      const targets = commune?.settings.audio ?? defaultAudioTargets;
      const source: AudioSource =
        variant.sourceKind === 'text'
          ? {
              kind: 'text',
              text: variant.text ?? '',
              voice: variant.voice ?? 'vi',
              language: variant.language,
            }
          : { kind: 'file', key: variant.sourceKey ?? '', inspection: variant.inspection };
      return {
        kind: 'work',
        variant: { id: variant.id, announcementId: variant.announcementId },
        source,
        targets,
      };
    },

    /**
     * The second half: records the audio made for a version (ready), or what went wrong — a rejection
     * fails it at once with the reason in Vietnamese, a full disk makes it wait, anything else is
     * retried until the last attempt.
     */
    async finishVariant(
      variant: VariantRef,
      job: JobContext,
      outcome: ProcessedAudio | Error,
    ): Promise<JobResult> {
      const error = outcome instanceof Error ? outcome : undefined;
      if (!error) {
        const result = outcome as ProcessedAudio;
        await deps.tx((r) =>
          recordProcessedAudio(r, variant.id, variant.announcementId, result, clock.now().toISOString()),
        );
        return { status: 'success' };
      }
      if (error instanceof StorageFullError) {
        // Not the file's fault and not a failure: the job waits for room, however long it takes.
        deps.logger.warn(
          { variant: variant.id, attempt: job.attempt, err: error.message },
          'audio processing waits for space on the media disk',
        );
        await moveTo(variant.id, variant.announcementId, 'queued', waitingForSpace, 'processing');
        return { status: 'postponed', reason: error.message };
      }
      const rejected = error instanceof AudioRejectedError || error instanceof MissingSourceError;
      const final = rejected || job.lastAttempt;
      const message = rejected
        ? error instanceof MissingSourceError
          ? error.messageVi
          : error.rejection.message
        : final
          ? `Không xử lý được âm thanh: ${error.message}`
          : retryLater;
      deps.logger.warn(
        { variant: variant.id, attempt: job.attempt, err: error.message },
        'audio processing failed',
      );
      await moveTo(
        variant.id,
        variant.announcementId,
        final ? 'failed' : 'queued',
        final ? message : null,
        'processing',
      );
      return { status: 'failed', error: error.message, retry: !rejected };
    },

    /**
     * Whether `/media/{sha256}.…` may serve this audio: only while content neither withdrawn nor refused
     * uses it. The URL is public and content-addressed, so a withdrawn directive's recording would
     * otherwise stay downloadable (boxes, the listen-again feed) for as long as the file is kept.
     */
    isServed(sha256: string): Promise<boolean> {
      return deps.repos.announcements.isAudioLive(sha256);
    },

    /**
     * Removes the kept originals that no version holds and that were stored more than `olderThanMs`
     * ago: a process killed between keeping an upload and committing its announcement leaves one.
     * The bound spares an upload another instance is accepting right now (kept, not yet committed).
     * Returns how many were removed.
     */
    async removeAbandonedOriginals(olderThanMs: number): Promise<number> {
      let removed = 0;
      for await (const keys of deps.media.keptOriginals(olderThanMs)) {
        const inUse = new Set(await deps.repos.announcements.findSourceKeysInUse(keys));
        for (const key of keys) {
          if (inUse.has(key)) continue;
          await deps.media.discard(key);
          removed++;
        }
      }
      return removed;
    },
  };
}

export type AudioService = ReturnType<typeof createAudioService>;
