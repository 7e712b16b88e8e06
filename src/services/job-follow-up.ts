import type { Clock } from '../domain/ports/clock.js';
import type { JobResult } from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { JobsRepository } from '../domain/ports/repositories.js';

/** 30 s, 1 min, 2 min … capped at one hour: a busy disk or a restarted ffmpeg gets time to recover. */
export function backoffMs(attempt: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * 30 s, 1 min, 2 min … capped at 10 minutes: a postponed job (a full disk) looks again at most 10
 * minutes after someone freed space, however long it has been waiting.
 */
export function postponeMs(attempt: number): number {
  return Math.min(600_000, backoffMs(attempt));
}

/** What became of a job's run: the label of its duration in the metrics. */
export type JobOutcome = 'postponed' | 'retry' | 'failed' | 'done';

/**
 * What becomes of a job once its handler answered, decided in one place for the job runner of a
 * process and for a processing node reporting over HTTP: postponed without spending the attempt,
 * retried after a back-off while attempts remain, else finished as done or failed.
 */
export async function settleJob(
  deps: { readonly jobs: JobsRepository; readonly clock: Clock; readonly logger: Logger },
  job: {
    readonly id: string;
    readonly name: string;
    readonly attempts: number;
    readonly maxAttempts: number;
  },
  workerId: string,
  result: JobResult,
): Promise<JobOutcome> {
  const { jobs, clock, logger } = deps;
  const now = () => clock.now().toISOString();
  const lease = { worker: workerId, attempt: job.attempts };
  if (result.status === 'postponed') {
    const runAt = new Date(clock.now().getTime() + postponeMs(job.attempts)).toISOString();
    await jobs.postponeJob(job.id, lease, result.reason, runAt, now());
    logger.warn(
      { job: job.id, name: job.name, attempt: job.attempts, reason: result.reason, runAt },
      'job postponed',
    );
    return 'postponed';
  } else if (result.status === 'failed' && result.retry && job.attempts < job.maxAttempts) {
    const runAt = new Date(clock.now().getTime() + backoffMs(job.attempts)).toISOString();
    await jobs.retryJobLater(job.id, lease, result.error, runAt, now());
    logger.warn(
      { job: job.id, name: job.name, attempt: job.attempts, error: result.error, runAt },
      'job will be retried',
    );
    return 'retry';
  } else {
    await jobs.finishJob(
      job.id,
      lease,
      result.status === 'failed' ? 'failed' : 'done',
      result.status === 'failed' ? result.error : null,
      now(),
    );
    logger.info({ job: job.id, name: job.name, status: result.status }, 'job finished');
    return result.status === 'failed' ? 'failed' : 'done';
  }
}
