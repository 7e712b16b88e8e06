/**
 * The undo journal that gives D1 units of work their "all or nothing". D1 runs each statement, or each
 * batch, as its own SQLite transaction and refuses BEGIN, so a unit of work that reads, decides and
 * writes over several calls cannot be one transaction there. Instead, while a unit holds the write lock
 * (`loa_d1_lock`), triggers on every table copy each row it changes into a shadow table before the
 * change; committing empties the journal, and rolling back (a failure, or the next holder finding a
 * dead holder's journal) plays it backwards in one batch.
 */

export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Tables of Loa's own bookkeeping on D1; never journaled. */
export const bootstrap: readonly string[] = [
  `create table if not exists loa_d1_lock (
    id integer primary key check (id = 1),
    holder text,
    lease_until integer not null default 0,
    journal integer not null default 0,
    journal_schema text,
    seeded text)`,
  `insert or ignore into loa_d1_lock (id) values (1)`,
  // A row that cannot be inserted unless the lock is still ours: the first statement of a guarded batch.
  `create table if not exists loa_d1_guard (ok integer not null constraint loa_lock_held check (ok = 1))`,
  `create table if not exists loa_undo (
    seq integer primary key autoincrement,
    tbl text not null,
    op text not null,
    row_id integer not null)`,
];

/** The tables to journal and their columns, in order: everything but SQLite's, D1's and Loa's own. */
export const listTablesSql = `select m.name as tbl, p.name as col
  from sqlite_master m join pragma_table_info(m.name) p
  where m.type = 'table'
    and m.name not like 'sqlite!_%' escape '!'
    and m.name not like '!_cf!_%' escape '!'
    and m.name not like 'loa!_d1!_%' escape '!'
    and m.name not like 'loa!_undo%' escape '!'
    and m.name not like 'd1!_%' escape '!'
  order by m.name, p.cid`;

/** Names of what the journal adds to the database, to drop before the schema's journal is remade. */
export const listJournalObjectsSql = `select type, name from sqlite_master
  where (type = 'trigger' and name like 'loa!_undo!_!_%' escape '!')
     or (type = 'table' and name like 'loa!_undo!_!_%' escape '!')`;

const shadowOf = (table: string) => quote(`loa_undo__${table}`);

/** Triggers journal only while a unit of work holds the lock (not while migrations run). */
const journalling = `(select journal from loa_d1_lock where id = 1) = 1`;

/** The shadow table and the three triggers that journal one table. */
export function journalStatements(table: string, columns: readonly string[]): string[] {
  const t = quote(table);
  const old = columns.map((c) => `OLD.${quote(c)}`).join(', ');
  const name = (op: string) => quote(`loa_undo__${table}__${op}`);
  const record = (op: string, row: string) =>
    `insert into loa_undo (tbl, op, row_id) values ('${table.replaceAll("'", "''")}', '${op}', ${row.toUpperCase()}.rowid);`;
  const keep = `insert into ${shadowOf(table)} select last_insert_rowid(), OLD.rowid, ${old};`;
  return [
    `create table ${shadowOf(table)} as select 0 as loa_seq, 0 as loa_row, * from ${t} where 0`,
    `create index ${quote(`loa_undo__${table}__seq`)} on ${shadowOf(table)} (loa_seq)`,
    `create trigger ${name('i')} after insert on ${t} when ${journalling} begin ${record('i', 'new')} end`,
    `create trigger ${name('u')} after update on ${t} when ${journalling} begin ${record('u', 'old')} ${keep} end`,
    `create trigger ${name('d')} after delete on ${t} when ${journalling} begin ${record('d', 'old')} ${keep} end`,
  ];
}

export interface JournalEntry {
  readonly seq: number;
  readonly tbl: string;
  readonly op: 'i' | 'u' | 'd';
}

export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The statements that undo a journal, given newest first: each run of consecutive entries on one table
 * with one operation becomes one statement, so undoing thousands of inserted rows is one delete.
 * An updated row gets back the values it had before its first update in the run.
 */
export function undoStatements(
  entries: readonly JournalEntry[],
  columnsOf: (table: string) => readonly string[],
): Statement[] {
  const runs: { tbl: string; op: JournalEntry['op']; from: number; to: number }[] = [];
  for (const e of entries) {
    const last = runs.at(-1);
    if (last && last.tbl === e.tbl && last.op === e.op && e.seq < last.from) last.from = e.seq;
    else runs.push({ tbl: e.tbl, op: e.op, from: e.seq, to: e.seq });
  }
  return runs.map(({ tbl, op, from, to }) => {
    const t = quote(tbl);
    const rows = `select row_id from loa_undo where seq between ? and ?`;
    if (op === 'i') return { sql: `delete from ${t} where rowid in (${rows})`, params: [from, to] };
    const cols = columnsOf(tbl).map(quote).join(', ');
    if (op === 'd') {
      return {
        sql: `insert into ${t} (rowid, ${cols}) select loa_row, ${cols} from ${shadowOf(tbl)} where loa_seq between ? and ?`,
        params: [from, to],
      };
    }
    return {
      sql:
        `update ${t} set (${cols}) = (select ${cols} from ${shadowOf(tbl)} s where s.loa_row = ${t}.rowid ` +
        `and s.loa_seq between ? and ? order by s.loa_seq limit 1) where rowid in (${rows})`,
      params: [from, to, from, to],
    };
  });
}

/** Empties the journal: what a commit, and the end of a rollback, leave behind. */
export function clearJournalStatements(tables: readonly string[]): Statement[] {
  return [
    { sql: 'delete from loa_undo', params: [] },
    ...tables.map((t) => ({ sql: `delete from ${shadowOf(t)}`, params: [] })),
  ];
}
