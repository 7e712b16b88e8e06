import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.node.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createJobsRepository } from '../../src/db/repositories/jobs.repository.js';
import { backoffMs, createJobQueue } from '../../src/jobs/queue.js';
import type { JobHandlers } from '../../src/domain/ports/jobs.js';
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

  function queue(workerId: string, handlers: JobHandlers, clock = createFakeClock()) {
    return createJobQueue({
      jobs: createJobsRepository(db.kysely),
      handlers,
      clock,
      logger,
      concurrency: 2,
      workerId,
      leaseMs: 60_000,
    });
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
