import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';
import { StoreUnavailableError } from '../../domain/ports/unavailable.js';
import type { D1Binding, D1PreparedStatement, D1Result } from './binding.js';
import {
  bootstrap,
  clearJournalStatements,
  journalStatements,
  listJournalObjectsSql,
  listTablesSql,
  quote,
  undoStatements,
  type JournalEntry,
  type Statement,
} from './journal.js';

export interface D1LockOptions {
  /** How long a holder keeps the lock without a sign of life before another may take it over. */
  readonly leaseMs?: number;
  /** How long a unit of work waits for the lock before it gives up with 503 (SQLite's busy timeout). */
  readonly busyTimeoutMs?: number;
  /** Real time, for leases: a fake clock in tests must not expire them. */
  readonly now?: () => number;
}

/** The lock was taken over (the holder stalled past its lease) and its writes were rolled back. */
export class LockLostError extends StoreUnavailableError {
  constructor() {
    super('database', 'the unit of work stalled past its lease and was rolled back', { retryAfterS: 1 });
  }
}

const isRead = (sql: string) => /^\s*(select|pragma|explain)\b/i.test(sql);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * D1's own errors (SQL refused: a constraint, a syntax error) pass through as they are; the rest (the
 * database unreachable, overloaded, reset) become a 503 that promises nothing was half-written.
 */
function translate(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/loa_lock_held/.test(message)) return new LockLostError();
  if (/SQLITE_|no such (table|column)|syntax error/i.test(message)) return error;
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError('database', `D1 did not answer: ${message}`, { cause: error });
}

/** Run right after a write in the same batch: the rows that write changed, triggers' rows left out. */
const ownChanges: Statement = { sql: 'select changes() as n', params: [] };

function toResult(result: D1Result, counted?: D1Result): QueryResult<any> {
  const own = (counted?.results[0] as { n: number } | undefined)?.n;
  const changes = own ?? result.meta?.changes ?? 0;
  return {
    rows: result.results ?? [],
    numAffectedRows: changes > 0 ? BigInt(changes) : undefined,
    insertId:
      result.meta?.last_row_id === undefined || result.meta.last_row_id === null
        ? undefined
        : BigInt(result.meta.last_row_id),
  };
}

/** The rows of `listTablesSql` as each table's columns, in order. */
function tablesOf(listed: D1Result): ReadonlyMap<string, readonly string[]> {
  const tables = new Map<string, string[]>();
  for (const row of listed.results as { tbl: string; col: string }[]) {
    tables.set(row.tbl, [...(tables.get(row.tbl) ?? []), row.col]);
  }
  return tables;
}

/**
 * One write lock for the whole database, held in D1 itself (`loa_d1_lock`) with a lease, plus the undo
 * journal's triggers: together they make a unit of work on D1 what `begin immediate` makes it on SQLite
 * — one writer at a time, all of its writes or none.
 */
export class D1Journal {
  readonly #d1: D1Binding;
  readonly leaseMs: number;
  readonly busyTimeoutMs: number;
  readonly now: () => number;
  /** Journaled tables and their columns, read once the schema is migrated. */
  #tables: ReadonlyMap<string, readonly string[]> = new Map();
  #fingerprint = '';
  /** Units of work of this isolate queue here first, so that only one of them polls D1 for the lock. */
  #local: Promise<void> = Promise.resolve();
  /** Set while `exclusive` runs (migrations): writes of this isolate go straight through. */
  exclusiveHolder: string | undefined;

  constructor(d1: D1Binding, options: D1LockOptions = {}) {
    this.#d1 = d1;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  prepare({ sql, params }: Statement): D1PreparedStatement {
    const statement = this.#d1.prepare(sql);
    return params.length > 0 ? statement.bind(...params) : statement;
  }

  async run(statement: Statement): Promise<D1Result> {
    try {
      return await this.prepare(statement).all();
    } catch (error) {
      throw translate(error);
    }
  }

  async batch(statements: readonly Statement[]): Promise<D1Result[]> {
    try {
      return await this.#d1.batch(statements.map((s) => this.prepare(s)));
    } catch (error) {
      throw translate(error);
    }
  }

  /** Creates the lock, guard and journal tables when missing. */
  async bootstrap(): Promise<void> {
    await this.batch(bootstrap.map((sql) => ({ sql, params: [] })));
  }

  /**
   * Reads the journaled tables and their columns; true when the journal's triggers were made for the
   * schema as it now is (nothing for `installJournal` to do).
   */
  async readJournal(): Promise<boolean> {
    const [listed, state] = await this.batch([
      { sql: listTablesSql, params: [] },
      { sql: 'select journal_schema from loa_d1_lock where id = 1', params: [] },
    ]);
    this.#tables = tablesOf(listed!);
    this.#fingerprint = JSON.stringify([...this.#tables]);
    return (
      (state!.results[0] as { journal_schema: string | null } | undefined)?.journal_schema ===
      this.#fingerprint
    );
  }

