import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEvent, Manifest } from '../../src/domain/receiver/protocol.js';
import { createAgent, type Agent } from '../../src/receiver/agent.js';
import { createCommandPlayer } from '../../src/receiver/command-player.node.js';
import { createFileCache } from '../../src/receiver/file-cache.node.js';
import { createSqliteStore } from '../../src/receiver/sqlite-store.node.js';
import type { AgentStore } from '../../src/receiver/store.js';
import type { FakeClock } from './fake-clock.js';
import type { FakeTime } from './fake-time.js';

const recorder = fileURLToPath(new URL('./recording-player.mjs', import.meta.url));

/** A public address (VNPT's range) for the relay hosts of the tests; nothing ever connects to it. */
export const PUBLIC_ADDRESS = '14.225.0.10';

export interface TestAgent {
  readonly agent: Agent;
  readonly dir: string;
  /** Closes the agent's SQLite file (after `agent.stop()`), as a power cut would leave it. */
  close(): void;
  readonly cache: ReturnType<typeof createFileCache>;
  /** Every event the agent ever queued, in order. */
  readonly queued: LogEvent[];
  /** Every HTTP call the agent made: method, path and status (0 when the network failed). */
  readonly calls: { method: string; path: string; status: number }[];
  /** Bytes that reached the agent on its push channels so far, keep-alives included. */
  pushBytes(): number;
  /** The text that reached the agent on its push channels so far. */
  pushText(): string;
  /**
   * Test faults: lose the answer to the next log delivery after the server stored it; change each manifest
   * on its way to the box (a tampered answer, a server of another make).
   */
  readonly faults: { loseNextLogAnswer: boolean; rewriteManifest?: (manifest: Manifest) => Manifest };
  /** What the player was asked to do: `play`/`stop` of a file path or URL, at which volume. */
  record(): { event: 'play' | 'stop'; target: string; volume?: number }[];
  /** Makes the player hold on files whose path contains `marker` until stopped ('' to stop holding). */
  holdOn(marker: string): void;
  /** Holds every download whose path contains `marker` (a slow link) until the returned function is called. */
  holdDownloads(marker: string): () => void;
  /**
   * Holds the server's answer to every call whose path contains `marker` (the request went and was
   * answered, the answer is late) until the returned function is called.
   */
  holdAnswers(marker: string): () => void;
}

