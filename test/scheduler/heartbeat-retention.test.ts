import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soleLeader } from '../../src/db/leader-lock.node.js';
import { createDispatcher } from '../../src/scheduler/dispatcher.js';
import { webIds } from '../../src/domain/ports/ids.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

interface LogLine {
  readonly level: 'info' | 'warn' | 'error' | 'debug';
  readonly obj: object;
  readonly msg: string | undefined;
}

function recordingLogger(lines: LogLine[]): Logger {
  const logger: Logger = {
    info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
    debug: (obj, msg) => void lines.push({ level: 'debug', obj, msg }),
    child: () => logger,
  };
  return logger;
}

/** Heartbeat history rows of the example commune's first receiver, `ages` ms before the fake clock's now. */
async function insertHeartbeats(h: Harness, ages: readonly number[]): Promise<void> {
  const { id: receiverId } = await h.runtime.db.kysely
    .selectFrom('receivers')
    .select('id')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const now = h.clock.now().getTime();
  await h.runtime.db.kysely
    .insertInto('receiver_heartbeats')
    .values(
      ages.map((age) => ({
        id: webIds.id(),
        receiver_id: receiverId,
        at: new Date(now - age).toISOString(),
        volume: 80,
        uptime_s: 3600,
        free_bytes: 1_000_000,
        signal: -70,
        app_version: '1.0.0',
      })),
    )
    .execute();
}

async function countHeartbeats(h: Harness): Promise<number> {
  const { n } = await h.runtime.db.kysely
    .selectFrom('receiver_heartbeats')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

describe.each(dialects)('heartbeat retention by the dispatcher on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('prunes history older than 30 days on the first tick, then once an hour by the fake clock', async () => {
    await insertHeartbeats(h, [31 * day, 30 * day + minute, 29 * day, hour]);
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ leader: true, pruned: 2 });
    expect(await countHeartbeats(h)).toBe(2);

    // Old again, but the last pruning was less than an hour ago.
    await insertHeartbeats(h, [30 * day + minute]);
    expect((await h.runtime.dispatcher.tick()).pruned).toBe(0);
    h.clock.advance(59 * minute);
    expect((await h.runtime.dispatcher.tick()).pruned).toBe(0);
    expect(await countHeartbeats(h)).toBe(3);

    h.clock.advance(minute);
    expect((await h.runtime.dispatcher.tick()).pruned).toBe(1);
    expect(await countHeartbeats(h)).toBe(2);

    h.clock.advance(30 * minute);
    await insertHeartbeats(h, [40 * day]);
    expect((await h.runtime.dispatcher.tick()).pruned).toBe(0);
    h.clock.advance(30 * minute);
    expect((await h.runtime.dispatcher.tick()).pruned).toBe(1);
  });

  it('uses the configured retention and logs what it pruned at info level, and nothing when it pruned nothing', async () => {
    const lines: LogLine[] = [];
    const dispatcher = createDispatcher({
      services: h.runtime.services,
      clock: h.clock,
      logger: recordingLogger(lines),
      lock: soleLeader,
      heartbeatRetentionDays: 7,
    });
    await h.runtime.db.kysely.deleteFrom('receiver_heartbeats').execute();
    await insertHeartbeats(h, [8 * day, 7 * day + minute, 6 * day]);
    const before = new Date(h.clock.now().getTime() - 7 * day).toISOString();
    expect((await dispatcher.tick()).pruned).toBe(2);
    expect(lines).toContainEqual({
      level: 'info',
      obj: { pruned: 2, before },
      msg: 'heartbeat history pruned',
    });

    lines.length = 0;
    h.clock.advance(hour);
    expect((await dispatcher.tick()).pruned).toBe(0);
    expect(lines.filter((l) => /heartbeat/.test(l.msg ?? ''))).toEqual([]);
  });
});

describe('heartbeat retention when the database misbehaves', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(() => h.close());

  function dispatcherWith(prune: (maxRows: number | undefined) => Promise<number>) {
    const lines: LogLine[] = [];
    const calls: string[] = [];
    const services = {
      ...h.runtime.services,
      receivers: {
        ...h.runtime.services.receivers,
        pruneHeartbeats: (before: string, opts?: { readonly maxRows?: number }) => {
          calls.push(before);
          return prune(opts?.maxRows);
        },
      },
    };
    const dispatcher = createDispatcher({
      services,
      clock: h.clock,
      logger: recordingLogger(lines),
      lock: soleLeader,
    });
    return { dispatcher, lines, calls };
  }

  it('logs a failure instead of throwing out of the tick, and tries again an hour later', async () => {
    const { dispatcher, lines, calls } = dispatcherWith(async () => {
      throw new Error('database is locked');
    });
    const tick = await dispatcher.tick();
    expect(tick).toMatchObject({ leader: true, pruned: 0 });
    expect(lines).toContainEqual({
      level: 'error',
      obj: { err: 'database is locked', before: expect.any(String) },
      msg: 'heartbeat pruning failed',
    });
    h.clock.advance(30 * minute);
    await dispatcher.tick();
    expect(calls).toHaveLength(1);
    h.clock.advance(30 * minute);
    await dispatcher.tick();
    expect(calls).toHaveLength(2);
  });

  it('goes on at the next tick while a backlog remains, then waits an hour', async () => {
    let backlog = 2;
    const { dispatcher, calls } = dispatcherWith(async (maxRows) => {
      expect(maxRows).toBeGreaterThan(0);
      // A full share means there may be more: the first run on a large table.
      return backlog-- > 0 ? maxRows! : 7;
    });
    for (let i = 0; i < 5; i++) {
      await dispatcher.tick();
      h.clock.advance(30_000);
    }
    expect(calls).toHaveLength(3);
  });
});
