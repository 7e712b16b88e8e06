import { Kysely, sql, type DatabaseIntrospector, type TableMetadata } from 'kysely';
import { D1Dialect } from 'kysely-d1';
import type { Db } from '../database.js';
import { migrateToLatest, pendingMigrations } from '../migrator.js';
import type { Database } from '../schema.js';
import type { D1Binding } from './binding.js';
import { D1Journal, JournaledD1Driver, type D1LockOptions } from './d1-driver.js';
import { JsonListsPlugin } from './json-lists.plugin.js';

export interface D1Db extends Db {
  readonly journal: D1Journal;
}

/**
 * Kysely on a D1 binding: kysely-d1's SQLite adapter and compiler, with a driver whose units of work
 * hold D1's write lock and its undo journal (`d1-driver.ts`), and long lists passed as JSON (`json-lists.plugin.ts`).
 * The repositories and migrations are SQLite's, unchanged.
 */
export function connectD1(binding: D1Binding, options: D1LockOptions = {}): D1Db {
  const journal = new D1Journal(binding, options);
  class JournaledD1Dialect extends D1Dialect {
    override createDriver() {
      return new JournaledD1Driver(journal);
    }
    override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
      return d1Introspector(db);
    }
  }
  const kysely = new Kysely<Database>({
    dialect: new JournaledD1Dialect({ database: binding as never }),
    plugins: [new JsonListsPlugin()],
  });
  return {
    kysely,
    // What SQLite offers, and one writer at a time as there: the lock plays `begin immediate`.
    capabilities: {
      advisoryLocks: false,
      skipLocked: false,
      rowLocks: false,
      intervals: false,
      boundParameters: 100,
    },
    description: 'd1',
    journal,
    close: () => kysely.destroy(),
  };
}

/**
 * Brings a D1 database up to date: the lock and journal tables, the migrations of every profile (the
 * same list as SQLite and PostgreSQL, `migrator.ts`) with the lock held so that two isolates starting at
 * once migrate once, then the journal's triggers for the schema as it now is.
 */
export async function migrateD1(db: D1Db): Promise<readonly string[]> {
  await db.journal.bootstrap();
  // Every new isolate starts here, most of them on a database already up to date: they read and take no
  // write lock, which a long unit of work may hold for longer than they would wait.
  if ((await pendingMigrations(db.kysely)).length === 0 && (await db.journal.readJournal())) return [];
  return db.journal.exclusive(async () => {
    const applied = await migrateToLatest(db.kysely);
    await db.journal.installJournal();
    return applied;
  });
}

/**
 * The tables, for the migrator (which asks whether its own exist). SQLite's introspector reads every
 * table's columns, and D1 refuses that on its internal `_cf_` tables (SQLITE_AUTH).
 */
function d1Introspector(db: Kysely<any>): DatabaseIntrospector {
  async function getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; type: string }>`select name, type from sqlite_master
      where type in ('table', 'view') and name not like 'sqlite!_%' escape '!' and name not like '!_cf!_%' escape '!'
      order by name`.execute(db);
    return rows.map((r) => ({ name: r.name, isView: r.type === 'view', isForeign: false, columns: [] }));
  }
  return { getSchemas: async () => [], getTables };
}
