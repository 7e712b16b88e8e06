import type { PendingBulletin } from '../disaster.js';

/**
 * Every job Loa runs, as a union of `{name, data}`. A `Record<JobName, Handler>` must cover them all, so a
 * job without a handler does not compile.
 */
export type JobItem =
  /** Turn one announcement variant's source (upload or text) into broadcast audio. */
  | { readonly name: 'process-variant'; readonly data: { readonly variantId: string } }
  /**
   * Speak a disaster bulletin's header where the process has no speech engine (the edge profile), then
   * put the bulletin on the air: the job's data is the bulletin as the officer issued it.
   */
  | { readonly name: 'speak-header'; readonly data: PendingBulletin };

/** A job's life in the queue. */
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type JobName = JobItem['name'];
export type JobData<N extends JobName> = Extract<JobItem, { name: N }>['data'];

export type JobResult =
  | { readonly status: 'success' }
  /** `retry: false` for failures that will not go away by trying again (a file that is not audio). */
  | { readonly status: 'failed'; readonly error: string; readonly retry: boolean }
  | { readonly status: 'skipped'; readonly reason: string }
  /**
   * The job could not run for a cause outside it that will pass (the media disk is full): it runs
   * again after a back-off, and the attempt is not spent, so waiting never makes it fail for good.
   */
  | { readonly status: 'postponed'; readonly reason: string };

export interface JobContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** True on the last attempt: the handler records a final failure for people to see. */
  readonly lastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (data: JobData<N>, ctx: JobContext) => Promise<JobResult>;
export type JobHandlers = { readonly [N in JobName]: JobHandler<N> };

/** Attempts a job gets before it fails for good (30 s, 1 min, 2 min, 4 min of back-off between them). */
export const JOB_MAX_ATTEMPTS = 5;

/**
 * The job runner as the use cases see it: jobs are rows written through `Repositories.jobs` inside the
 * unit of work that needs them (an outbox for free); once it has committed, `wake` tells the runner not
 * to wait for its next poll.
 */
export interface JobRunnerSignal {
  wake(): void;
}
