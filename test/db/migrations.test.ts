import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readFileSync } from 'node:fs';
import { connectDatabase } from '../../src/db/connect.node.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createUnitOfWork } from '../../src/db/repositories/index.js';
import { createAuditTrail } from '../../src/services/audit.service.js';
import { createSeedService } from '../../src/services/seed/seed.service.js';
import { scryptHasher } from '../../src/crypto/passwords.node.js';
import { webIds } from '../../src/domain/ports/ids.js';
import { parseCommuneFile } from '../../src/services/seed/commune-file.js';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.js';
import { createFakeClock } from '../support/fake-clock.js';

const tables = [
  'communes',
  'hamlets',
  'users',
  'user_hamlets',
  'sessions',
  'receivers',
  'announcements',
  'announcement_variants',
  'bulletins',
  'bulletin_deliveries',
  'audio_assets',
  'broadcasts',
  'occurrences',
  'playback_events',
  'receiver_heartbeats',
  'jobs',
  'audit_log',
  'webhook_endpoints',
  'webhook_events',
  'webhook_deliveries',
  'webhook_attempts',
  'receiver_commands',
  'receiver_alarms',
  'receiver_hamlet_stretches',
] as const;

const communeFile = parseCommuneFile(
  'schedules/coc-san.json',
  readFileSync(new URL('../../schedules/coc-san.json', import.meta.url), 'utf8'),
);

describe.each(dialects)('database on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = connectDatabase(database.url, database.dataDir);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('migrates an empty database to the newest schema, and again is a no-op', async () => {
    expect(await migrateToLatest(db.kysely)).toEqual([
      '0001-initial',
      '0002-commune-settings-edits',
      '0003-receiver-heartbeats-at',
      '0004-variant-probe',
      '0005-series-next-start',
      '0006-variant-approval',
      '0007-variant-source-key',
      '0008-announcement-withdrawal',
      '0009-provinces',
      '0010-playback-audio-sha256',
      '0011-series-skips',
      '0014-province-platform',
      '0016-bulletins',
      '0018-receiver-commands-alarms',
      '0019-receiver-alarms-one-open',
      '0020-disaster-bulletins',
      '0021-cap-alerts',
      '0022-broadcast-bookings',
      '0023-rate-limits',
      '0024-receiver-off-periods',
      '0025-receiver-arrivals',
      '0026-idempotency-keys',
      '0027-announcement-idempotency-key',
      '0028-audio-in-use',
      '0029-username-key',
      '0030-hamlet-name-key',
      '0032-commune-settings-version',
      '0033-receiver-hamlet-stretches',
      '0034-bulletin-placement-due',
    ]);
    expect(await migrateToLatest(db.kysely)).toEqual([]);
    for (const table of tables) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
        db.kysely,
      );
      expect(Number(rows[0]?.n), table).toBe(0);
    }
  });

  it('enforces foreign keys', async () => {
    await expect(
      db.kysely
        .insertInto('hamlets')
        .values({
          id: 'orphan',
          commune_id: 'no-such-commune',
          name: 'x',
          languages: '[]',
          lat: null,
          lon: null,
          created_at: 'x',
          updated_at: 'x',
        })
        .execute(),
    ).rejects.toThrow(/foreign key/i);
  });

  it('seeds the commune idempotently and keeps what users changed', async () => {
    const clock = createFakeClock();
    const seed = createSeedService({
      tx: createUnitOfWork(db),
      audit: createAuditTrail({ clock, ids: webIds }),
      clock,
      ids: webIds,
      passwords: scryptHasher,
    });
    const first = await seed.applyCommuneFile(communeFile);
    expect(first.commune).toBe('inserted');
    expect(first.hamletsAdded).toHaveLength(9);
    expect(first.receiversAdded).toHaveLength(3);
    await db.kysely
      .updateTable('hamlets')
      .set({ name: 'Thôn Ún Tà (đã sửa)' })
      .where('id', '=', 'un-ta')
      .execute();

    const count = async () => {
      const out: Record<string, number> = {};
      for (const table of ['communes', 'hamlets', 'receivers'] as const) {
        const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
          db.kysely,
        );
        out[table] = Number(rows[0]?.n);
      }
      return out;
    };
    const before = await count();
    const second = await seed.applyCommuneFile(communeFile);
    expect(second).toEqual({ commune: 'unchanged', hamletsAdded: [], receiversAdded: [] });
    expect(await count()).toEqual(before);
    expect(before).toEqual({ communes: 1, hamlets: 9, receivers: 3 });
    const unTa = await db.kysely
      .selectFrom('hamlets')
      .select('name')
      .where('id', '=', 'un-ta')
      .executeTakeFirstOrThrow();
    expect(unTa.name).toBe('Thôn Ún Tà (đã sửa)');
  });
});
