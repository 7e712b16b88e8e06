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
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly capabilities: DbCapabilities;
  /** What the health check and the CLI show, e.g. `sqlite:/srv/loa/data/loa.sqlite`. */
  readonly description: string;
  close(): Promise<void>;
}

/** Decides which of several instances runs the dispatcher. */
export interface LeaderLock {
  /** True while this process holds the lock; tries to take it when free. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}
