import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCronLease } from '../../src/db/d1/cron-lease.js';
import type { Env } from '../../src/worker.js';
import { runCronTrigger } from '../../src/worker-cron.js';
import { createHarness, type Harness } from './support/harness.js';

const db = (env as unknown as Env).DB;

/**
 * A Cron Trigger fires every minute whether the last run ended or not. A run that starts while another
 * one's dispatcher tick is still going (a slow tick, or an isolate killed mid-tick) leaves the tick to it.
 */
describe('Cron runs that overlap', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('ticks once when a second run starts during the first one’s tick, and again once it ended', async () => {
    let ticks = 0;
    let entered!: () => void;
    let finish!: () => void;
    const inTick = new Promise<void>((resolve) => (entered = resolve));
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const real = h.runtime.dispatcher;
    // The first tick stalls until the second run is over, as a tick held up by D1 or a feed would.
    const runtime = {
      ...h.runtime,
      dispatcher: {
        ...real,
        tick: async () => {
          if (++ticks === 1) {
            entered();
            await slow;
          }
          return real.tick();
        },
      },
    };
    const run = async (at: string) => {
      const ctx = createExecutionContext();
      // Each run with a lease of its own, as a run in another isolate has.
      await runCronTrigger(runtime, Date.parse(at), ctx, createCronLease(db));
      await waitOnExecutionContext(ctx);
    };

    const first = run('2026-11-27T04:01:00Z');
    await inTick;
    await run('2026-11-27T04:02:00Z');
    expect(ticks).toBe(1);
    finish();
    await first;

    // The first run let go of the lease: the next minute ticks.
    await run('2026-11-27T04:03:00Z');
    expect(ticks).toBe(2);
  });

  it('lets the lease of a run killed mid-tick run out, so a later run ticks', async () => {
    let now = Date.parse('2026-11-27T04:10:00Z');
    const clock = { now: () => now };
    const killed = await createCronLease(db, clock).take();
    expect(killed).not.toBeNull();
    now += 60_000;
    expect(await createCronLease(db, clock).take()).toBeNull();
    now += 31_000;
    const next = await createCronLease(db, clock).take();
    expect(next).not.toBeNull();
    await next!.release();
    await killed!.release();
    expect(
      await createCronLease(db)
        .take()
        .then((held) => held?.release().then(() => true)),
    ).toBe(true);
  });
});
