import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { statfs } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseEnrolment, type Enrolment } from '../domain/receiver/enrolment.js';
import { createAgent } from '../receiver/agent.js';
import { createCommandPlayer, defaultPlayerCommand } from '../receiver/command-player.node.js';
import { createFileCache } from '../receiver/file-cache.node.js';
import { consoleLogger } from '../receiver/ports.js';
import { resolveHost } from '../receiver/resolve-host.node.js';
import { createSimulation } from '../receiver/simulate.js';
import { createSqliteStore } from '../receiver/sqlite-store.node.js';
import { createProcessingNode } from '../processing-node.js';
import { SIMULATED_PREFIX, simulatedReceivers } from './sim-receivers.js';

/** Commands that run on or as a loudspeaker box: they talk to a server and need no database. */
type DeviceCommand = (argv: readonly string[]) => Promise<number>;

const appVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const receiverUsage = `Usage: loa receiver --server URL --token T [--cache DIR] [options]
       loa receiver --enrol "loa-receiver:?server=…&token=…" [--cache DIR] [options]

Runs the agent of one loudspeaker box: keeps its schedule and audio in DIR, plays each item on time
(also with no network), and reports what it played.

  --server URL            the Loa server, e.g. https://loa.cocsan.vn
  --token T               the device token (or LOA_RECEIVER_TOKEN, out of sight of ps)
  --enrol TEXT            the enrolment line of the receiver's token page (its QR code holds the same),
                          or LOA_RECEIVER_ENROL: server and token in one; kept in DIR/enrolment.json
                          (readable by its owner only), so later starts need only --cache
  --cache DIR             cache, queue and enrolment (default ./receiver-cache)
  --player "CMD {file}"   audio player (default: ffplay or mpg123, at the volume the commune sets)
  --cache-max-mb N        largest cache (default 1024)
  --volume N              volume to start at, 0–100 (default 80), until the commune sets one;
                          the player command gets it as {volume} (percent) or {scale} (mpg123 -f)
  --poll-s S              schedule poll when the push channel is down (default 60)
  --heartbeat-s S         heartbeat interval, 1–60 (default 60: the server counts missed minutes)
  --no-push               poll only, no push channel
  -h, --help              this help`;

export const simulateUsage = `Usage: loa simulate --server URL [--receivers N] [--hamlet ID] [--tokens FILE] [--duration-s S]

Runs N virtual receivers (the real agent, in memory, with a silent player) against a server, prints
their state every 10 s as a JSON line, and a summary at the end.

  --server URL            the Loa server, e.g. http://localhost:3000
  --receivers N           how many (default 10)
  --hamlet ID             all in this hamlet (default: spread over every hamlet)
  --tokens FILE           device tokens, one per line, instead of making receivers
  --duration-s S          stop after S seconds (default: at Ctrl-C)
  -h, --help              this help

Without --tokens the receivers are made as LOA_USERNAME (default admin) with LOA_PASSWORD and named
"${SIMULATED_PREFIX}N", so every list shows them as simulated. A run reuses those an earlier run left
(with new tokens) and disables them when it ends, so they never show as boxes gone offline.`;

/** A bad option: said in one line with where to find help, never as a stack trace. */
class OptionError extends Error {
  override readonly name = 'OptionError';
}

const fail = (text: string) => {
  process.stderr.write(`${text}\n`);
  return 1;
};

const positiveInt = (
  value: string | undefined,
  fallback: number,
  name: string,
  min = 1,
  max = Infinity,
): number => {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new OptionError(`--${name} must be a whole number ${range} (got "${value}")`);
  }
  return n;
};

const serverUrl = (value: string | undefined): string => {
  if (!value || !/^https?:\/\/[^/]/.test(value))
    throw new OptionError('--server must be the Loa server URL, e.g. https://loa.cocsan.vn');
  return value.replace(/\/+$/, '');
};