/** A real agent (SQLite queue, file cache, player process) on fake time, against `server`. */
export function createTestAgent(options: {
  server: string;
  token: string;
  clock: FakeClock;
  time: FakeTime;
  /**
   * How far behind the server's clock this box's clock runs; a function for a clock that is set while
   * the agent runs (NTP stepping it), whose monotonic clock goes on with the server's.
   */
  skewMs?: number | (() => number);
  /** The box's disk: give the `dir` of an earlier agent to restart it. */
  dir?: string;
  /** What the box's resolver answers for each host name (default: radio.example.vn is public). */
  hosts?: Readonly<Record<string, readonly string[]>>;
  /** Give the player the volume set by the commune, and record it with each play. */
  recordVolume?: boolean;
  /** Use the push channel (default true); false: a box that only polls. */
  sse?: boolean;
  /** The agent's random source, for its jitter (default: always 0.5). */
  random?: () => number;
  /**
   * How long the push channel may stay silent before the agent drops it. Default: never, since the
   * server's keep-alives come in real time while the test moves the box's clock by hours, and every
   * channel would look dead.
   */
  pushSilenceMs?: number;
}): TestAgent {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'loa-agent-'));
  const recordFile = join(dir, 'played.jsonl');
  const queued: LogEvent[] = [];
  const calls: TestAgent['calls'] = [];
  const faults: TestAgent['faults'] = { loseNextLogAnswer: false };
  let pushBytes = 0;
  let pushText = '';
  const decoder = new TextDecoder();
  const countPushBytes = () =>
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pushBytes += chunk.byteLength;
        pushText += decoder.decode(chunk, { stream: true });
        controller.enqueue(chunk);
      },
    });
  const sqlite = createSqliteStore(join(dir, 'agent.sqlite'));
  const store: AgentStore = { ...sqlite, enqueue: (e) => (queued.push(e), sqlite.enqueue(e)) };
  type Gate = { marker: string; until: Promise<void> } | undefined;
  let held: Gate;
  let heldAnswers: Gate;
  const hold = (marker: string, set: (gate: Gate) => void) => {
    let release = () => {};
    set({ marker, until: new Promise<void>((resolve) => (release = resolve)) });
    return () => {
      set(undefined);
      release();
    };
  };
  const tracedFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    if (held && url.pathname.includes(held.marker)) await held.until;
    try {
      const res = await fetch(input, init);
      calls.push({ method, path: url.pathname, status: res.status });
      if (heldAnswers && url.pathname.includes(heldAnswers.marker)) await heldAnswers.until;
      if (faults.loseNextLogAnswer && url.pathname.endsWith('/logs') && res.status === 200) {
        faults.loseNextLogAnswer = false;
        await res.body?.cancel();
        throw new TypeError('fetch failed (test: the answer was lost after the server stored the batch)');
      }
      if (faults.rewriteManifest && url.pathname.endsWith('/receiver/schedule') && res.status === 200) {
        const manifest = faults.rewriteManifest((await res.json()) as Manifest);
        return new Response(JSON.stringify(manifest), { status: 200, headers: res.headers });
      }
      if (url.pathname.endsWith('/receiver/events') && res.body) {
        const { status, statusText, headers } = res;
        return new Response(res.body.pipeThrough(countPushBytes()), { status, statusText, headers });
      }
      return res;
    } catch (error) {
      if (!(error instanceof TypeError && String(error).includes('test:')))
        calls.push({ method, path: url.pathname, status: 0 });
      throw error;
    }
  };
  const cache = createFileCache({
    dir,
    maxBytes: 50 * 1024 * 1024,
    download: (url, headers) => tracedFetch(new URL(url, options.server), { headers }),
    logger: { info: () => {}, warn: () => {} },
  });
  const hosts = options.hosts ?? { 'radio.example.vn': [PUBLIC_ADDRESS] };
  const agent = createAgent({
    server: options.server,
    token: options.token,
    store,
    cache,
    player: createCommandPlayer(
      `"${process.execPath}" "${recorder}" "${recordFile}" {file}${options.recordVolume ? ' {volume}' : ''}`,
    ),
    // The third-party DNS, answered from `hosts` as getaddrinfo would (ENOTFOUND for anything else).
    resolveHost: async (name) => {
      const addresses = hosts[name];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return addresses;
    },
    clock: {
      now: () => {
        const skew = options.skewMs ?? 0;
        return options.clock.now().getTime() - (typeof skew === 'number' ? skew : skew());
      },
      monotonic: () => options.clock.now().getTime(),
    },
    timers: options.time.timers,
    fetch: tracedFetch,
    random: options.random ?? (() => 0.5),
    appVersion: '0.1.0-test',
    ...(options.sse === false && { sse: false }),
    pushSilenceMs: options.pushSilenceMs ?? Infinity,
  });
  return {
    agent,
    dir,
    close: () => sqlite.close(),
    cache,
    queued,
    calls,
    pushBytes: () => pushBytes,
    pushText: () => pushText,
    faults,
    record: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { event: 'play' | 'stop'; target: string; volume?: number })
        : [],
    holdOn: (marker) => writeFileSync(`${recordFile}.hold`, marker),
    holdDownloads: (marker) => hold(marker, (gate) => (held = gate)),
    holdAnswers: (marker) => hold(marker, (gate) => (heldAnswers = gate)),
  };
}

/** Polls (real time, bounded) until `check` passes: for a player process, never for a schedule. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
