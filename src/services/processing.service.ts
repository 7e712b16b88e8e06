import { defaultAudioTargets, type AudioTargets } from '../domain/commune.js';
import { voiceLanguage } from '../domain/ports/tts.js';
import { LoaError, notFound } from '../domain/errors.js';
import { AudioRejectedError, type AudioRejection, type ProcessedAudioIntake } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { PendingBulletin } from '../domain/disaster.js';
import type { JobContext, JobResult, PendingSlotAlert } from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories } from '../domain/ports/repositories.js';
import type { AudioService } from './audio.service.js';
import type { CapAlertsService } from './cap-alerts.service.js';
import type { DisasterService } from './disaster.service.js';
import { settleJob } from './job-follow-up.js';

interface Deps {
  readonly repos: Pick<Repositories, 'jobs' | 'announcements' | 'communes'>;
  readonly audio: AudioService;
  /** Puts a bulletin whose header a node spoke on the air. */
  readonly disaster: Pick<DisasterService, 'headerSpoken'>;
  /** Books a priority CAP alert whose header a node spoke in the next slot. */
  readonly capAlerts: Pick<CapAlertsService, 'slotHeaderSpoken'>;
  readonly intake: ProcessedAudioIntake;
  /** A kept original, streamed to the node that processes it. */
  readonly openSource: (key: string) => Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a node holds a job without renewing it (default 60 s, as the job runner's leases). */
  readonly leaseMs?: number;
}

/** A job handed to a processing node: what to make, from what, to which targets, until when. */
export interface ProcessingLease {
  readonly jobId: string;
  readonly attempt: number;
  readonly leaseUntil: string;
  readonly targets: AudioTargets;
  readonly source:
    | { readonly kind: 'text'; readonly text: string; readonly voice: string; readonly language: string }
    /** The original is fetched from `…/jobs/{jobId}/source`. */
    | { readonly kind: 'file' };
}

/** What a node reports when it could not make the audio. */
export interface ProcessingFailure {
  readonly error: string;
  /** The node's pipeline refused the input for good (not audio, too long …): no retry helps. */
  readonly rejection?: AudioRejection | undefined;
}

/** Leases are held per node, so a node that restarts under its name finds its own jobs again. */
const holderOf = (node: string) => `node:${node}`;

const notHeld = (jobId: string) =>
  new LoaError(
    409,
    'lease_lost',
    `Job ${jobId} is not held by this node any more (its lease ran out and it went elsewhere, or it is done).`,
    'Việc xử lý này không còn thuộc máy xử lý này nữa.',
  );

/**
 * The edge profile's audio jobs, done by processing nodes (`loa worker --edge`) over HTTP: a node leases
 * a job, fetches its source, runs the Node pipeline and sends the MP3 back, which is measured here like
 * an upload processed in a browser before it becomes the version's audio. Failures and lost leases take
 * the job runner's follow-up (back-off, last attempt, postponement), decided in one place.
 */
export function createProcessingService(deps: Deps) {
  const { clock, repos } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const followUp = { jobs: repos.jobs, clock, logger: deps.logger };

  /** A job `node` holds: a version's audio, or a bulletin's header (`speak-header`). */
  async function held(node: string, jobId: string) {
    const job = await repos.jobs.findJob(jobId);
    if (!job) throw notFound('Job', jobId, 'việc xử lý');
    if (job.status !== 'running' || job.leasedBy !== holderOf(node)) throw notHeld(jobId);
    const ctx: JobContext = {
      jobId,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      lastAttempt: job.attempts >= job.maxAttempts,
    };
    if (job.name === 'speak-header') {
      return { kind: 'header' as const, job, ctx, pending: JSON.parse(job.data) as PendingBulletin };
    }
    if (job.name === 'speak-slot-header') {
      return { kind: 'slot-header' as const, job, ctx, pending: JSON.parse(job.data) as PendingSlotAlert };
    }
    const { variantId } = JSON.parse(job.data) as { variantId: string };
    const variant = await repos.announcements.findVariantWork(variantId);
    if (!variant) throw notFound('Variant', variantId, 'bản âm thanh');
    return { kind: 'variant' as const, job, variant, ctx };
  }
  type Held = Awaited<ReturnType<typeof held>>;

  /** The outcome recorded (a version's status, or the bulletin on the air) and the job's follow-up. */
  async function settle(
    node: string,
    h: Held,
    outcome: Parameters<AudioService['finishVariant']>[2],
  ): Promise<JobResult> {
    const result =
      h.kind === 'variant'
        ? await deps.audio.finishVariant(
            { id: h.variant.id, announcementId: h.variant.announcementId },
            h.ctx,
            outcome,
          )
        : h.kind === 'header'
          ? await headerOutcome(h.pending, h.ctx, outcome)
          : await slotHeaderOutcome(h.pending, h.ctx, outcome);
    await settleJob(followUp, { ...h.job, attempts: h.ctx.attempt }, holderOf(node), result);
    return result;
  }

  /**
   * A header made: the bulletin goes on the air. Its event ended meanwhile, or the content can no longer
   * be booked: the job fails for good with the reason in the log; a failed speech is tried again.
   */
  async function headerOutcome(
    pending: PendingBulletin,
    ctx: JobContext,
    outcome: Parameters<AudioService['finishVariant']>[2],
  ): Promise<JobResult> {
    const retry = !(outcome instanceof AudioRejectedError) && !ctx.lastAttempt;
    if (outcome instanceof Error) return { status: 'failed', error: outcome.message, retry };
    try {
      const bulletin = await deps.disaster.headerSpoken(pending, outcome);
      deps.logger.info({ job: ctx.jobId, bulletin: bulletin.id }, 'disaster bulletin on the air');
      return { status: 'success' };
    } catch (error) {
      if (!(error instanceof LoaError) || error.status >= 500) throw error;
      deps.logger.warn(
        { job: ctx.jobId, event: pending.eventId, code: error.code, reason: error.detail },
        'disaster bulletin not put on the air',
      );
      return { status: 'failed', error: error.detail, retry: false };
    }
  }

  /** A priority alert's header made: booked in the next slot, or left in review when it cannot be. */
  async function slotHeaderOutcome(
    pending: PendingSlotAlert,
    ctx: JobContext,
    outcome: Parameters<AudioService['finishVariant']>[2],
  ): Promise<JobResult> {
    const retry = !(outcome instanceof AudioRejectedError) && !ctx.lastAttempt;
    if (outcome instanceof Error) return { status: 'failed', error: outcome.message, retry };
    try {
      const state = await deps.capAlerts.slotHeaderSpoken(pending, outcome);
      deps.logger.info({ job: ctx.jobId, item: pending.itemId, state }, 'CAP alert header spoken');
      return { status: 'success' };
    } catch (error) {
      if (!(error instanceof LoaError) || error.status >= 500) throw error;
      // The slot is full or gone: the officer decides, as when it is full on Node.
      deps.logger.warn(
        { job: ctx.jobId, item: pending.itemId, reason: error.detail },
        'CAP alert left for review',
      );
      return { status: 'success' };
    }
  }

  const leaseOf = (
    job: { readonly id: string; readonly attempts: number },
    leaseUntil: string,
    work: Pick<ProcessingLease, 'targets' | 'source'>,
  ): ProcessingLease => ({ jobId: job.id, attempt: job.attempts, leaseUntil, ...work });

  return {
    /** The next due job for `node`, or null when there is none; jobs with nothing to do are closed here. */
    async lease(node: string): Promise<ProcessingLease | null> {
      for (;;) {
        const now = clock.now();
        const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
        const [job] = await repos.jobs.leaseDueJobs(holderOf(node), now.toISOString(), leaseUntil, 1);
        if (!job) return null;
        // Every attempt so far ended without a word from its node (it stopped, or lost its lease): the job
        // fails for good, as the job runner's does when its worker died in every attempt.
        const stopped = async () => {
          await settle(
            node,
            await held(node, job.id),
            new Error('the processing node stopped during every attempt'),
          );
        };
        if (job.name === 'speak-header' || job.name === 'speak-slot-header') {
          if (job.attempts > job.maxAttempts) {
            await stopped();
            continue;
          }
          const pending = JSON.parse(job.data) as PendingBulletin | PendingSlotAlert;
          const communeId = 'actor' in pending ? pending.actor.communeId : pending.communeId;
          const commune = await repos.communes.findCommune(communeId);
          deps.logger.info({ job: job.id, node }, 'bulletin header leased to a processing node');
          return leaseOf(job, leaseUntil, {
            targets: commune?.settings.audio ?? defaultAudioTargets,
            source: { kind: 'text', text: pending.headerText, voice: 'vi', language: voiceLanguage },
          });
        }
        const { variantId } = JSON.parse(job.data) as { variantId: string };
        const work = await deps.audio.startVariant(variantId);
        if (work.kind === 'skip') {
          await settleJob(followUp, job, holderOf(node), work.result);
          continue;
        }
        if (job.attempts > job.maxAttempts) {
          await stopped();
          continue;
        }
        deps.logger.info({ job: job.id, node, attempt: job.attempts }, 'job leased to a processing node');
        const { source } = work;
        return {
          jobId: job.id,
          attempt: job.attempts,
          leaseUntil,
          targets: work.targets,
          source:
            source.kind === 'text'
              ? { kind: 'text', text: source.text, voice: source.voice, language: source.language }
              : { kind: 'file' },
        };
      }
    },

    /** Keeps a long job's lease alive; 409 when it was lost. */
    async renew(node: string, jobId: string): Promise<{ leaseUntil: string }> {
      const { job } = await held(node, jobId);
      const leaseUntil = new Date(clock.now().getTime() + leaseMs).toISOString();
      await repos.jobs.extendLease(jobId, { worker: holderOf(node), attempt: job.attempts }, leaseUntil);
      return { leaseUntil };
    },

    /** The original recording of a job the node holds. */
    async source(node: string, jobId: string) {
      const h = await held(node, jobId);
      const key = h.kind === 'variant' ? h.variant.sourceKey : null;
      const opened = key ? await deps.openSource(key) : null;
      if (!opened) throw notFound('Source', jobId, 'bản ghi gốc');
      return opened;
    },

    /**
     * The MP3 a node made: measured here against the commune's targets and, on target, the version's
     * audio (ready). Off target, the attempt fails and is retried (the node erred, not the recording),
     * and the node is told why with 422.
     */
    async complete(node: string, jobId: string, uploadKey: string): Promise<{ status: 'ready' }> {
      const h = await held(node, jobId);
      const communeId =
        h.kind === 'variant'
          ? h.variant.communeId
          : h.kind === 'header'
            ? h.pending.actor.communeId
            : h.pending.communeId;
      const commune = await repos.communes.findCommune(communeId);
      try {
        const made = await deps.intake.take(uploadKey, commune?.settings.audio ?? defaultAudioTargets);
        try {
          await settle(node, h, made);
        } finally {
          // Not kept when the job could not use it (its bulletin's event ended, the lease was lost).
          await deps.intake.release(made);
        }
        return { status: 'ready' };
      } catch (error) {
        if (!(error instanceof AudioRejectedError)) throw error;
        await settle(
          node,
          h,
          new Error(`the processing node's MP3 was refused: ${error.rejection.messageEn}`),
        );
        const { status, code, messageEn, message } = error.rejection;
        throw new LoaError(status, code, messageEn, message);
      }
    },

    /** A node could not make the audio: a refusal of the input fails the version for good, else retried. */
    async fail(node: string, jobId: string, failure: ProcessingFailure): Promise<{ status: string }> {
      const h = await held(node, jobId);
      const outcome = failure.rejection
        ? new AudioRejectedError(failure.rejection)
        : new Error(failure.error);
      const result = await settle(node, h, outcome);
      return { status: result.status };
    },
  };
}

export type ProcessingService = ReturnType<typeof createProcessingService>;
