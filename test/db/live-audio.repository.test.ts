import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnouncementsRepository } from '../../src/db/repositories/announcements.repository.js';
import type { Database } from '../../src/db/schema.js';
import { createTestDatabase, dialects, openLoggedKysely, type TestDatabase } from '../support/databases.js';

/**
 * Every `GET /media/…` asks whether some live content still uses the file: one query, through indexes on
 * each column that names audio, however many versions and broadcasts the database holds.
 */
describe.each(dialects)('live audio lookup (%s)', (dialect) => {
  let database: TestDatabase;
  let kysely: Kysely<Database>;
  let sqlite: SqliteDatabase.Database | undefined;
  const queries: CompiledQuery[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ({ kysely, sqlite } = await openLoggedKysely(dialect, database, queries));
  });
  afterAll(async () => {
    await kysely.destroy();
    sqlite?.close();
    await database.drop();
  });

  it('is one query that reads the tables naming audio through their indexes only', async () => {
    queries.length = 0;
    expect(
      await createAnnouncementsRepository(kysely, { rowLocks: dialect === 'postgres' }).isAudioLive(
        'f'.repeat(64),
      ),
    ).toBe(false);
    expect(queries).toHaveLength(1);
    const query = queries[0]!;
    const indexes = [
      'announcement_variants_audio_sha256',
      'announcement_variants_opus_sha256',
      'broadcasts_lead_audio_sha256',
      'disaster_bulletins_header_sha256',
    ];
    if (dialect === 'sqlite') {
      const plan = (
        sqlite!.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as {
          detail: string;
        }[]
      ).map((p) => p.detail);
      for (const index of indexes) expect(plan.join('\n')).toContain(`USING INDEX ${index}`);
      // `SCAN CONSTANT ROW` is the FROM-less select the four EXISTS hang on, not a table.
      expect(plan.filter((d) => /^SCAN (?!CONSTANT ROW)/.test(d))).toEqual([]);
    } else {
      // Tables this small are cheaper to scan; forbidding scans shows which indexes the lookup can use.
      const plan = await kysely.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const result = await conn.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return result.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      for (const index of indexes) expect(plan).toContain(index);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });
});
