import type SqliteDatabase from 'better-sqlite3';

/**
 * Makes `db.prepare` reuse statements by their SQL text (least recently used ones dropped past `max`).
 * Kysely prepares every query anew, and preparing measured more than running the small indexed lookups
 * that most requests make (a receiver's token, a session). Safe because Kysely runs one statement at a
 * time on its single SQLite connection, and SQLite re-prepares a statement itself after a schema change.
 */
export function reusePreparedStatements(db: SqliteDatabase.Database, max = 500): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, SqliteDatabase.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  }) as typeof db.prepare;
}