  /**
   * (Re)installs the journal's shadow tables and triggers when the schema changed since they were made
   * (a migration added a column or a table). Call under `exclusive`, after migrating.
   */
  async installJournal(options: { readonly readOnly?: boolean } = {}): Promise<void> {
    if ((await this.readJournal()) || options.readOnly) return;
    const old = await this.run({ sql: listJournalObjectsSql, params: [] });
    const drops = (old.results as { type: string; name: string }[]).map((o) => ({
      sql: `drop ${o.type} if exists ${quote(o.name)}`,
      params: [],
    }));
    const creates = [...this.#tables].flatMap(([t, cols]) => journalStatements(t, cols));
    await this.batch([
      ...drops,
      ...creates.map((sql) => ({ sql, params: [] })),
      { sql: 'update loa_d1_lock set journal_schema = ? where id = 1', params: [this.#fingerprint] },
    ]);
  }

  async #readTables(): Promise<ReadonlyMap<string, readonly string[]>> {
    return tablesOf(await this.run({ sql: listTablesSql, params: [] }));
  }

  /** What the composition root noted after its last start-up work (the digest of the commune files applied). */
  async readMark(): Promise<string | null> {
    const { results } = await this.run({ sql: 'select seeded from loa_d1_lock where id = 1', params: [] });
    return (results[0] as { seeded: string | null } | undefined)?.seeded ?? null;
  }

  async writeMark(mark: string): Promise<void> {
    await this.writeAlone({ sql: 'update loa_d1_lock set seeded = ? where id = 1', params: [mark] });
  }

  /** Takes the lock for `holder`; a dead holder's journal is rolled back first. */
  async acquire(holder: string, journal: boolean): Promise<void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.#local;
    this.#local = before.then(() => mine);
    await before;
    this.#releaseLocal.set(holder, release);
    const deadline = this.now() + this.busyTimeoutMs;
    let wait = 5;
    let held = false;
    try {
      for (;;) {
        const now = this.now();
        const [taken, pending] = await this.batch([
          {
            sql: 'update loa_d1_lock set holder = ?, lease_until = ?, journal = 0 where id = 1 and (holder is null or lease_until < ?)',
            params: [holder, now + this.leaseMs, now],
          },
          { sql: 'select count(*) as n from loa_undo', params: [] },
        ]);
        if (taken!.meta.changes === 1) {
          held = true;
          if (((pending!.results[0] as { n: number } | undefined)?.n ?? 0) > 0)
            await this.rollback(holder, true);
          if (journal) {
            await this.guarded(holder, {
              sql: 'update loa_d1_lock set journal = 1 where id = 1',
              params: [],
            });
          }
          return;
        }
        if (this.now() > deadline) {
          throw new StoreUnavailableError('database', 'the database stayed busy (write lock held)', {
            retryAfterS: 2,
          });
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 100);
      }
    } catch (error) {
      // Taken but not ready (a dead holder's journal or the journal flag failed): let go of it now, not
      // after its lease; what is left in the journal the next holder plays back.
      if (held) await this.release(holder).catch(() => undefined);
      this.#unlockLocal(holder);
      throw error;
    }
  }

  readonly #releaseLocal = new Map<string, () => void>();

  #unlockLocal(holder: string): void {
    this.#releaseLocal.get(holder)?.();
    this.#releaseLocal.delete(holder);
  }

  /** Statements run only while `holder` still holds the lock (and renew its lease); their results. */
  async guarded(holder: string, ...statements: Statement[]): Promise<D1Result[]> {
    const results = await this.batch([
      {
        sql: 'update loa_d1_lock set lease_until = ? where id = 1 and holder = ?',
        params: [this.now() + this.leaseMs, holder],
      },
      { sql: 'insert into loa_d1_guard (ok) select changes()', params: [] },
      ...statements,
      { sql: 'delete from loa_d1_guard', params: [] },
    ]);
    return results.slice(2, 2 + statements.length);
  }

  /** A write outside any unit of work: applied only while nobody holds the lock, else it waits. */
  async writeAlone(statement: Statement): Promise<D1Result> {
    const deadline = this.now() + this.busyTimeoutMs;
    let wait = 5;
    for (;;) {
      try {
        const [, result] = await this.batch([
          {
            sql: 'insert into loa_d1_guard (ok) select count(*) from loa_d1_lock where id = 1 and holder is null',
            params: [],
          },
          statement,
          { sql: 'delete from loa_d1_guard', params: [] },
        ]);
        return result!;
      } catch (error) {
        if (!(error instanceof LockLostError)) throw error;
      }
      if (this.now() > deadline) {
        throw new StoreUnavailableError('database', 'the database stayed busy (write lock held)', {
          retryAfterS: 2,
        });
      }
      // A holder that died leaves the lock until its lease ends: the next unit of work clears it.
      const { results } = await this.run({
        sql: 'select holder, lease_until from loa_d1_lock where id = 1',
        params: [],
      });
      const lock = results[0] as { holder: string | null; lease_until: number } | undefined;
      if (lock?.holder && lock.lease_until < this.now()) {
        const sweeper = `sweep-${crypto.randomUUID()}`;
        await this.acquire(sweeper, false);
        await this.release(sweeper);
        continue;
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 100);
    }
  }

