import type { Compilable, Kysely, QueryResult } from 'kysely';

/**
 * Runs the statements one after another and returns the rows they changed in all. Each statement is built
 * while the one before it runs, so the database and the building of thousands of parameters share the time
 * instead of taking turns: an emergency to every commune writes 90,000 airings in 30 statements this way.
 * One statement is in flight at a time; the first that fails stops the rest and is thrown.
 */
export async function runInTurn(
  db: Pick<Kysely<object>, 'executeQuery'>,
  statements: Iterable<Compilable>,
): Promise<number> {
  let changed = 0;
  let running: Promise<QueryResult<unknown>> | undefined;
  for (const statement of statements) {
    const next = statement.compile();
    if (running) changed += Number((await running).numAffectedRows ?? 0);
    running = db.executeQuery(next);
  }
  if (running) changed += Number((await running).numAffectedRows ?? 0);
  return changed;
}

/** One statement per `size` rows, built from its part only when `runInTurn` takes it. */
export function* chunked<T>(
  rows: readonly T[],
  size: number,
  build: (part: readonly T[]) => Compilable,
): Generator<Compilable> {
  for (let i = 0; i < rows.length; i += size) yield build(rows.slice(i, i + size));
}
