import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReceiverSyncRepository } from '../../src/db/repositories/receiver-sync.repository.js';
import { createReceiversRepository } from '../../src/db/repositories/receivers.repository.js';
import type { Database } from '../../src/db/schema.js';
import { createTestDatabase, dialects, openLoggedKysely, type TestDatabase } from '../support/databases.js';

const now = '2026-11-27T01:00:00.000Z';
const cutoff = '2026-10-28T01:00:00.000Z';
const minute = 60_000;
const at = (base: string, offsetMs: number) => new Date(Date.parse(base) + offsetMs).toISOString();

describe.each(dialects)('heartbeat retention in the receivers repository (%s)', (dialect) => {
  let database: TestDatabase;
  let kysely: Kysely<Database>;
  let sqlite: SqliteDatabase.Database | undefined;
  const queries: CompiledQuery[] = [];
  const deletes = () => queries.filter((q) => /^delete /i.test(q.sql));

  /** Inserts history rows directly, a thousand per statement; `times` are ISO instants. */
  async function insertHeartbeats(prefix: string, times: readonly string[]): Promise<void> {
    const rows = times.map((time, i) => ({
      id: `${prefix}-${String(i).padStart(6, '0')}`,
      receiver_id: i % 2 === 0 ? 'rx1' : 'rx2',
      at: time,
      volume: 80,
      uptime_s: 3600,
      free_bytes: 1_000_000,
      signal: -70,
      app_version: '1.0.0',
    }));
    for (let i = 0; i < rows.length; i += 1000) {
      await kysely
        .insertInto('receiver_heartbeats')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
  }

  const storedTimes = async () =>
    (await kysely.selectFrom('receiver_heartbeats').select('at').orderBy('at').orderBy('id').execute()).map(
      (r) => r.at,
    );

  const latestState = () =>
    kysely.selectFrom('receivers').select(['id', 'last_seen_at', 'last_state']).orderBy('id').execute();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ({ kysely, sqlite } = await openLoggedKysely(dialect, database, queries));
    await kysely
      .insertInto('communes')
      .values({
        id: 'c',
        name: 'Cốc San',
        code: '02746',
        province_code: '15',
        time_zone: 'Asia/Ho_Chi_Minh',
        settings: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await kysely
      .insertInto('hamlets')
      .values({
        id: 'un-ta',
        commune_id: 'c',
        name: 'Ún Tà',
        languages: '["vi","giay"]',
        lat: null,
        lon: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await kysely
      .insertInto('receivers')
      .values(
        ['rx1', 'rx2'].map((id) => ({
          id,
          hamlet_id: 'un-ta',
          name: id,
          token_hash: `hash-${id}`,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  });
  afterAll(async () => {
    await kysely.destroy();
    await database.drop();
  });
  beforeEach(async () => {
    await kysely.deleteFrom('receiver_heartbeats').execute();
    queries.length = 0;
  });

  it('deletes exactly the rows older than the cutoff, 5,000 per statement, and keeps newer rows and the latest state', async () => {
    // 11,000 rows a minute apart before the cutoff: two full batches and one partial.
    await insertHeartbeats(
      'old',
      Array.from({ length: 11_000 }, (_, i) => at(cutoff, -(i + 1) * minute)),
    );
    await insertHeartbeats('edge', [at(cutoff, -1), cutoff, at(cutoff, 1)]);
    // The newest beats go through the protocol's own path, which also sets the receivers' latest state.
    const sync = createReceiverSyncRepository(kysely, { boundParameters: 32_766 });
    for (const receiverId of ['rx1', 'rx2']) {
      await sync.saveHeartbeat({
        id: `now-${receiverId}`,
        receiverId,
        at: now,
        volume: 65,
        uptimeS: 120,
        freeBytes: 5_000_000,
        signal: -80,
        appVersion: '1.2.3',
        state: { volume: 65, appVersion: '1.2.3' },
      });
    }
    const stateBefore = await latestState();
    expect(stateBefore.every((r) => r.last_seen_at === now)).toBe(true);

    queries.length = 0;
    const repo = createReceiversRepository(kysely);
    expect(await repo.deleteHeartbeatsBefore(cutoff)).toBe(11_001);
    expect(deletes().map((q) => q.parameters)).toEqual([
      [cutoff, 5000],
      [cutoff, 5000],
      [cutoff, 5000],
    ]);
    expect(await storedTimes()).toEqual([cutoff, at(cutoff, 1), now, now]);
    expect(await latestState()).toEqual(stateBefore);

    queries.length = 0;
    expect(await repo.deleteHeartbeatsBefore(cutoff)).toBe(0);
    expect(deletes()).toHaveLength(1);
  });

  it('stops after maxRows, oldest first, and the next call goes on from there', async () => {
    const times = Array.from({ length: 25 }, (_, i) => at(cutoff, -(25 - i) * minute));
    await insertHeartbeats('old', times);
    const repo = createReceiversRepository(kysely);

    expect(await repo.deleteHeartbeatsBefore(cutoff, { batchSize: 10, maxRows: 15 })).toBe(15);
    expect(deletes().map((q) => q.parameters)).toEqual([
      [cutoff, 10],
      [cutoff, 5],
    ]);
    expect(await storedTimes()).toEqual(times.slice(15));

    queries.length = 0;
    expect(await repo.deleteHeartbeatsBefore(cutoff, { batchSize: 10, maxRows: 15 })).toBe(10);
    // A full batch cannot tell that nothing is left; the next statement finds out.
    expect(deletes().map((q) => q.parameters)).toEqual([
      [cutoff, 10],
      [cutoff, 5],
    ]);
    expect(await storedTimes()).toEqual([]);
  });

  it('refuses a batch size that would not bound the statement', async () => {
    const repo = createReceiversRepository(kysely);
    await expect(repo.deleteHeartbeatsBefore(cutoff, { batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(repo.deleteHeartbeatsBefore(cutoff, { batchSize: -1 })).rejects.toThrow(RangeError);
    expect(deletes()).toHaveLength(0);
  });

  it('finds the rows to delete through the index on at, not a table scan', async () => {
    await createReceiversRepository(kysely).deleteHeartbeatsBefore(cutoff);
    const query = deletes()[0]!;
    if (dialect === 'sqlite') {
      const plan = sqlite!
        .prepare(`explain query plan ${query.sql}`)
        .all(...(query.parameters as unknown[])) as { detail: string }[];
      const details = plan.map((p) => p.detail);
      expect(
        details.some((d) =>
          /SEARCH receiver_heartbeats USING .*INDEX receiver_heartbeats_at \(at<\?\)/.test(d),
        ),
      ).toBe(true);
      expect(details.some((d) => /^SCAN /.test(d))).toBe(false);
    } else {
      // Tables this small are cheaper to scan; forbidding scans shows which index the delete can use.
      const plan = await kysely.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const result = await conn.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        await sql`reset enable_seqscan`.execute(conn);
        return result.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/(Index (Only )?Scan using|Bitmap Index Scan on) receiver_heartbeats_at\b/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });
});
