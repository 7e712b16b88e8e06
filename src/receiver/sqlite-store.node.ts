import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LogEvent } from '../domain/receiver/protocol.js';
import type { AgentStore } from './store.js';

/**
 * The agent's durable store in one SQLite file. WAL with `synchronous = FULL`: an event that was
 * queued survives a power cut, which is the normal way a village box loses power.
 */
export function createSqliteStore(file: string): AgentStore {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    create table if not exists outbox (
      seq integer primary key autoincrement,
      id text not null unique,
      occurrence_id text not null,
      type text not null,
      at text not null,
      detail text,
      sha256 text
    );
    create table if not exists done (item_key text primary key, at text not null);
    create table if not exists kv (key text primary key, value text not null);
  `);
  // A box upgraded from an agent that did not report audio hashes keeps its queue; the column is added.
  const columns = db.prepare('select name from pragma_table_info(?)').all('outbox') as { name: string }[];
  if (!columns.some((c) => c.name === 'sha256')) db.exec('alter table outbox add column sha256 text');
  const insert = db.prepare(
    'insert or ignore into outbox (id, occurrence_id, type, at, detail, sha256) values (?, ?, ?, ?, ?, ?)',
  );
  const peek = db.prepare(
    'select id, occurrence_id, type, at, detail, sha256 from outbox order by seq limit ?',
  );
  const remove = db.prepare('delete from outbox where id = ?');
  const removeMany = db.transaction((ids: readonly string[]) => ids.forEach((id) => remove.run(id)));
  const count = db.prepare('select count(*) as n from outbox');
  const markDone = db.prepare('insert or ignore into done (item_key, at) values (?, ?)');
  const isDone = db.prepare('select 1 from done where item_key = ?');
  const prune = db.prepare('delete from done where at < ?');
  const get = db.prepare('select value from kv where key = ?');
  const set = db.prepare(
    'insert into kv (key, value) values (?, ?) on conflict (key) do update set value = excluded.value',
  );

  return {
    enqueue: (e) => void insert.run(e.id, e.occurrenceId, e.type, e.at, e.detail ?? null, e.sha256 ?? null),
    peek: (limit) =>
      (
        peek.all(limit) as {
          id: string;
          occurrence_id: string;
          type: LogEvent['type'];
          at: string;
          detail: string | null;
          sha256: string | null;
        }[]
      ).map((r) => ({
        id: r.id,
        occurrenceId: r.occurrence_id,
        type: r.type,
        at: r.at,
        detail: r.detail,
        ...(r.sha256 && { sha256: r.sha256 }),
      })),
    remove: (ids) => removeMany(ids),
    pending: () => (count.get() as { n: number }).n,
    markDone: (key, at) => void markDone.run(key, at),
    isDone: (key) => isDone.get(key) !== undefined,
    pruneDone: (before) => void prune.run(before),
    getValue: (key) => (get.get(key) as { value: string } | undefined)?.value,
    setValue: (key, value) => void set.run(key, value),
    close: () => db.close(),
  };
}
