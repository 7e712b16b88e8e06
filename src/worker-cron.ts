import type { CronLease } from './db/d1/cron-lease.js';
import type { EdgeRuntime } from './worker.js';

/** What the Workers runtime hands a handler to keep work going after its answer. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The Cron Trigger's run: one dispatcher tick (series extended, missed airings marked, history pruned),
 * the webhooks due, and at the top of each hour the originals that no version took (a Worker stopped
 * between storing one and committing it, or a removal that failed), as a Node worker sweeps at start.
 * Each part runs whatever became of the ones before: a tick that found D1 busy must not hold back the
 * minute's webhooks, nor the hour's sweep. A part that failed is logged, and makes the run fail. The
 * tick runs under `lease`, so that a run that starts while another one's tick is still going leaves the
 * tick to it; the webhooks (leased one by one) and the sweep (idempotent) may overlap.
 */
export async function runCronTrigger(
  runtime: EdgeRuntime,
  scheduledTime: number,
  ctx: ExecutionContextLike,
  lease: CronLease,
): Promise<void> {
  const failures: unknown[] = [];
  const part = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      failures.push(error);
      runtime.logger.error({ err: error instanceof Error ? error.message : String(error) }, `${what} failed`);
    }
  };
  await part('dispatcher tick', async () => {
    const held = await lease.take();
    if (!held) return runtime.logger.info({}, 'dispatcher tick left to the Cron run that holds the lease');
    try {
      await runtime.dispatcher.tick();
    } finally {
      await held.release();
    }
  });
  await part('publishing events', () => runtime.settle());
  // Each minute's trigger makes the due attempts; leases keep two triggers from sending one twice.
  const sender = `cron-${crypto.randomUUID()}`;
  await part('sending webhooks', async () => {
    for (let n = -1; n !== 0;) n = await runtime.services.webhooks.deliverDue(sender);
  });
  if (new Date(scheduledTime).getUTCMinutes() === 0)
    await part('sweeping originals', () => runtime.services.audio.removeAbandonedOriginals(60 * 60_000));
  ctx.waitUntil(runtime.settle());
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} part(s) of the Cron Trigger's run failed`);
}
