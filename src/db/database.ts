import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * What the SQL layer may rely on beyond the common subset. Repositories branch on these, never on the
 * database's name (STYLE.md "One SQL for both databases").
 */
export interface DbCapabilities {
  /** Session-level advisory locks (PostgreSQL); without them a single process is assumed. */
  readonly advisoryLocks: boolean;
  /** `SELECT … FOR UPDATE SKIP LOCKED` for job leasing by many workers. */
  readonly skipLocked: boolean;
  /**
   * Row locks (`SELECT … FOR UPDATE`) that serialise bookings per hamlet. Without them (SQLite) a
   * transaction that writes holds the whole database's write lock from its start instead.
   */
  readonly rowLocks: boolean;
  /**
   * `timestamptz + interval` arithmetic (PostgreSQL). Without it (SQLite) instants are moved with the
   * date modifiers of `strftime`. Either way the result is ISO text (`instants.ts`).
   */
  readonly intervals: boolean;
  /** Values one statement may bind: D1 100, SQLite 32,766, PostgreSQL 65,535. */
  readonly boundParameters: number;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly capabilities: DbCapabilities;
  /** What the health check and the CLI show, e.g. `sqlite:/srv/loa/data/loa.sqlite`. */
  readonly description: string;
  close(): Promise<void>;
}
