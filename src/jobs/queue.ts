import type { Clock } from '../domain/ports/clock.js';
import {
  JOB_MAX_ATTEMPTS,
  type JobHandlers,
  type JobItem,
  type JobName,
  type JobResult,
} from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { JobsRepository } from '../domain/ports/repositories.js';
import { backoffMs, postponeMs, settleJob } from '../services/job-follow-up.js';

export interface JobQueueOptions {
  readonly jobs: JobsRepository;
  readonly handlers: JobHandlers;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Jobs run at once; defaults to the number of cores at the Node entry. */
  readonly concurrency: number;
  /** How long a lease lasts without renewal (default 60 s); renewed every third of it while the job runs. */
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  /**
   * Who holds the leases. Stable across restarts (`WORKER_ID`), so that a restarted process takes
   * back at once the jobs its earlier self was running when it died.
   */
  readonly workerId: string;
  /** Told of each job run: its name, how it ended and how long it took in seconds (the metrics). */
  readonly observeJob?: (
    name: string,
    outcome: 'done' | 'failed' | 'retry' | 'postponed',
    seconds: number,
  ) => void;
}

/** Default lease: a dead worker's jobs are taken over by another within a minute. */
export const DEFAULT_LEASE_MS = 60_000;

export { backoffMs, postponeMs };

/**
 * The durable job queue: jobs live in the database, are leased with a short expiry that the running
 * worker renews (a crashed worker's jobs are taken over when the lease runs out, or at once by the
 * same worker restarted), retried with back-off, and idempotent by id.
 */
export function createJobQueue(options: JobQueueOptions) {
  const { jobs, clock, logger } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? JOB_MAX_ATTEMPTS;
  const running = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = true;

  async function runOne(job: {
    id: string;
    name: string;
    data: string;
    attempts: number;
    maxAttempts: number;
  }) {
    const handler = options.handlers[job.name as JobName];
    let result: JobResult;
    const started = performance.now();
    // Long jobs keep their lease alive so that no other worker takes them over. Three renewals fit in
    // a lease, so one that fails (a busy database) costs nothing: the job runs on, the next one renews.
    const keepAlive = setInterval(() => {
      jobs
        .extendLease(
          job.id,
          { worker: options.workerId, attempt: job.attempts },
          new Date(clock.now().getTime() + leaseMs).toISOString(),
        )
        .catch((error: unknown) =>
          logger.warn(
            { job: job.id, err: error instanceof Error ? error.message : String(error) },
            'job lease renewal failed',
          ),
        );
    }, leaseMs / 3);
    try {
      result = handler
        ? await handler(JSON.parse(job.data) as never, {
            jobId: job.id,
            attempt: job.attempts,
            maxAttempts: job.maxAttempts,
            lastAttempt: job.attempts >= job.maxAttempts,
          })
        : { status: 'failed', error: `no handler for job "${job.name}"`, retry: false };
    } catch (error) {
      result = {
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
        retry: true,
      };
    } finally {
      clearInterval(keepAlive);
    }
    const seconds = (performance.now() - started) / 1000;
    // The follow-up of every job is decided in one place, shared with processing nodes.
    const outcome = await settleJob({ jobs, clock, logger }, job, options.workerId, result);
    options.observeJob?.(job.name, outcome, seconds);
  }

  /**
   * Leases what is due and starts it, up to the concurrency; resolves with how many it started. Each job
   * that ends looks for the next at once, so a long recording holds one place, not the others.
   */
  async function runDue(): Promise<number> {
    const free = options.concurrency - running.size;
    if (free <= 0) return 0;
    const now = clock.now();
    const leased = await jobs.leaseDueJobs(
      options.workerId,
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      free,
    );
    for (const job of leased) {
      const p = runOne(job)
        .catch((error: Error) => logger.error({ job: job.id, err: error.message }, 'job bookkeeping failed'))
        .finally(() => {
          running.delete(p);
          schedule(0);
        });
      running.add(p);
    }
    return leased.length;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void runDue()
        .catch((error: Error) => logger.error({ err: error.message }, 'job polling failed'))
        .then((n) => schedule(n && running.size < options.concurrency ? 0 : 1000));
    }, delayMs);
  }

  return {
    /** Looks for due jobs now rather than at the next poll (a unit of work just enqueued one). */
    wake(): void {
      schedule(0);
    },

    /** Enqueues a job on its own, outside any unit of work (use cases write theirs in their own). */
    async enqueue(job: JobItem, opts: { id: string; runAt?: Date }): Promise<boolean> {
      const now = clock.now();
      const added = await jobs.enqueueJob(
        {
          id: opts.id,
          name: job.name,
          data: JSON.stringify(job.data),
          maxAttempts,
          runAt: (opts.runAt ?? now).toISOString(),
        },
        now.toISOString(),
      );
      schedule(0);
      return added;
    },

    /** Runs due jobs until none is left that is due now (tests and the CLI use this). */
    async drain(): Promise<void> {
      while ((await runDue()) > 0 || running.size > 0) {
        await Promise.all(running);
      }
    },

    /**
     * Takes back the jobs this worker id still holds (its earlier self died running them: their
     * leases may not have expired yet, and nobody else would run them before they do), then polls.
     */
    async start(): Promise<void> {
      const reclaimed = await jobs.reclaimLeases(options.workerId, clock.now().toISOString());
      if (reclaimed > 0) logger.warn({ worker: options.workerId, jobs: reclaimed }, 'jobs reclaimed');
      stopped = false;
      schedule(0);
    },

    /**
     * Takes no more jobs and waits for those running. With `handBackAfterMs`, it waits that long at
     * most, then hands the jobs still running back to the queue (queued, no lease) so that another
     * worker takes them at once instead of after their lease: a stopping process exits within a bound
     * and loses no job; what it had done of them is done again (handlers are idempotent).
     * Resolves with how many were handed back.
     */
    async stop(stopOptions: { readonly handBackAfterMs?: number } = {}): Promise<number> {
      stopped = true;
      clearTimeout(timer);
      if (stopOptions.handBackAfterMs === undefined) {
        await Promise.all(running);
        return 0;
      }
      let waiting: ReturnType<typeof setTimeout> | undefined;
      const finished = await Promise.race([
        Promise.all(running).then(() => true),
        new Promise<false>((r) => (waiting = setTimeout(() => r(false), stopOptions.handBackAfterMs))),
      ]);
      clearTimeout(waiting);
      if (finished) return 0;
      const handedBack = await jobs.reclaimLeases(options.workerId, clock.now().toISOString());
      if (handedBack > 0) logger.warn({ worker: options.workerId, jobs: handedBack }, 'jobs handed back');
      return handedBack;
    },

    /** Jobs this process is running now. */
    runningCount(): number {
      return running.size;
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