  /** Ends a unit of work: the journal emptied and the lock released together, if still ours. */
  async commit(holder: string): Promise<void> {
    try {
      await this.guarded(holder, ...clearJournalStatements([...this.#tables.keys()]), {
        sql: 'update loa_d1_lock set holder = null, journal = 0 where id = 1 and holder = ?',
        params: [holder],
      });
    } finally {
      this.#unlockLocal(holder);
    }
  }

  /** Releases the lock without touching the journal (after `exclusive` work or a sweep). */
  async release(holder: string): Promise<void> {
    try {
      await this.run({
        sql: 'update loa_d1_lock set holder = null, journal = 0 where id = 1 and holder = ?',
        params: [holder],
      });
    } finally {
      this.#unlockLocal(holder);
    }
  }

  /**
   * Plays the journal backwards and releases the lock, in one batch. `keep` holds the lock afterwards
   * (a new holder clearing a dead one's journal before its own work).
   */
  async rollback(holder: string, keep = false): Promise<void> {
    try {
      const { results } = await this.run({
        sql: 'select seq, tbl, op from loa_undo order by seq desc',
        params: [],
      });
      const entries = results as unknown as JournalEntry[];
      // A new isolate rolls back a dead holder's journal before it has migrated and read the schema.
      const tables = entries.every((e) => this.#tables.has(e.tbl)) ? this.#tables : await this.#readTables();
      const undo = undoStatements(entries, (t) => {
        const cols = tables.get(t);
        if (!cols) throw new Error(`the undo journal names a table it does not know: ${t}`);
        return cols;
      });
      await this.guarded(
        holder,
        { sql: 'update loa_d1_lock set journal = 0 where id = 1', params: [] },
        { sql: 'pragma defer_foreign_keys = on', params: [] },
        ...undo,
        ...clearJournalStatements([...tables.keys()]),
        ...(keep
          ? []
          : [{ sql: 'update loa_d1_lock set holder = null where id = 1 and holder = ?', params: [holder] }]),
      );
    } finally {
      if (!keep) this.#unlockLocal(holder);
    }
  }

  /** Runs `work` holding the lock without journaling (migrations, whose DDL no journal could undo). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const holder = `exclusive-${crypto.randomUUID()}`;
    await this.acquire(holder, false);
    this.exclusiveHolder = holder;
    try {
      return await work();
    } finally {
      this.exclusiveHolder = undefined;
      await this.release(holder);
    }
  }
}

class D1Connection implements DatabaseConnection {
  readonly #journal: D1Journal;
  #holder: string | undefined;
  #renewedAt = 0;

  constructor(journal: D1Journal) {
    this.#journal = journal;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = { sql: compiled.sql, params: compiled.parameters };
    const j = this.#journal;
    if (this.#holder) {
      if (isRead(compiled.sql)) {
        // A long read renews the lease as well: only a holder that stops is taken over.
        if (j.now() - this.#renewedAt > j.leaseMs / 3) {
          await j.guarded(this.#holder);
          this.#renewedAt = j.now();
        }
        return toResult(await j.run(statement));
      }
      // D1 counts the journal's rows in `changes`; SQLite's changes() counts the statement's own.
      const [result, counted] = await j.guarded(this.#holder, statement, ownChanges);
      this.#renewedAt = j.now();
      return toResult(result!, counted);
    }
    if (isRead(compiled.sql) || j.exclusiveHolder) return toResult(await j.run(statement));
    return toResult(await j.writeAlone(statement));
  }

  async begin(): Promise<void> {
    const holder = `uow-${crypto.randomUUID()}`;
    await this.#journal.acquire(holder, true);
    this.#holder = holder;
    this.#renewedAt = this.#journal.now();
  }

  async commit(): Promise<void> {
    // Kept until the commit went through: a failed one is followed by Kysely's rollback, which plays the
    // journal back under the same holder.
    await this.#journal.commit(this.#holder!);
    this.#holder = undefined;
  }

  async rollback(): Promise<void> {
    const holder = this.#holder!;
    this.#holder = undefined;
    await this.#journal.rollback(holder);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('D1 does not stream query results');
  }
}

/** The Kysely driver over D1 with units of work made of the lock and the undo journal. */
export class JournaledD1Driver implements Driver {
  constructor(readonly journal: D1Journal) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new D1Connection(this.journal);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as D1Connection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as D1Connection).commit();
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as D1Connection).rollback();
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}
