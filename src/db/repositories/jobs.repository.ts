import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { JobLease, JobsRepository, LeasedJob } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

/** An update of a job narrowed to the run that holds it: its worker and its attempt, still running. */
const held = <Q extends UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>>(
  query: Q,
  id: string,
  lease: JobLease,
): Q =>
  query
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('leased_by', '=', lease.worker)
    .where('attempts', '=', lease.attempt) as Q;

export function createJobsRepository(db: Kysely<Database>): JobsRepository {
  return {
    /** Adds a job unless one with this id exists: enqueueing twice is harmless. */
    async enqueueJob(
      job: { id: string; name: string; data: string; maxAttempts: number; runAt: string },
      now: string,
    ): Promise<boolean> {
      const result = await db
        .insertInto('jobs')
        .values({
          id: job.id,
          name: job.name,
          data: job.data,
          status: 'queued',
          max_attempts: job.maxAttempts,
          run_at: job.runAt,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /**
     * Claims up to `limit` due jobs for `worker`: queued ones whose time has come and running ones whose
     * lease expired (their worker died). The claim is a conditional UPDATE per row, so two workers on one
     * database never both win the same job, on SQLite and PostgreSQL alike.
     */
    async leaseDueJobs(
      worker: string,
      now: string,
      leaseUntil: string,
      limit: number,
    ): Promise<readonly LeasedJob[]> {
      const candidates = await db
        .selectFrom('jobs')
        .select(['id', 'status', 'lease_until'])
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(limit)
        .execute();
      const leased: LeasedJob[] = [];
      for (const candidate of candidates) {
        const row = await db
          .updateTable('jobs')
          .set((eb) => ({
            status: 'running',
            leased_by: worker,
            lease_until: leaseUntil,
            attempts: eb('attempts', '+', 1),
            updated_at: now,
          }))
          .where('id', '=', candidate.id)
          .where('status', '=', candidate.status)
          .where((eb) =>
            candidate.lease_until === null
              ? eb('lease_until', 'is', null)
              : eb('lease_until', '=', candidate.lease_until),
          )
          // Sent back for later by another worker since it was read: its back-off holds.
          .$if(candidate.status === 'queued', (q) => q.where('run_at', '<=', now))
          .returning(['id', 'name', 'data', 'attempts', 'max_attempts'])
          .executeTakeFirst();
        if (row) {
          leased.push({
            id: row.id,
            name: row.name,
            data: row.data,
            attempts: Number(row.attempts),
            maxAttempts: Number(row.max_attempts),
          });
        }
      }
      return leased;
    },

    async extendLease(id, lease, leaseUntil) {
      await held(db.updateTable('jobs').set({ lease_until: leaseUntil }), id, lease).execute();
    },

    async finishJob(id, lease, status, error, now) {
      await held(
        db.updateTable('jobs').set({ status, last_error: error, lease_until: null, updated_at: now }),
        id,
        lease,
      ).execute();
    },

    async retryJobLater(id, lease, error, runAt, now) {
      await held(
        db.updateTable('jobs').set({
          status: 'queued',
          last_error: error,
          run_at: runAt,
          lease_until: null,
          leased_by: null,
          updated_at: now,
        }),
        id,
        lease,
      ).execute();
    },

    async postponeJob(id, lease, reason, runAt, now) {
      await held(
        db.updateTable('jobs').set((eb) => ({
          status: 'queued',
          last_error: reason,
          run_at: runAt,
          lease_until: null,
          leased_by: null,
          max_attempts: eb('max_attempts', '+', 1),
          updated_at: now,
        })),
        id,
        lease,
      ).execute();
    },

    async reclaimLeases(worker, now) {
      const result = await db
        .updateTable('jobs')
        .set({ status: 'queued', lease_until: null, leased_by: null, updated_at: now })
        .where('status', '=', 'running')
        .where('leased_by', '=', worker)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async findJob(id) {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        row && {
          id: row.id,
          name: row.name,
          data: row.data,
          status: row.status,
          attempts: Number(row.attempts),
          maxAttempts: Number(row.max_attempts),
          lastError: row.last_error,
          runAt: row.run_at,
          leasedBy: row.leased_by,
        }
      );
    },

    async countJobsByStatus() {
      const rows = await db
        .selectFrom('jobs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },

    async countUnfinishedJobs(): Promise<number> {
      const row = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
