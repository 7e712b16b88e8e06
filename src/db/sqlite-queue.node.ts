import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Hands SQLite's single connection to waiting queries one at a time, first come first served. Kysely's
 * own SQLite mutex wakes every waiter on each release; with a thousand receivers polling at once that
 * is a million wake-ups per thousand queries, and throughput collapses. In front of it, its queue is
 * always empty.
 */
class QueuedDriver implements Driver {
  readonly #inner: Driver;
  readonly #waiting: (() => void)[] = [];
  #busy = false;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    return this.#inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(connection);
    const next = this.#waiting.shift();
    // The connection passes straight to the next in line; `busy` stays set.
    if (next) next();
    else this.#busy = false;
  }

  /**
   * `begin immediate` takes the write lock at once: another process on the same file then waits its
   * turn (busy timeout) at the start, instead of failing with SQLITE_BUSY when its deferred transaction
   * tries to turn a read into a write after the other one wrote.
   */
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  commitTransaction: Driver['commitTransaction'] = (c) => this.#inner.commitTransaction(c);
  rollbackTransaction: Driver['rollbackTransaction'] = (c) => this.#inner.rollbackTransaction(c);
  savepoint: NonNullable<Driver['savepoint']> = (c, name, compile) =>
    this.#inner.savepoint!(c, name, compile);
  rollbackToSavepoint: NonNullable<Driver['rollbackToSavepoint']> = (c, name, compile) =>
    this.#inner.rollbackToSavepoint!(c, name, compile);
  releaseSavepoint: NonNullable<Driver['releaseSavepoint']> = (c, name, compile) =>
    this.#inner.releaseSavepoint!(c, name, compile);

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** Kysely's SQLite dialect with first-come-first-served access to the connection. */
export class QueuedSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new QueuedDriver(super.createDriver());
  }
}
