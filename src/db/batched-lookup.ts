/** Runs `run` once the event loop has handled the I/O at hand: after every request read in this round. */
export type Defer = (run: () => void) => void;

const afterIo: Defer =
  typeof globalThis.setImmediate === 'function'
    ? (run) => void globalThis.setImmediate(run)
    : (run) => void setTimeout(run, 0);

/**
 * Gathers the keys asked for while the event loop handles one round of I/O and loads them with one
 * query (at most `maxBatch` keys each). A thousand receivers polling at once then cost a few queries
 * instead of a thousand: on SQLite each statement pays for its read transaction (file locks), on
 * PostgreSQL for a round trip, and both measured more than the indexed lookup itself. Every answer is
 * read fresh; only the query is shared.
 */
export function batchedLookup<K, V>(
  load: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
  options: { readonly maxBatch?: number; readonly defer?: Defer } = {},
): (key: K) => Promise<V | undefined> {
  const maxBatch = options.maxBatch ?? 32;
  const defer = options.defer ?? afterIo;
  type Caller = { resolve(found: V | undefined): void; reject(error: unknown): void };
  let waiting = new Map<K, Caller[]>();

  function flush(): void {
    const batch = waiting;
    waiting = new Map();
    load([...batch.keys()]).then(
      (found) => batch.forEach((callers, key) => callers.forEach((c) => c.resolve(found.get(key)))),
      (error: unknown) => batch.forEach((callers) => callers.forEach((c) => c.reject(error))),
    );
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const batch = waiting;
      if (batch.size === 0) defer(() => waiting === batch && flush());
      const callers = batch.get(key);
      if (callers) callers.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
      // A full batch goes at once, so that a burst of requests is answered in bounded groups rather
      // than all held in memory until the round of I/O ends.
      if (batch.size >= maxBatch) flush();
    });
}
