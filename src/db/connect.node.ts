import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Db } from './database.js';
import type { Database } from './schema.js';
import { QueuedSqliteDialect } from './sqlite-queue.node.js';
import { reusePreparedStatements } from './statement-cache.node.js';

// PostgreSQL returns BIGINT (int8) as text to keep precision; byte counts stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** The SQLite file named by `DATABASE_URL` (`sqlite:` or `file:`), or the embedded one in `dataDir`. */
export function sqliteFileOf(url: string | undefined, dataDir: string): string {
  return url ? url.replace(/^(sqlite|file):(\/\/)?/, '') : resolve(dataDir, 'loa.sqlite');
}

export interface ConnectOptions {
  /** Sees every statement run, transaction statements included (Kysely's `log`): benchmarks count them. */
  readonly log?: ((event: LogEvent) => void) | undefined;
}

/** Opens the database named by `DATABASE_URL`, or the embedded SQLite file in `dataDir`. */
export function connectDatabase(url: string | undefined, dataDir: string, options: ConnectOptions = {}): Db {
  if (url && /^postgres(ql)?:\/\//.test(url)) return connectPostgres(url, options);
  return connectSqlite(sqliteFileOf(url, dataDir), options);
}

export function connectSqlite(file: string, options: ConnectOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  reusePreparedStatements(sqlite);
  const kysely = new Kysely<Database>({
    dialect: new QueuedSqliteDialect({ database: sqlite }),
    ...(options.log && { log: options.log }),
  });
  return {
    kysely,
    capabilities: {
      advisoryLocks: false,
      skipLocked: false,
      rowLocks: false,
      intervals: false,
      boundParameters: 32_766,
    },
    description: `sqlite:${file}`,
    close: () => kysely.destroy(),
  };
}

export function connectPostgres(url: string, options: ConnectOptions = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(options.log && { log: options.log }),
  });
  const safe = url.replace(/\/\/[^@/]*@/, '//***@');
  return {
    kysely,
    capabilities: {
      advisoryLocks: true,
      skipLocked: true,
      rowLocks: true,
      intervals: true,
      boundParameters: 65_535,
    },
    description: safe,
    close: () => kysely.destroy(),
  };
}