/** `parseArgs` with `-h/--help`; an unknown or malformed option becomes an OptionError. */
function options<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], spec: T) {
  try {
    return parseArgs({ args: [...argv], options: { ...spec, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    throw new OptionError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a device command, printing its help on -h and a bad option as one line with the way to help. */
const withHelp =
  (name: string, usage: string, run: DeviceCommand): DeviceCommand =>
  async (argv) => {
    if (argv.includes('-h') || argv.includes('--help')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    try {
      return await run(argv);
    } catch (error) {
      if (error instanceof OptionError) return fail(`loa ${name}: ${error.message}\nSee: loa ${name} --help`);
      throw error;
    }
  };

const onSignal = (stop: () => Promise<void>) => {
  const handler = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
};

/**
 * The box's enrolment: read from `--enrol` (or LOA_RECEIVER_ENROL) and kept in the cache folder with
 * owner-only permissions, or read from there on a later start; a damaged one stops the box only when no
 * token is given otherwise.
 */
function enrolmentOf(dir: string, text: string | undefined, tokenGiven: boolean): Enrolment | undefined {
  const file = join(dir, 'enrolment.json');
  if (text) {
    const parsed = parseEnrolment(text);
    if (!parsed.ok) throw new OptionError(`--enrol: ${parsed.error}`);
    mkdirSync(dir, { recursive: true });
    // Whole or not at all: a box loses power at any moment, and the next start reads this file alone.
    const part = `${file}.part`;
    writeFileSync(part, `${JSON.stringify(parsed.value)}\n`, { mode: 0o600 });
    chmodSync(part, 0o600);
    const fd = openSync(part, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(part, file);
    return parsed.value;
  }
  if (!existsSync(file)) return undefined;
  let saved: Partial<Enrolment> | undefined;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<Enrolment>;
  } catch {
    saved = undefined;
  }
  const q = new URLSearchParams({ server: saved?.server ?? '', token: saved?.token ?? '' });
  const parsed = parseEnrolment(`loa-receiver:?${q}`);
  if (!parsed.ok) {
    if (tokenGiven) return undefined;
    throw new OptionError(
      `${file} is damaged: enrol the box again with --enrol "loa-receiver:?…" from its token page`,
    );
  }
  return parsed.value;
}

/** `loa receiver`: the agent of one loudspeaker box. */
const receiver: DeviceCommand = async (argv) => {
  const values = options(argv, {
    server: { type: 'string' },
    token: { type: 'string' },
    enrol: { type: 'string' },
    cache: { type: 'string' },
    player: { type: 'string' },
    'cache-max-mb': { type: 'string' },
    volume: { type: 'string' },
    'poll-s': { type: 'string' },
    'heartbeat-s': { type: 'string' },
    'no-push': { type: 'boolean' },
  });
  const dir = resolve(values.cache ?? './receiver-cache');
  // The environment keeps the token out of `ps`, where every user of the box could read it.
  const given = values.token ?? (process.env.LOA_RECEIVER_TOKEN || undefined);
  const enrolled = enrolmentOf(
    dir,
    values.enrol ?? (process.env.LOA_RECEIVER_ENROL || undefined),
    given !== undefined,
  );
  const server = serverUrl(values.server ?? enrolled?.server);
  const token = given ?? enrolled?.token;
  if (!token)
    return fail(
      'Give the device token: --token T, or LOA_RECEIVER_TOKEN in the environment, or --enrol "loa-receiver:?…" from the receiver\'s token page.',
    );
  const command = values.player ?? defaultPlayerCommand();
  if (!command)
    return fail('No player found: install ffmpeg (ffplay) or mpg123, or give --player "CMD {file}".');
  // 0 starts a box silent, as the volume command may set it.
  const volume = positiveInt(values.volume, 80, 'volume', 0, 100);
  const store = createSqliteStore(join(dir, 'agent.sqlite'));
  const cache = createFileCache({
    dir,
    maxBytes: positiveInt(values['cache-max-mb'], 1024, 'cache-max-mb') * 1024 * 1024,
    download: (url, headers) =>
      fetch(new URL(url, `${server}/`), { headers, signal: AbortSignal.timeout(10 * 60_000) }),
    logger: consoleLogger,
  });
  const agent = createAgent({
    server,
    token,
    store,
    cache,
    player: createCommandPlayer(command),
    resolveHost,
    logger: consoleLogger,
    appVersion,
    pollMs: positiveInt(values['poll-s'], 60, 'poll-s') * 1000,
    // The server reads silence in minutes (offline after 3, an alarm after 3): a slower box would flap.
    heartbeatMs: positiveInt(values['heartbeat-s'], 60, 'heartbeat-s', 1, 60) * 1000,
    sse: !values['no-push'],
    volume,
    readStatus: async () => {
      const fs = await statfs(dir);
      return { signal: null, freeBytes: fs.bavail * fs.bsize, uptimeS: Math.round(uptime()) };
    },
  });
  agent.start();
  consoleLogger.info('receiver agent started', { server, cache: dir, player: command });
  onSignal(async () => {
    await agent.stop();
    store.close();
  });
  return -1;
};

/** `loa simulate`: many virtual receivers against a server, printing what they do. */
const simulate: DeviceCommand = async (argv) => {
  const values = options(argv, {
    server: { type: 'string' },
    receivers: { type: 'string' },
    tokens: { type: 'string' },
    hamlet: { type: 'string' },
    'duration-s': { type: 'string' },
  });
  const server = serverUrl(values.server);
  const count = positiveInt(values.receivers, 10, 'receivers');
  const durationS = values['duration-s'] ? positiveInt(values['duration-s'], 60, 'duration-s') : undefined;
  let made: Awaited<ReturnType<typeof simulatedReceivers>> | undefined;
  try {
    if (!values.tokens) made = await simulatedReceivers(server, count, values.hamlet);
  } catch (error) {
    return fail(`loa simulate: ${error instanceof Error ? error.message : String(error)}`);
  }
  const tokens = made
    ? made.tokens
    : readFileSync(values.tokens!, 'utf8').split(/\s+/).filter(Boolean).slice(0, count);
  if (made) {
    process.stdout.write(
      `Simulated receivers: ${made.reused} reused from an earlier run, ${made.created} made, named "${SIMULATED_PREFIX}N".\n`,
    );
  }
  // Boxes power up over a few seconds, not all in the same millisecond.
  const simulation = createSimulation({
    server,
    tokens,
    resolveHost,
    rampMs: Math.min(5000, tokens.length * 20),
  });
  const started = Date.now();
  simulation.start();
  const print = () =>
    process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...simulation.stats() })}\n`);
  const ticker = setInterval(print, 10_000);
  const stop = async () => {
    clearInterval(ticker);
    print();
    const s = simulation.stats();
    await simulation.stop();
    const released = made ? await made.release() : 0;
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(
      `Summary: ${s.receivers} receivers for ${seconds} s: ${s.online} online, ${s.pushConnected} with a push channel, ` +
        `${s.unauthorized} refused (401); ${s.played} items played, ${s.delivered} log events delivered ` +
        `(${s.duplicates} duplicates, ${s.pending} still queued).\n` +
        (made ? `The ${released} simulated receivers are disabled now; the next run reuses them.\n` : ''),
    );
  };
  if (durationS) {
    await new Promise((r) => setTimeout(r, durationS * 1000));
    await stop();
    return 0;
  }
  onSignal(stop);
  return -1;
};

export const workerUsage = `Usage: loa worker --edge URL --token T [--node NAME] [--work DIR] [--once]

Runs a processing node for the edge profile (Cloudflare Workers, where no ffmpeg runs): pulls its audio
jobs — typed texts to speak, recordings from phones that could not process them — levels and encodes
them with this machine's ffmpeg and espeak-ng, exactly as \`loa serve\` does, and posts the MP3 back.

  --edge URL              the edge deployment, e.g. https://loa.example.workers.dev
  --token T               the deployment's LOA_PROCESSING_TOKEN (or LOA_PROCESSING_TOKEN here)
  --node NAME             this node's name, under which it holds its jobs (default: the host name)
  --work DIR              work folder (default ./processing-work)
  --once                  do the jobs waiting now, then stop
  -h, --help              this help`;

/** `loa worker --edge`: a processing node for the edge profile. */
async function worker(argv: readonly string[]): Promise<number> {
  const v = options(argv, {
    edge: { type: 'string' },
    token: { type: 'string' },
    node: { type: 'string' },
    work: { type: 'string' },
    once: { type: 'boolean' },
  });
  if (!v.edge || !/^https?:\/\/[^/]/.test(v.edge)) {
    throw new OptionError('--edge must be the edge deployment URL, e.g. https://loa.example.workers.dev');
  }
  const token = v.token ?? process.env.LOA_PROCESSING_TOKEN;
  if (!token) throw new OptionError('--token (or LOA_PROCESSING_TOKEN) is required');
  const node = createProcessingNode({
    edge: v.edge,
    token,
    node: v.node ?? hostname(),
    workDir: resolve(v.work ?? 'processing-work'),
  });
  if (v.once) {
    while (await node.once());
    return 0;
  }
  const stop = new AbortController();
  onSignal(async () => stop.abort());
  await node.run(stop.signal);
  return 0;
}

export const deviceCommands: Readonly<Record<string, DeviceCommand>> = {
  receiver: withHelp('receiver', receiverUsage, receiver),
  worker: withHelp('worker', workerUsage, worker),
  simulate: withHelp('simulate', simulateUsage, simulate),
};
