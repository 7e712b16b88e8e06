import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.node.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createJobsRepository } from '../../src/db/repositories/jobs.repository.js';
import { backoffMs, createJobQueue } from '../../src/jobs/queue.js';
import { settleJob } from '../../src/services/job-follow-up.js';
import type { JobContext, JobHandlers } from '../../src/domain/ports/jobs.js';
import type { JobsRepository } from '../../src/domain/ports/repositories.js';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.js';
import { createFakeClock } from '../support/fake-clock.js';

const logger = pino({ level: 'silent' });

describe.each(dialects)('durable job queue on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = connectDatabase(database.url, database.dataDir);
    await migrateToLatest(db.kysely);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  function queue(
    workerId: string,
    handlers: Pick<JobHandlers, 'process-variant'>,
    clock = createFakeClock(),
    {
      leaseMs = 60_000,
      jobs = createJobsRepository(db.kysely),
    }: { leaseMs?: number; jobs?: JobsRepository } = {},
  ) {
    // These tests queue only audio jobs; a header job here would be a mistake of the test.
    const all: JobHandlers = {
      ...handlers,
      'speak-header': async () => ({ status: 'failed', error: 'not in this test', retry: false }),
      'speak-slot-header': async () => ({ status: 'failed', error: 'not in this test', retry: false }),
    };
    return createJobQueue({ jobs, handlers: all, clock, logger, concurrency: 2, workerId, leaseMs });
  }

  const jobRow = (id: string) =>
    db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** Resolves when `condition` holds, checking every 10 ms for at most `ms` (real processes, real timers). */
  async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('runs a job once even when it is enqueued twice with the same id', async () => {
    const seen: string[] = [];
    const q = queue('w1', {
      'process-variant': async (data) => (seen.push(data.variantId), { status: 'success' }),
    });
    expect(await q.enqueue({ name: 'process-variant', data: { variantId: 'a' } }, { id: 'job-a' })).toBe(
      true,
    );
    expect(await q.enqueue({ name: 'process-variant', data: { variantId: 'a' } }, { id: 'job-a' })).toBe(
      false,
    );
    await q.drain();
    await q.drain();
    expect(seen).toEqual(['a']);
  });

  it('retries a failing job with back-off by the clock, and stops after the last attempt', async () => {
    const clock = createFakeClock();
    let calls = 0;
    const q = queue(
      'w2',
      { 'process-variant': async () => (calls++, { status: 'failed', error: 'disk busy', retry: true }) },
      clock,
    );
    await q.enqueue({ name: 'process-variant', data: { variantId: 'b' } }, { id: 'job-b' });
    await q.drain();
    expect(calls).toBe(1);
    await q.drain();
    expect(calls).toBe(1);
    for (let attempt = 1; attempt < 5; attempt++) {
      clock.advance(backoffMs(attempt));
      await q.drain();
    }
    expect(calls).toBe(5);
    clock.advance(24 * 3_600_000);
    await q.drain();
    expect(calls).toBe(5);
    const row = await db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', 'job-b')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', last_error: 'disk busy' });
    expect(Number(row.attempts)).toBe(5);
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(3)).toBe(120_000);
  });

  it('does not retry a job whose input will never work', async () => {
    let calls = 0;
    const q = queue('w3', {
      'process-variant': async () => (calls++, { status: 'failed', error: 'not audio', retry: false }),
    });
    await q.enqueue({ name: 'process-variant', data: { variantId: 'c' } }, { id: 'job-c' });
    await q.drain();
    const row = await db.kysely
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', 'job-c')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(calls).toBe(1);
  });

  it('takes over the job of a worker that died once its lease has expired', async () => {
    const clock = createFakeClock();
    const repo = createJobsRepository(db.kysely);
    await repo.enqueueJob(
      {
        id: 'job-d',
        name: 'process-variant',
        data: JSON.stringify({ variantId: 'd' }),
        maxAttempts: 5,
        runAt: clock.now().toISOString(),
      },
      clock.now().toISOString(),
    );
    // Worker "dead" leases the job and never finishes it.
    const leased = await repo.leaseDueJobs(
      'dead',
      clock.now().toISOString(),
      new Date(clock.now().getTime() + 60_000).toISOString(),
      10,
    );
    expect(leased.map((j) => j.id)).toContain('job-d');

    const seen: string[] = [];
    const survivor = queue(
      'survivor',
      { 'process-variant': async (data) => (seen.push(data.variantId), { status: 'success' }) },
      clock,
    );
    await survivor.drain();
    expect(seen).toEqual([]);
    clock.advance(61_000);
    await survivor.drain();
    expect(seen).toEqual(['d']);
    const row = await db.kysely
      .selectFrom('jobs')
      .select(['status', 'leased_by'])
      .where('id', '=', 'job-d')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'done', leased_by: 'survivor' });
  });

  it('postpones a job that waits for disk space without spending its attempts, however long it waits', async () => {
    const clock = createFakeClock();
    const seen: JobContext[] = [];
    let diskFull = true;
    const q = queue(
      'w-wait',
      {
        'process-variant': async (_, ctx) => {
          seen.push(ctx);
          return diskFull ? { status: 'postponed', reason: 'media disk full' } : { status: 'success' };
        },
      },
      clock,
    );
    await q.enqueue({ name: 'process-variant', data: { variantId: 'e' } }, { id: 'job-e' });
    const waits: number[] = [];
    // Twice as many waits as the job has attempts: none of them fails it.
    for (let round = 1; round <= 10; round++) {
      await q.drain();
      expect(seen).toHaveLength(round);
      const row = await jobRow('job-e');
      expect(row).toMatchObject({ status: 'queued', last_error: 'media disk full', leased_by: null });
      waits.push(Date.parse(row.run_at) - clock.now().getTime());
      // Not due again before its back-off has passed.
      await q.drain();
      expect(seen).toHaveLength(round);
      clock.advance(waits.at(-1)!);
    }
    // 30 s, 1 min, 2 min … and never more than 10 minutes: freed space is noticed soon.
    expect(waits).toEqual([30, 60, 120, 240, 480, 600, 600, 600, 600, 600].map((s) => s * 1000));
    expect(seen.every((ctx) => !ctx.lastAttempt)).toBe(true);

    diskFull = false;
    await q.drain();
    const done = await jobRow('job-e');
    expect(done.status).toBe('done');
    expect(Number(done.attempts)).toBe(11);
    // The five attempts it had are all still there after its ten waits.
    expect(Number(done.max_attempts) - 10).toBe(5);
  });

  it('gives a restarted worker its own jobs back at once, before their lease runs out', async () => {
    const clock = createFakeClock();
    const repo = createJobsRepository(db.kysely);
    await repo.enqueueJob(
      {
        id: 'job-f',
        name: 'process-variant',
        data: JSON.stringify({ variantId: 'f' }),
        maxAttempts: 5,
        runAt: clock.now().toISOString(),
      },
      clock.now().toISOString(),
    );
    // The earlier life of worker "box-1" leased it for a minute and was killed.
    const until60s = new Date(clock.now().getTime() + 60_000).toISOString();
    expect(
      (await repo.leaseDueJobs('box-1', clock.now().toISOString(), until60s, 10)).map((j) => j.id),
    ).toContain('job-f');
    clock.advance(5_000);

    // Another worker leaves it alone: its lease still runs.
    const other = queue('box-2', { 'process-variant': async () => ({ status: 'success' }) }, clock);
    await other.drain();
    expect(await jobRow('job-f')).toMatchObject({ status: 'running', leased_by: 'box-1' });

    // The same worker id, started again, runs it at once.
    const ran: string[] = [];
    const restarted = queue(
      'box-1',
      { 'process-variant': async (data) => (ran.push(data.variantId), { status: 'success' }) },
      clock,
    );
    await restarted.start();
    try {
      await until(async () => (await jobRow('job-f')).status === 'done');
    } finally {
      await restarted.stop();
    }
    expect(ran).toEqual(['f']);
    const row = await jobRow('job-f');
    expect(row).toMatchObject({ status: 'done', leased_by: 'box-1' });
    expect(Number(row.attempts)).toBe(2);
  });

  it('keeps a short lease alive while the job runs, and a renewal that fails stops nobody', async () => {
    const clock = createFakeClock();
    const real = createJobsRepository(db.kysely);
    let renewals = 0;
    // The database refuses the first renewal (busy, a dropped connection), as it may in production.
    const jobs: JobsRepository = {
      ...real,
      extendLease: async (...args) => {
        renewals++;
        if (renewals === 1) throw new Error('database is locked');
        return real.extendLease(...args);
      },
    };
    const leaseMs = 300;
    let finish!: () => void;
    const release = new Promise<void>((r) => (finish = r));
    const calls: string[] = [];
    const q = queue(
      'w-alive',
      {
        'process-variant': async (data) => (calls.push(data.variantId), await release, { status: 'success' }),
      },
      clock,
      { leaseMs, jobs },
    );
    await q.enqueue({ name: 'process-variant', data: { variantId: 'g' } }, { id: 'job-g' });
    // Left unhandled, a failed renewal would end the whole process (Node's default for rejections).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const draining = q.drain();
    await until(() => renewals >= 1);
    // Past the first lease: only a renewal after the failed one keeps the job from being taken over.
    clock.advance(leaseMs * 2);
    await until(() => renewals >= 3);
    const row = await jobRow('job-g');
    expect(Date.parse(row.lease_until!)).toBeGreaterThan(clock.now().getTime());
    const thief = queue(
      'w-thief',
      { 'process-variant': async () => (calls.push('stolen'), { status: 'success' }) },
      clock,
      {
        leaseMs,
      },
    );
    await thief.drain();
    finish();
    await draining;
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(calls).toEqual(['g']);
    expect(await jobRow('job-g')).toMatchObject({ status: 'done', leased_by: 'w-alive' });
  });

  it('takes a job queued by another process while a long one runs, up to its concurrency', async () => {
    const clock = createFakeClock();
    let finish!: () => void;
    const long = new Promise<void>((r) => (finish = r));
    const started: string[] = [];
    const q = queue(
      'w-busy',
      {
        'process-variant': async (data) => {
          started.push(data.variantId);
          if (data.variantId === 'long') await long;
          return { status: 'success' };
        },
      },
      clock,
    );
    await q.enqueue({ name: 'process-variant', data: { variantId: 'long' } }, { id: 'job-long' });
    await q.start();
    await until(() => started.includes('long'));
    // Written by a serve: this worker hears of it only by looking for due jobs.
    await createJobsRepository(db.kysely).enqueueJob(
      {
        id: 'job-short',
        name: 'process-variant',
        data: JSON.stringify({ variantId: 'short' }),
        maxAttempts: 3,
        runAt: clock.now().toISOString(),
      },
      clock.now().toISOString(),
    );
    await until(async () => (await jobRow('job-short')).status === 'done', 3000);
    expect((await jobRow('job-long')).status).toBe('running');
    finish();
    await q.stop();
    expect((await jobRow('job-long')).status).toBe('done');
  });

  it('lets a run whose lease ran out change nothing once the job was taken again, by the same worker id too', async () => {
    const clock = createFakeClock();
    const repo = createJobsRepository(db.kysely);
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    // Alone in the queue: the jobs earlier tests left running fall due at these fake times too, and ten of
    // them, older, would fill a lease of ten before this one.
    await db.kysely.deleteFrom('jobs').execute();
    await repo.enqueueJob(
      { id: 'stale', name: 'process-variant', data: '{}', maxAttempts: 5, runAt: at(0) },
      at(0),
    );
    const take = async (worker: string) => {
      const leased = await repo.leaseDueJobs(worker, at(0), at(60_000), 10);
      return leased.find((j) => j.id === 'stale')!;
    };
    // W's first run stalls past its lease; V takes the job and sends it back for later; W takes it again.
    const first = await take('w');
    clock.advance(61_000);
    const byV = await take('v');
    await settleJob({ jobs: repo, clock, logger }, { ...byV, name: 'process-variant' }, 'v', {
      status: 'failed',
      error: 'ffmpeg crashed',
      retry: true,
    });
    clock.advance(60 * 60_000);
    const third = await take('w');
    expect(third.attempts).toBe(3);

    // The first run ends now: neither its result nor its renewal touches the third.
    await repo.extendLease('stale', { worker: 'w', attempt: first.attempts }, at(10 * 60_000));
    for (const result of [
      { status: 'failed', error: 'late failure', retry: true },
      { status: 'success' },
    ] as const) {
      await settleJob({ jobs: repo, clock, logger }, { ...first, name: 'process-variant' }, 'w', result);
    }
    expect(await jobRow('stale')).toMatchObject({ status: 'running', attempts: 3, lease_until: at(60_000) });
    await settleJob({ jobs: repo, clock, logger }, { ...third, name: 'process-variant' }, 'w', {
      status: 'success',
    });
    expect((await jobRow('stale')).status).toBe('done');
  });

  it('never gives one job to two workers', async () => {
    const clock = createFakeClock();
    const repo = createJobsRepository(db.kysely);
    for (let i = 0; i < 20; i++) {
      await repo.enqueueJob(
        {
          id: `race-${i}`,
          name: 'process-variant',
          data: '{}',
          maxAttempts: 1,
          runAt: clock.now().toISOString(),
        },
        clock.now().toISOString(),
      );
    }
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    const [a, b] = await Promise.all([
      repo.leaseDueJobs('a', clock.now().toISOString(), until, 20),
      repo.leaseDueJobs('b', clock.now().toISOString(), until, 20),
    ]);
    const ids = [...a, ...b].map((j) => j.id).filter((id) => id.startsWith('race-'));
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});
