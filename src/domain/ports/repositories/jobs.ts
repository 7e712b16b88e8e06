import type { JobStatus } from '../jobs.js';

export interface LeasedJob {
  readonly id: string;
  readonly name: string;
  readonly data: string;
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** Who runs a job, and which attempt of it: a lease. */
export interface JobLease {
  readonly worker: string;
  readonly attempt: number;
}

export interface JobsRepository {
  /** Adds a job unless one with this id exists: enqueueing twice is harmless. */
  enqueueJob(
    job: { id: string; name: string; data: string; maxAttempts: number; runAt: string },
    now: string,
  ): Promise<boolean>;
  /**
   * Claims up to `limit` due jobs for `worker`: queued ones whose time has come and running ones whose
   * lease expired. Two workers never both win the same job.
   */
  leaseDueJobs(worker: string, now: string, leaseUntil: string, limit: number): Promise<readonly LeasedJob[]>;
  /*
   * The next four change a job only while `lease` still holds it: a run whose lease ran out and was
   * taken again (by another worker, or by the same worker id as a later attempt) changes nothing.
   */
  extendLease(id: string, lease: JobLease, leaseUntil: string): Promise<void>;
  finishJob(
    id: string,
    lease: JobLease,
    status: 'done' | 'failed',
    error: string | null,
    now: string,
  ): Promise<void>;
  retryJobLater(id: string, lease: JobLease, error: string, runAt: string, now: string): Promise<void>;
  /**
   * Puts a job the lease holds back in the queue until `runAt` without spending the attempt it just
   * made: it gets one attempt more (a full disk is nobody's failure).
   */
  postponeJob(id: string, lease: JobLease, reason: string, runAt: string, now: string): Promise<void>;
  /**
   * Puts every job leased by `worker` back in the queue, expired or not, and returns how many: called
   * by a restarted process with the same worker id, whose earlier self died holding them.
   */
  reclaimLeases(worker: string, now: string): Promise<number>;
  findJob(id: string): Promise<
    | {
        readonly id: string;
        readonly name: string;
        readonly data: string;
        readonly status: JobStatus;
        readonly attempts: number;
        readonly maxAttempts: number;
        readonly lastError: string | null;
        readonly runAt: string;
        readonly leasedBy: string | null;
      }
    | undefined
  >;
  countUnfinishedJobs(): Promise<number>;
  /** Jobs of every status (`queued`, `running`, `done`, `failed`), for the metrics. */
  countJobsByStatus(): Promise<Readonly<Record<string, number>>>;
}
