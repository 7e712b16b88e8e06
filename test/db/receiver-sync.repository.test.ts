import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverSyncRepository } from '../../src/db/repositories/receiver-sync.repository.js';
import type { Database } from '../../src/db/schema.js';
import { createTestDatabase, dialects, openLoggedKysely, type TestDatabase } from '../support/databases.js';

const now = '2026-11-27T01:00:00.000Z';

/** What the test databases can bind in one statement, well above what these tests name. */
const binds = { boundParameters: 32_766 };

/** An airing of broadcast `b`, a minute long. */
const airing = (id: string, hamletId: string, startsAt: string, status: 'scheduled' | 'cancelled') => ({
  id,
  broadcast_id: 'b',
  hamlet_id: hamletId,
  starts_at: startsAt,
  duration_ms: 60_000,
  priority: 'normal' as const,
  slot_name: null,
  status,
  created_at: now,
  updated_at: now,
});

describe.each(dialects)('receiver sync repository (%s)', (dialect) => {
  let database: TestDatabase;
  let kysely: Kysely<Database>;
  let sqlite: SqliteDatabase.Database | undefined;
  const queries: CompiledQuery[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ({ kysely, sqlite } = await openLoggedKysely(dialect, database, queries));
    const settings = JSON.stringify({});
    await kysely
      .insertInto('communes')
      .values({
        id: 'c',
        name: 'Cốc San',
        code: '02746',
        province_code: '15',
        time_zone: 'Asia/Ho_Chi_Minh',
        settings,
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
        schedule_version: 12,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await kysely
      .insertInto('hamlets')
      .values({
        id: 'thon-2',
        commune_id: 'c',
        name: 'Thôn 2',
        languages: '["vi"]',
        lat: null,
        lon: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await kysely
      .insertInto('users')
      .values({
        id: 'u',
        username: 'u',
        display_name: 'u',
        password_hash: 'x',
        role: 'admin',
        commune_id: 'c',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await kysely
      .insertInto('receivers')
      .values([
        { id: 'rx', hamlet_id: 'un-ta', name: 'A', token_hash: 'hash-a', created_at: now, updated_at: now },
        {
          id: 'rx-off',
          hamlet_id: 'un-ta',
          name: 'B',
          token_hash: 'hash-b',
          disabled_at: now,
          created_at: now,
          updated_at: now,
        },
      ])
      .execute();
    await kysely
      .insertInto('broadcasts')
      .values({
        id: 'b',
        commune_id: 'c',
        announcement_id: null,
        relay_url: 'https://r.vn/s',
        relay_duration_s: 60,
        hamlet_ids: '["un-ta","thon-2"]',
        schedule: '{}',
        priority: 'normal',
        created_by: 'u',
        created_at: now,
        booking_id: 'bk',
      })
      .execute();
    await kysely
      .insertInto('occurrences')
      .values([
        airing('o1', 'un-ta', '2026-11-27T02:00:00.000Z', 'scheduled'),
        airing('o2', 'un-ta', '2026-11-27T03:00:00.000Z', 'cancelled'),
        airing('o3', 'thon-2', '2026-11-27T02:00:00.000Z', 'scheduled'),
      ])
      .execute();
  });
  afterAll(async () => {
    await kysely.destroy();
    await database.drop();
  });

  it('finds an enabled receiver with its hamlet’s version and languages in one query', async () => {
    const repo = createReceiverSyncRepository(kysely, binds);
    queries.length = 0;
    expect(await repo.findReceiverSessionByTokenHash('hash-a')).toEqual({
      id: 'rx',
      tokenHash: 'hash-a',
      hamletId: 'un-ta',
      scheduleVersion: 12,
      languagesJson: '["vi","giay"]',
    });
    expect(queries).toHaveLength(1);
    expect(await repo.findReceiverSessionByTokenHash('hash-b')).toBeUndefined();
    expect(await repo.findReceiverSessionByTokenHash('nope')).toBeUndefined();
  });

  it('answers lookups made at the same moment from one query, each with its own device', async () => {
    const repo = createReceiverSyncRepository(kysely, binds);
    queries.length = 0;
    const found = await Promise.all(
      ['hash-a', 'hash-b', 'nope', 'hash-a'].map((h) => repo.findReceiverSessionByTokenHash(h)),
    );
    expect(found.map((s) => s?.id)).toEqual(['rx', undefined, undefined, 'rx']);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.parameters).toEqual(['hash-a', 'hash-b', 'nope']);
  });

  it('looks the token up through indexes only (no table scan)', async () => {
    const repo = createReceiverSyncRepository(kysely, binds);
    queries.length = 0;
    await repo.findReceiverSessionByTokenHash('hash-a');
    const query = queries[0]!;
    if (dialect === 'sqlite') {
      const plan = sqlite!
        .prepare(`explain query plan ${query.sql}`)
        .all(...(query.parameters as unknown[])) as { detail: string }[];
      const details = plan.map((p) => p.detail);
      expect(details.some((d) => /SEARCH r USING INDEX .*\(token_hash=\?\)/.test(d))).toBe(true);
      expect(details.some((d) => /SEARCH h USING INDEX .*\(id=\?\)/.test(d))).toBe(true);
      expect(details.some((d) => /^SCAN /.test(d))).toBe(false);
    } else {
      // Tables this small are cheaper to scan; forbidding scans shows which indexes the lookup can use.
      const plan = await kysely.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const result = await conn.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return result.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index Scan using receivers_token_hash_key on receivers r/);
      // Which of the hamlets' indexes is the planner's choice on tables this small (its key, or the live
      // names' partial index when the join is turned round); either way no table is read whole.
      expect(plan).toMatch(/Index (Only )?Scan using \w+ on hamlets h/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it('lists live occurrences of the window only', async () => {
    const repo = createReceiverSyncRepository(kysely, binds);
    const found = await repo.listManifestOccurrences(
      'un-ta',
      '2026-11-27T00:00:00.000Z',
      '2026-11-29T00:00:00.000Z',
    );
    expect(found.map((o) => [o.occurrenceId, o.relay])).toEqual([
      ['o1', { url: 'https://r.vn/s', durationS: 60 }],
    ]);
  });

  it('finds a booking’s due occurrences in the hamlets named, or the whole booking past what a statement binds', async () => {
    const dueBy = '2026-11-27T02:30:00.000Z';
    const found = (repo: ReturnType<typeof createReceiverSyncRepository>) =>
      repo
        .listDueBookingOccurrences('bk', dueBy, ['un-ta'])
        .then((rows) => rows.map((r) => [r.occurrence.occurrenceId, r.hamletId, r.languages]));
    queries.length = 0;
    expect(await found(createReceiverSyncRepository(kysely, binds))).toEqual([
      ['o1', 'un-ta', ['vi', 'giay']],
    ]);
    // The hamlet is named in the statement; the content is read once for the booking's broadcasts.
    expect(queries.filter((q) => /"o"\."hamlet_id" in/.test(q.sql))).toHaveLength(1);
    const [row] = await createReceiverSyncRepository(kysely, binds).listDueBookingOccurrences('bk', dueBy, [
      'un-ta',
    ]);
    expect(row!.occurrence).toMatchObject({ relay: { url: 'https://r.vn/s', durationS: 60 }, variants: [] });
    // A database that cannot bind them all: the booking's due occurrences, for the caller to sort out.
    expect(await found(createReceiverSyncRepository(kysely, { boundParameters: 10 }))).toEqual([
      ['o1', 'un-ta', ['vi', 'giay']],
      ['o3', 'thon-2', ['vi']],
    ]);
  });

  it('inserts each (receiver, event id) once and names only the new rows', async () => {
    const repo = createReceiverSyncRepository(kysely, binds);
    const row = (id: string, eventId: string) => ({
      id,
      receiverId: 'rx',
      eventId,
      occurrenceId: 'o1',
      type: 'started' as const,
      at: now,
      detail: null,
      sha256: null,
      receivedAt: now,
    });
    expect(await repo.insertPlaybackEvents([row('p1', 'e1'), row('p2', 'e2')])).toEqual(['e1', 'e2']);
    expect(await repo.insertPlaybackEvents([row('p3', 'e1'), row('p4', 'e2'), row('p5', 'e3')])).toEqual([
      'e3',
    ]);
    const stored = await kysely
      .selectFrom('playback_events')
      .select('event_id')
      .orderBy('event_id')
      .execute();
    expect(stored.map((r) => r.event_id)).toEqual(['e1', 'e2', 'e3']);
    await repo.setOccurrenceStatus(['o1', 'o2'], 'played', now);
    const statuses = await kysely.selectFrom('occurrences').select(['id', 'status']).orderBy('id').execute();
    expect(statuses).toEqual([
      { id: 'o1', status: 'played' },
      { id: 'o2', status: 'cancelled' },
      { id: 'o3', status: 'scheduled' },
    ]);
  });
});
