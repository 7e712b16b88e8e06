import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery, type LogEvent } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../src/db/migrator.js';
import type { Database } from '../../src/db/schema.js';

export interface TestDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** DATABASE_URL for the service, or undefined for the embedded SQLite file in dataDir. */
  readonly url: string | undefined;
  readonly dataDir: string;
  drop(): Promise<void>;
}

/** The dialects every database test loops over: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const dialects: readonly ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

if (!process.env.TEST_DATABASE_URL) {
  process.stdout.write('PostgreSQL tests skipped: TEST_DATABASE_URL is not set (SQLite tests run).\n');
}

/** A fresh, empty database of the given dialect: a temp SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loa-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      url: undefined,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `loa_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      // A pool's `end()` resolves before its connections have closed; forcing the drop while one is still
      // closing makes PostgreSQL terminate it, which pg reports as an uncaught error. Let them go first.
      for (let i = 0; i < 100; i++) {
        const open = await c.query('select 1 from pg_stat_activity where datname = $1', [name]);
        if (open.rowCount === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A Kysely of its own on a test database, migrated, logging every query it runs into `queries`; on SQLite
 * also the raw connection, for query plans.
 */
export async function openLoggedKysely(
  dialect: 'sqlite' | 'postgres',
  database: TestDatabase,
  queries: CompiledQuery[],
): Promise<{ kysely: Kysely<Database>; sqlite: SqliteDatabase.Database | undefined }> {
  const log = (e: LogEvent) => void queries.push(e.query);
  const sqlite = dialect === 'sqlite' ? new SqliteDatabase(join(database.dataDir, 'loa.sqlite')) : undefined;
  const kysely = new Kysely<Database>({
    dialect: sqlite
      ? new SqliteDialect({ database: sqlite })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
    log,
  });
  await migrateToLatest(kysely);
  return { kysely, sqlite };
}
