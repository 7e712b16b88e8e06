// `npm run bench:commands`: what remote control costs the receivers' hot path, measured in one run on
// this machine (SQLite). Every heartbeat now looks up its box's open commands: heartbeats with that
// lookup against the same heartbeats without it (the use case built without commands), on boxes that
// each have a history of answered commands. Then a command to a hamlet of 1,000 boxes, picked up from
// heartbeat answers and acknowledged. Prints a table for the README; it is not a test.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createUnitOfWork } from '../src/db/repositories/index.js';
import type { ReceiverCommand } from '../src/domain/receiver/command.js';
import type { ReceiverSession } from '../src/domain/receiver/receiver.js';
import { createNodeRuntime } from '../src/node.js';
import { createReceiverSyncService } from '../src/services/receiver-sync.service.js';

const BOXES = 1000;
const HISTORY = 20;
const ROUNDS = 9;
const PASSWORD = 'bench-password-123';
const beat = { volume: 80, uptimeS: 3600, freeBytes: 2_000_000_000, signal: -71, appVersion: '0.1.0' };
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'loa-bench-commands-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    MEDIA_DIR: join(dataDir, 'media'),
    LOA_ADMIN_PASSWORD: PASSWORD,
    LOA_PROVINCE_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'silent',
  });
  const runtime = await createNodeRuntime(config, { logger: pino({ level: 'silent' }) });
  const call = async (path: string, init: { method?: string; token?: string; json?: unknown } = {}) => {
    const res = await runtime.app.request(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        ...(init.json !== undefined && { 'content-type': 'application/json' }),
      },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  try {
    const admin = (await call('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'admin', password: PASSWORD },
    })) as { token: string };
    const boxes: { id: string; token: string; session: ReceiverSession }[] = [];
    for (let i = 0; i < BOXES; i++) {
      const made = (await call('/api/v1/receivers', {
        method: 'POST',
        token: admin.token,
        json: { hamletId: 'un-ta', name: `Loa đo ${i}` },
      })) as { receiver: { id: string }; token: string };
      const session = (await runtime.services.receiverSync.authenticate(made.token))!;
      boxes.push({ id: made.receiver.id, token: made.token, session });
    }
    // A history of answered commands on every box: the lookup must not read it.
    const now = new Date().toISOString();
    const history: ReceiverCommand[] = boxes.flatMap((b) =>
      Array.from({ length: HISTORY }, (_, i) => ({
        id: `old-${b.id}-${i}`,
        receiverId: b.id,
        hamletId: 'un-ta',
        kind: 'volume' as const,
        args: { volume: 50 },
        issuedBy: 'bench',
        issuedAt: now,
        expiresAt: now,
        state: 'acknowledged' as const,
        deliveredAt: now,
        answeredAt: now,
        result: 'volume 50%',
      })),
    );
    for (let i = 0; i < history.length; i += 500)
      await runtime.repos.receiverCommands.insertCommands(history.slice(i, i + 500));

    const tx = createUnitOfWork(runtime.db);
    const withLookup = runtime.services.receiverSync;
    const without = createReceiverSyncService({
      repos: runtime.repos,
      tx,
      clock: { now: () => new Date() },
      ids: { id: () => crypto.randomUUID(), token: () => crypto.randomUUID() } as never,
    });
    const time = async (service: typeof withLookup) => {
      const started = performance.now();
      for (const b of boxes) await service.heartbeat(b.session, beat);
      return (performance.now() - started) / boxes.length;
    };
    await time(without);
    await time(withLookup);
    const rounds: { base: number; lookup: number }[] = [];
    for (let r = 0; r < ROUNDS; r++)
      rounds.push({ base: await time(without), lookup: await time(withLookup) });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = median(rounds.map((r) => r.base));
    const lookup = median(rounds.map((r) => r.lookup));
    // The machine's speed drifts between rounds: the ratio within each round is the fairer figure.
    const ratio = median(rounds.map((r) => r.lookup / r.base));

    // A hamlet command reaching 1,000 boxes that only poll: issued, then each heartbeat answer carries
    // it and the box acknowledges it.
    const issuedAt = performance.now();
    const issued = (await call('/api/v1/hamlets/un-ta/commands', {
      method: 'POST',
      token: admin.token,
      json: { kind: 'volume', volume: 35 },
    })) as { items: { id: string; receiverId: string }[] };
    const issueMs = performance.now() - issuedAt;
    const commandOf = new Map(issued.items.map((c) => [c.receiverId, c.id]));
    const answeredAt = performance.now();
    for (const b of boxes) {
      const answer = (await call('/api/v1/receiver/heartbeat', {
        method: 'POST',
        token: b.token,
        json: beat,
      })) as {
        commands?: { id: string }[];
      };
      const id = answer.commands?.[0]?.id;
      if (!id || id !== commandOf.get(b.id)) throw new Error(`box ${b.id} did not get its command`);
      await call(`/api/v1/receiver/commands/${id}/ack`, {
        method: 'POST',
        token: b.token,
        json: { ok: true, result: 'volume 35%' },
      });
    }
    const roundTripMs = performance.now() - answeredAt;

    process.stdout.write(
      `Remote control on the receivers' hot path — SQLite, ${cpus().length} cores, ${BOXES} boxes with ${HISTORY} answered commands each; median of ${ROUNDS} rounds.\n\n` +
        `| heartbeat (use case, one unit of work) | µs each | of baseline |\n|---|---:|---:|\n` +
        `| without the command lookup (baseline) | ${fmt(base * 1000)} | 100 % |\n` +
        `| with the lookup of open commands | ${fmt(lookup * 1000)} | ${fmt(ratio * 100)} % (median of the rounds' ratios) |\n\n` +
        `Rounds (µs, baseline / with lookup): ${rounds.map((r) => `${fmt(r.base * 1000)} / ${fmt(r.lookup * 1000)}`).join(', ')}\n` +
        `A command to the hamlet: issued to ${issued.items.length} boxes in ${fmt(issueMs)} ms (one unit of work, audited per box);\n` +
        `  picked up from heartbeat answers and acknowledged by all of them in ${fmt(roundTripMs)} ms over HTTP (${fmt(roundTripMs / BOXES, 2)} ms per box, heartbeat + ack).\n`,
    );
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
