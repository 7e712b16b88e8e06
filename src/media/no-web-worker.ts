/**
 * `mpg123-decoder`'s entry also loads its Web Worker wrapper, whose browser build reads the global
 * `Worker` while it loads, and workerd has none. Loa decodes on the calling thread only, so a stand-in
 * that refuses to start is enough; it is imported before the package (imports run in order).
 */
const scope = globalThis as { Worker?: unknown };
scope.Worker ??= class NoWebWorker {
  constructor() {
    throw new Error('Web Workers are not available here: decode on the calling thread');
  }
};
