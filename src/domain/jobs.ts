/**
 * Every job Loa runs, as a union of `{name, data}`. A `Record<JobName, Handler>` must cover them all, so a
 * job without a handler does not compile.
 */
export type JobItem =
  /** Turn one announcement variant's source (upload or text) into broadcast audio. */
  { readonly name: 'process-variant'; readonly data: { readonly variantId: string } };

export type JobName = JobItem['name'];
export type JobData<N extends JobName> = Extract<JobItem, { name: N }>['data'];

export type JobResult =
  | { readonly status: 'success' }
  /** `retry: false` for failures that will not go away by trying again (a file that is not audio). */
  | { readonly status: 'failed'; readonly error: string; readonly retry: boolean }
  | { readonly status: 'skipped'; readonly reason: string };

export interface JobContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** True on the last attempt: the handler records a final failure for people to see. */
  readonly lastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (data: JobData<N>, ctx: JobContext) => Promise<JobResult>;
export type JobHandlers = { readonly [N in JobName]: JobHandler<N> };
