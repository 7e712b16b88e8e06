import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNotification, encodeEvent, NOTIFY_MAX_BYTES } from '../../src/events/notification.node.js';
import { createPostgresEventBus, type PostgresEventBus } from '../../src/events/pg-event-bus.node.js';
import { createNodeRuntime, type NodeRuntime } from '../../src/node.js';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

const url = process.env.TEST_DATABASE_URL;

/** Many hamlets, as a district-wide schedule change would touch: far over one NOTIFY payload. */
const manyVersions = (n: number): Record<string, number> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`thon-${i}-ban-${(i * 7919) % 10007}`, i + 1]));

describe('event notification payloads', () => {
  it('keeps a small event in one payload and reads it back', () => {
    const event: LoaEvent = { type: 'stop', hamletIds: ['un-ta'], occurrenceId: null };
    const payloads = encodeEvent('instance-1', event);
    expect(payloads).toEqual([
      '{"from":"instance-1","event":{"type":"stop","hamletIds":["un-ta"],"occurrenceId":null}}',
    ]);
    expect(decodeNotification(payloads[0])).toEqual({ from: 'instance-1', event });
  });

  it('splits a schedule change over many hamlets into payloads under the NOTIFY limit, losing nothing', () => {
    const versions = manyVersions(2000);
    const payloads = encodeEvent('instance-1', { type: 'schedule-changed', versions });
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_MAX_BYTES);
    const merged = Object.assign(
      {},
      ...payloads.map((p) => {
        const event = decodeNotification(p)!.event;
        return event.type === 'schedule-changed' ? event.versions : {};
      }),
    );
    expect(merged).toEqual(versions);
    // Filled close to the limit, not split needlessly small.
    expect(Buffer.byteLength(payloads[0]!)).toBeGreaterThan(NOTIFY_MAX_BYTES - 40);
  });

  it('keeps an emergency to every hamlet in one payload: it names its booking', () => {
    const event: LoaEvent = { type: 'emergency', bookingId: 'booking-1', dueBy: '2026-11-27T01:01:00.000Z' };
    const payloads = encodeEvent('instance-1', event);
    expect(payloads).toHaveLength(1);
    expect(decodeNotification(payloads[0])).toEqual({ from: 'instance-1', event });
  });

  it('splits a stop over many hamlets into payloads under the NOTIFY limit, losing none', () => {
    const hamletIds = Object.keys(manyVersions(2000));
    const payloads = encodeEvent('instance-1', { type: 'stop', hamletIds, occurrenceId: null });
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_MAX_BYTES);
    const merged = payloads.flatMap((p) => {
      const event = decodeNotification(p)!.event;
      return event.type === 'stop' && event.occurrenceId === null ? event.hamletIds : [];
    });
    expect(merged).toEqual(hamletIds);
  });

  it.each([
    ['empty', ''],
    ['not JSON', 'hello'],
    ['no sender', '{"event":{"type":"receiver-revoked","receiverId":"r1"}}'],
    ['unknown type', '{"from":"x","event":{"type":"explode"}}'],
    ['wrong field type', '{"from":"x","event":{"type":"emergency","bookingId":5,"dueBy":"o"}}'],
    ['stop naming no hamlet', '{"from":"x","event":{"type":"stop","hamletIds":[],"occurrenceId":null}}'],
    ['fractional version', '{"from":"x","event":{"type":"schedule-changed","versions":{"un-ta":1.5}}}'],
  ])('refuses a malformed payload: %s', (_, payload) => {
    expect(decodeNotification(payload)).toBeUndefined();
  });
});

interface LogLine {
  readonly level: string;
  readonly msg: string | undefined;
  readonly obj: object;
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void lines.push({ level, msg, obj });
  const logger: Logger = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: () => logger,
  };
  return { logger, lines };
}

