import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { uptime } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAgent } from '../receiver/agent.js';
import { createCommandPlayer, defaultPlayerCommand } from '../receiver/command-player.node.js';
import { createFileCache } from '../receiver/file-cache.node.js';
import { consoleLogger } from '../receiver/ports.js';
import { resolveHost } from '../receiver/resolve-host.node.js';
import { createSimulation } from '../receiver/simulate.js';
import { createSqliteStore } from '../receiver/sqlite-store.node.js';

/** Commands that run on or as a loudspeaker box: they talk to a server and need no database. */
type DeviceCommand = (argv: readonly string[]) => Promise<number>;

const appVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const fail = (text: string) => {
  process.stderr.write(`${text}\n`);
  return 1;
};

const positiveInt = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1 (got "${value}")`);
  return n;
};

const serverUrl = (value: string | undefined): string => {
  if (!value || !/^https?:\/\/[^/]/.test(value))
    throw new Error('--server must be the Loa server URL, e.g. https://loa.cocsan.vn');
  return value.replace(/\/+$/, '');
};

const onSignal = (stop: () => Promise<void>) => {
  const handler = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
};

/** `loa receiver`: the agent of one loudspeaker box. */
const receiver: DeviceCommand = async (argv) => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      cache: { type: 'string' },
      player: { type: 'string' },
      'cache-max-mb': { type: 'string' },
      volume: { type: 'string' },
      'poll-s': { type: 'string' },
      'heartbeat-s': { type: 'string' },
      'no-push': { type: 'boolean' },
    },
  });
  const server = serverUrl(values.server);
  // The environment keeps the token out of `ps`, where every user of the box could read it.
  const token = values.token ?? process.env.LOA_RECEIVER_TOKEN;
  if (!token) return fail('Give the device token: --token T, or LOA_RECEIVER_TOKEN in the environment.');
  const dir = resolve(values.cache ?? './receiver-cache');
  const command = values.player ?? defaultPlayerCommand();
  if (!command)
    return fail('No player found: install ffmpeg (ffplay) or mpg123, or give --player "CMD {file}".');
  const volume = Math.min(100, positiveInt(values.volume, 80, 'volume'));
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
    heartbeatMs: positiveInt(values['heartbeat-s'], 60, 'heartbeat-s') * 1000,
    sse: !values['no-push'],
    readStatus: async () => {
      const fs = await statfs(dir);
      return { volume, signal: null, freeBytes: fs.bavail * fs.bsize, uptimeS: Math.round(uptime()) };
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

async function createSimReceivers(
  server: string,
  count: number,
  hamlet: string | undefined,
): Promise<string[]> {
  const username = process.env.LOA_USERNAME ?? 'admin';
  const password = process.env.LOA_PASSWORD;
  if (!password)
    throw new Error(
      'Without --tokens, set LOA_PASSWORD (and LOA_USERNAME, default admin) to create simulated receivers.',
    );
  const call = async (path: string, init: RequestInit = {}, bearer?: string) => {
    const res = await fetch(`${server}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(bearer && { authorization: `Bearer ${bearer}` }) },
    });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const { token } = (await call('/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  })) as { token: string };
  const hamlets = hamlet
    ? [hamlet]
    : ((await call('/api/v1/hamlets?limit=200', {}, token)).items as { id: string }[]).map((h) => h.id);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({ hamletId: hamlets[i % hamlets.length], name: `Loa mô phỏng ${i + 1}` });
    tokens.push(
      ((await call('/api/v1/receivers', { method: 'POST', body }, token)) as { token: string }).token,
    );
  }
  return tokens;
}

/** `loa simulate`: many virtual receivers against a server, printing what they do. */
const simulate: DeviceCommand = async (argv) => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      receivers: { type: 'string' },
      tokens: { type: 'string' },
      hamlet: { type: 'string' },
      'duration-s': { type: 'string' },
    },
  });
  const server = serverUrl(values.server);
  const count = positiveInt(values.receivers, 10, 'receivers');
  const tokens = values.tokens
    ? readFileSync(values.tokens, 'utf8').split(/\s+/).filter(Boolean).slice(0, count)
    : await createSimReceivers(server, count, values.hamlet);
  // Boxes power up over a few seconds, not all in the same millisecond.
  const simulation = createSimulation({
    server,
    tokens,
    resolveHost,
    rampMs: Math.min(5000, tokens.length * 20),
  });
  simulation.start();
  const print = () =>
    process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...simulation.stats() })}\n`);
  const ticker = setInterval(print, 10_000);
  const stop = async () => {
    clearInterval(ticker);
    print();
    await simulation.stop();
  };
  const duration = values['duration-s'];
  if (duration) {
    await new Promise((r) => setTimeout(r, positiveInt(duration, 60, 'duration-s') * 1000));
    await stop();
    return 0;
  }
  onSignal(stop);
  return -1;
};

export const deviceCommands: Readonly<Record<string, DeviceCommand>> = { receiver, simulate };
