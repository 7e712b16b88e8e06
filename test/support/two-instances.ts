import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pino from 'pino';
import type { Database } from '../../src/db/schema.js';
import { createNodeRuntime, type NodeRuntime } from '../../src/node.js';
import { adminPassword, createHarness } from './harness.js';
import { serveLoa } from './serve.js';

/** Two instances of the service on one database, each behind its own real HTTP port. */
export interface TwoInstances {
  readonly dialect: 'sqlite' | 'postgres';
  readonly urls: readonly [string, string];
  /** A bearer token of a commune-wide user, valid on both (sessions live in the shared database). */
  readonly token: string;
  /** Now on the instances' clock: the harness's fake clock on PostgreSQL, the system's in child processes. */
  now(): number;
  /** A connection of the test's own, to look at what was stored. */
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

function listen(runtime: NodeRuntime): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

function stopServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

const urlOf = (server: ServerType) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * PostgreSQL: two runtimes in this process on one database (the harness's and a second one sharing its
 * fake clock), each with its own connection pool and event bus, each on a real port.
 */
async function postgresPair(): Promise<TwoInstances> {
  const h = await createHarness('postgres');
  const second = await createNodeRuntime(h.runtime.config, {
    clock: h.clock,
    logger: pino({ level: 'silent' }),
  });
  const servers = [await listen(h.runtime), await listen(second)] as const;
  return {
    dialect: 'postgres',
    urls: [urlOf(servers[0]), urlOf(servers[1])],
    token: h.tokens.officer,
    now: () => h.clock.now().getTime(),
    db: h.runtime.db.kysely,
    async close() {
      await Promise.all(servers.map(stopServer));
      await second.close();
      await h.close();
    },
  };
}

/**
 * SQLite: two `loa serve` processes on one data folder (better-sqlite3 is synchronous, so two instances
 * must be two processes), started one after the other so that only the first migrates and seeds.
 */
async function sqlitePair(): Promise<TwoInstances> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-two-'));
  const file = join(dir, 'data', 'loa.sqlite');
  const env = {
    DATA_DIR: join(dir, 'data'),
    MEDIA_DIR: join(dir, 'media'),
    DATABASE_URL: `sqlite:${file}`,
    LOA_ADMIN_PASSWORD: adminPassword,
    // `serveLoa` waits for the "listening" line, logged at info.
    LOG_LEVEL: 'info',
  };
  const first = await serveLoa(env);
  const second = await serveLoa(env).catch(async (error: unknown) => {
    await first.stop();
    throw error;
  });
  const login = await fetch(`${first.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(file) }) });
  return {
    dialect: 'sqlite',
    urls: [first.url, second.url],
    token,
    now: () => Date.now(),
    db,
    async close() {
      await db.destroy();
      await Promise.all([first.stop(), second.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Two instances on one database of the given dialect, warmed up: each has answered a burst of reads, so
 * that its connection pool is open and the first race is not serialised by connections still opening.
 */
export async function startTwoInstances(dialect: 'sqlite' | 'postgres'): Promise<TwoInstances> {
  const two = dialect === 'sqlite' ? await sqlitePair() : await postgresPair();
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const res = await fetch(`${two.urls[i % 2]}/api/v1/broadcasts?hamletId=un-ta`, {
        headers: { authorization: `Bearer ${two.token}` },
      });
      await res.arrayBuffer();
    }),
  );
  return two;
}

export interface Answer {
  readonly status: number;
  readonly body: any;
}

/**
 * Sends every booking at once, alternating between the two instances, and waits for all the answers
 * (in the order of `bodies`).
 */
export const bookAtOnce = (
  two: TwoInstances,
  bodies: readonly unknown[],
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer[]> => postAtOnce(two, '/api/v1/broadcasts', bodies, headers);

/**
 * Sends every JSON body to `path` at once, alternating between the two instances; answers in order.
 * `headers` may name another `authorization` than the pair's token (an admin's, for what officers may not do).
 */
export function postAtOnce(
  two: TwoInstances,
  path: string,
  bodies: readonly unknown[],
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer[]> {
  return Promise.all(
    bodies.map(async (body, i) => {
      const res = await fetch(`${two.urls[i % 2]}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${two.token}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    }),
  );
}

/** The commune's calendar date (Asia/Ho_Chi_Minh, UTC+7 all year) `days` after `ms`. */
export const localDate = (ms: number, days: number): string =>
  new Date(ms + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

export interface StoredOccurrence {
  readonly id: string;
  readonly broadcastId: string;
  readonly startsAt: number;
  readonly durationMs: number;
  readonly priority: string;
  readonly slotName: string | null;
}

/** Live (not cancelled) occurrences of a hamlet starting in [from, to), by start. */
export async function liveOccurrences(
  db: Kysely<Database>,
  hamletId: string,
  from: string,
  to: string,
): Promise<StoredOccurrence[]> {
  const rows = await db
    .selectFrom('occurrences')
    .select(['id', 'broadcast_id', 'starts_at', 'duration_ms', 'priority', 'slot_name'])
    .where('hamlet_id', '=', hamletId)
    .where('status', '!=', 'cancelled')
    .where('starts_at', '>=', new Date(from).toISOString())
    .where('starts_at', '<', new Date(to).toISOString())
    .orderBy('starts_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    broadcastId: r.broadcast_id,
    startsAt: Date.parse(r.starts_at),
    durationMs: Number(r.duration_ms),
    priority: r.priority,
    slotName: r.slot_name,
  }));
}