/** Waits for something asynchronous (a notification) with a deadline instead of a fixed sleep. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collect(bus: PostgresEventBus): LoaEvent[] {
  const got: LoaEvent[] = [];
  bus.subscribe((event) => got.push(event));
  return got;
}

describe.runIf(url)('PostgreSQL event bus (LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const buses: PostgresEventBus[] = [];

  async function bus(
    logger: Logger = recordingLogger().logger,
    outboxMaxBytes?: number,
  ): Promise<PostgresEventBus> {
    const made = await createPostgresEventBus({ url: database.url!, logger, outboxMaxBytes });
    buses.push(made);
    return made;
  }

  /** Ends a bus's listening connection from another session, as a restart or a network cut would. */
  async function killListener(target: PostgresEventBus): Promise<void> {
    const { rows } = await admin.query<{ ok: boolean }>(
      'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1',
      [`loa-events/${target.instanceId}`],
    );
    expect(rows).toEqual([{ ok: true }]);
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await admin?.end();
    await database?.drop();
  });

  it('delivers an event published on A to B, and to A’s own subscribers exactly once', async () => {
    const a = await bus();
    const b = await bus();
    const onA = collect(a);
    const onB = collect(b);
    const events: LoaEvent[] = [
      { type: 'schedule-changed', versions: { 'un-ta': 4, 'thon-2': 9 } },
      { type: 'emergency', bookingId: 'bk-1', dueBy: '2026-11-27T01:01:00.000Z' },
      { type: 'stop', hamletIds: ['un-ta'], occurrenceId: null },
      { type: 'receiver-revoked', receiverId: 'rcv-1' },
    ];
    for (const e of events) a.publish(e);
    // At once on the publisher: no round trip through PostgreSQL.
    expect(onA).toEqual(events);
    await eventually(() => onB.length === events.length, 'the events on B');
    expect(onB).toEqual(events);

    // Notifications arrive in commit order: once B's reply reaches A, A has seen (and skipped) its own.
    const reply: LoaEvent = { type: 'receiver-revoked', receiverId: 'rcv-2' };
    b.publish(reply);
    await eventually(() => onA.length > events.length, 'the reply on A');
    expect(onA).toEqual([...events, reply]);
    expect(onB).toEqual([...events, reply]);
  });

  it('brings a schedule change over 2,000 hamlets to B whole, in several notifications', async () => {
    const a = await bus();
    const b = await bus();
    const onA = collect(a);
    const onB = collect(b);
    const versions = manyVersions(2000);
    a.publish({ type: 'schedule-changed', versions });
    expect(onA).toEqual([{ type: 'schedule-changed', versions }]);
    const merged: Record<string, number> = {};
    await eventually(() => {
      for (const e of onB.splice(0)) if (e.type === 'schedule-changed') Object.assign(merged, e.versions);
      return Object.keys(merged).length === 2000;
    }, 'all 2,000 hamlets on B');
    expect(merged).toEqual(versions);
  });

  it('brings a burst the size of a country-wide emergency to B whole and in order', async () => {
    // One emergency, the versions of 30,000 hamlets (hundreds of payloads) and one `emergency-sent` per
    // commune, published at once: more than a thousand payloads queue before the first is sent.
    const log = recordingLogger();
    const a = await bus(log.logger);
    const b = await bus();
    const onB = collect(b);
    const versions = manyVersions(30_000);
    const sentEvents = Array.from({ length: 3321 }, (_, i): LoaEvent => ({
      type: 'emergency-sent',
      broadcastId: `bc-${i}`,
      provinceId: 'lao-cai',
      communeId: `xa-${i}`,
      hamletIds: [`thon-${i}-1`, `thon-${i}-2`],
      startsAt: '2026-11-27T01:00:00.000Z',
      title: 'Cảnh báo bão khẩn cấp',
      sentBy: 'can-bo-tinh',
      sentAt: '2026-11-27T01:00:00.000Z',
    }));
    a.publish({ type: 'emergency', bookingId: 'bk-country', dueBy: '2026-11-27T01:01:00.000Z' });
    a.publish({ type: 'schedule-changed', versions });
    for (const e of sentEvents) a.publish(e);
    const last = sentEvents.at(-1);
    await eventually(
      () => onB.at(-1) === last || onB.some((e) => JSON.stringify(e) === JSON.stringify(last)),
      'the last event on B',
      30_000,
    );
    expect(onB[0]).toEqual({ type: 'emergency', bookingId: 'bk-country', dueBy: '2026-11-27T01:01:00.000Z' });
    const changes = onB.filter((e) => e.type === 'schedule-changed');
    expect(changes.length).toBeGreaterThan(100);
    expect(Object.assign({}, ...changes.map((e) => e.versions))).toEqual(versions);
    expect(onB.slice(1 + changes.length)).toEqual(sentEvents);
    expect(log.lines.filter((l) => /outbox full/.test(l.msg ?? ''))).toEqual([]);
  });

  it('ignores and logs malformed notifications, and goes on delivering', async () => {
    const a = await bus();
    const log = recordingLogger();
    const b = await bus(log.logger);
    const onB = collect(b);
    const bad = ['', 'not json', '{"from":"x","event":{"type":"explode"}}', '{"from":"x","event":null}'];
    for (const payload of bad) await admin.query('select pg_notify($1, $2)', ['loa_events', payload]);
    const good: LoaEvent = { type: 'emergency', bookingId: 'bk-2', dueBy: '2026-11-27T01:01:00.000Z' };
    a.publish(good);
    await eventually(() => onB.length === 1, 'the good event on B');
    expect(onB).toEqual([good]);
    expect(log.lines.filter((l) => l.msg === 'ignored a malformed event notification')).toHaveLength(
      bad.length,
    );
  });

  it('reconnects when its listening connection is killed, and delivers again', async () => {
    const a = await bus();
    const log = recordingLogger();
    const b = await bus(log.logger);
    const onB = collect(b);
    await killListener(b);
    await eventually(
      () => log.lines.some((l) => l.msg === 'event bus listening again'),
      'B to listen again',
      10_000,
    );
    expect(log.lines.map((l) => [l.level, l.msg])).toContainEqual([
      'warn',
      'event bus connection lost: delivering locally only until it is back',
    ]);
    expect(b.listening()).toBe(true);
    // What was published meanwhile is gone: B's subscribers are told to read afresh.
    expect(onB).toEqual([{ type: 'events-missed' }]);
    const event: LoaEvent = { type: 'receiver-revoked', receiverId: 'rcv-3' };
    a.publish(event);
    await eventually(() => onB.length === 2, 'the event on B after its reconnection');
    expect(onB).toEqual([{ type: 'events-missed' }, event]);
  });

  it('delivers its own events locally while disconnected and sends them to the others once back', async () => {
    const log = recordingLogger();
    const a = await bus(log.logger);
    const b = await bus();
    const onA = collect(a);
    const onB = collect(b);
    await killListener(a);
    const during: LoaEvent = { type: 'emergency', bookingId: 'bk-during', dueBy: '2026-11-27T01:01:00.000Z' };
    a.publish(during);
    expect(onA).toEqual([during]);
    await eventually(() => onB.length === 1, 'the queued event on B', 10_000);
    expect(
      log.lines.some((l) => l.msg === 'event bus connection lost: delivering locally only until it is back'),
    ).toBe(true);
    // Sent once: the marker that follows on the same connection arrives right after it.
    const marker: LoaEvent = { type: 'receiver-revoked', receiverId: 'marker' };
    a.publish(marker);
    await eventually(() => onB.length === 2, 'the marker on B');
    expect(onB).toEqual([during, marker]);
    expect(onA).toEqual([during, { type: 'events-missed' }, marker]);
  });

  it('keeps the newest events within its outbox bound while cut off, says so once, and sends them in order', async () => {
    const log = recordingLogger();
    // Room for about ten of these events.
    const a = await bus(log.logger, 10 * 600);
    const b = await bus();
    const onB = collect(b);
    await killListener(a);
    const events = Array.from({ length: 30 }, (_, i): LoaEvent => ({
      type: 'receiver-revoked',
      receiverId: `rcv-${String(i).padStart(2, '0')}-${'x'.repeat(480)}`,
    }));
    for (const e of events) a.publish(e);
    await eventually(
      () => (onB.at(-1) === undefined ? false : JSON.stringify(onB.at(-1)) === JSON.stringify(events[29])),
      'the newest event on B',
      10_000,
    );
    const kept = onB.length;
    expect(kept).toBeGreaterThanOrEqual(9);
    expect(kept).toBeLessThanOrEqual(11);
    expect(onB).toEqual(events.slice(30 - kept));
    expect(log.lines.filter((l) => l.msg === 'event outbox full: dropping the oldest')).toHaveLength(1);
  });

  it('ends its connection on close and stops notifying', async () => {
    const a = await bus();
    const name = `loa-events/${a.instanceId}`;
    const count = async () =>
      (
        await admin.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where application_name = $1',
          [name],
        )
      ).rows[0]!.n;
    expect(await count()).toBe(1);
    await a.close();
    expect(a.listening()).toBe(false);
    // The server ends the session a moment after the client has gone.
    await eventually(async () => (await count()) === 0, 'the session to end');
    // Still a bus for what runs in this process while it shuts down.
    const onA = collect(a);
    a.publish({ type: 'receiver-revoked', receiverId: 'late' });
    expect(onA).toHaveLength(1);
  });

  describe('two Loa runtimes on one database', () => {
    let h: Harness;
    let other: NodeRuntime;

    beforeAll(async () => {
      h = await createHarness('postgres');
      other = await createNodeRuntime(h.runtime.config, {
        clock: h.clock,
        logger: pino({ level: 'silent' }),
      });
    });
    afterAll(async () => {
      await other?.close();
      await h?.close();
    });

    it('pushes an emergency posted to A over B’s channel, and closes it when A rotates the token', async () => {
      const device = await createDevice(h, 'un-ta');
      const res = await other.app.request('/api/v1/receiver/events', {
        headers: { authorization: `Bearer ${device.token}` },
      });
      expect(res.status).toBe(200);
      const sse = sseClient(res);
      const hello = JSON.parse((await sse.next('schedule')).data) as { version: number };
      expect(other.services.receiverHub.stats().connections).toBe(1);

      const alarm = await createReadyAnnouncement(h, 'Lũ quét', [{ language: 'vi', seconds: 1 }]);
      const emergency = await scheduleBroadcast(h, {
        announcementId: alarm.id,
        hamletIds: ['un-ta'],
        at: h.clock.now().toISOString(),
        priority: 'emergency',
        repeat: { count: 1, intervalMin: 10 },
      });
      const play = JSON.parse((await sse.next('play')).data) as { occurrenceId: string };
      expect(play.occurrenceId).toBe(emergency.occurrences[0]!.id);
      const changed = JSON.parse((await sse.next('schedule')).data) as { version: number };
      expect(changed.version).toBeGreaterThan(hello.version);

      const rotated = await h.request(`/api/v1/receivers/${device.id}/rotate-token`, {
        method: 'POST',
        token: h.tokens.admin,
      });
      expect(rotated.status).toBe(200);
      expect(await sse.ended()).toBe(true);
      expect(other.services.receiverHub.stats().connections).toBe(0);
    });

    it('checks B’s channels again after B was cut off: a receiver disabled meanwhile is closed', async () => {
      const [gone, stays] = [await createDevice(h, 'un-ta'), await createDevice(h, 'un-ta')];
      const open = async (token: string) => {
        const res = await other.app.request('/api/v1/receiver/events', {
          headers: { authorization: `Bearer ${token}` },
        });
        const sse = sseClient(res);
        await sse.next('schedule');
        return sse;
      };
      const [goneSse, staysSse] = [await open(gone.token), await open(stays.token)];
      // Disabled behind every bus's back, as an event lost while B was away would leave it.
      await h.runtime.db.kysely
        .updateTable('receivers')
        .set({ disabled_at: h.clock.now().toISOString() })
        .where('id', '=', gone.id)
        .execute();
      const { rows } = await admin.query<{ ok: boolean }>(
        'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1',
        [`loa-events/${(other.bus as PostgresEventBus).instanceId}`],
      );
      expect(rows).toEqual([{ ok: true }]);

      expect(await goneSse.ended()).toBe(true);
      const version = JSON.parse((await staysSse.next('schedule')).data) as { version: number };
      const hamlet = await h.request('/api/v1/hamlets/un-ta', { token: h.tokens.admin });
      expect(version.version).toBe(((await hamlet.json()) as { scheduleVersion: number }).scheduleVersion);
      expect(other.services.receiverHub.stats().connections).toBe(1);
    });

    it('delivers one emergency event to both instances, each pushing to the hamlets it holds', async () => {
      const [onA, onB] = [await createDevice(h, 'thon-3'), await createDevice(h, 'thon-4')];
      const open = async (app: typeof other.app, token: string) => {
        const res = await app.request('/api/v1/receiver/events', {
          headers: { authorization: `Bearer ${token}` },
        });
        const sse = sseClient(res);
        await sse.next('schedule');
        return sse;
      };
      const [sseA, sseB] = [await open(h.runtime.app, onA.token), await open(other.app, onB.token)];
      const heard: LoaEvent[] = [];
      const stop = other.bus.subscribe((e) => heard.push(e));
      const alarm = await createReadyAnnouncement(h, 'Sạt lở', [{ language: 'vi', seconds: 1 }]);
      const booked = await scheduleBroadcast(h, {
        announcementId: alarm.id,
        hamletIds: ['thon-3', 'thon-4', 'thon-5'],
        at: h.clock.now().toISOString(),
        priority: 'emergency',
        repeat: { count: 1, intervalMin: 10 },
      });
      const occurrenceOf = (hamletId: string) => booked.occurrences.find((o) => o.hamletId === hamletId)!.id;
      const playA = JSON.parse((await sseA.next('play')).data) as { occurrenceId: string };
      const playB = JSON.parse((await sseB.next('play')).data) as { occurrenceId: string };
      expect(playA.occurrenceId).toBe(occurrenceOf('thon-3'));
      expect(playB.occurrenceId).toBe(occurrenceOf('thon-4'));
      stop();
      expect(heard.filter((e) => e.type === 'emergency')).toEqual([
        { type: 'emergency', bookingId: booked.id, dueBy: expect.any(String) },
      ]);
      await Promise.all([sseA.cancel(), sseB.cancel()]);
    });
  });
});

if (!url) process.stdout.write('PostgreSQL event bus tests skipped: TEST_DATABASE_URL is not set.\n');
