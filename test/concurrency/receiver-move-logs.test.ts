import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { startTwoInstances, type TwoInstances } from '../support/two-instances.js';

interface ReceiverRow {
  receiverId: string;
  hamletId: string;
  expected: number;
  played: number;
}

/** What the coverage report counts of one box: its rows with something expected, per hamlet. */
const countedOf = (rows: readonly ReceiverRow[], receiverId: string) =>
  rows
    .filter((r) => r.receiverId === receiverId && r.expected > 0)
    .map(({ hamletId, expected, played }) => ({ hamletId, expected, played }));

type Gate = { reached: () => void; go: Promise<void> };
const gate = () => {
  let release!: () => void;
  let reached!: () => void;
  const at = new Promise<void>((done) => (reached = done));
  const gate: Gate = { reached, go: new Promise<void>((go) => (release = go)) };
  return { gate, at, release };
};

/**
 * A box of Ún Tà delivers its report of an Ún Tà airing while an admin moves it to thôn 3, each waiting
 * inside its unit of work for the other: the report is stored once and counted once, under Ún Tà. On
 * PostgreSQL, whose units of work run side by side (SQLite runs one at a time: below, two processes).
 */
describe.runIf(dialects.includes('postgres'))('a move while a log is delivered, on postgres', () => {
  let h: Harness;
  let occurrenceId: string;
  let holdLog: Gate | null = null;
  let holdMove: Gate | null = null;
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    receiverSync: {
      ...r.receiverSync,
      async insertPlaybackEvents(events) {
        const held = holdLog;
        if (held) {
          holdLog = null;
          held.reached();
          await held.go;
        }
        return r.receiverSync.insertPlaybackEvents(events);
      },
    },
    receivers: {
      ...r.receivers,
      async updateReceiver(id, changes, now) {
        await r.receivers.updateReceiver(id, changes, now);
        const held = holdMove;
        if (held && changes.hamletId) {
          holdMove = null;
          held.reached();
          await held.go;
        }
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    occurrenceId = made.occurrences[0]!.id;
  });
  afterAll(() => h.close());

  const deliver = (token: string) =>
    h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token,
      json: {
        events: [
          { id: 's', occurrenceId, type: 'started', at: '2026-11-27T02:00:00.000Z' },
          { id: 'c', occurrenceId, type: 'completed', at: '2026-11-27T02:00:02.000Z' },
        ],
      },
    });
  const move = (id: string) =>
    h.request(`/api/v1/receivers/${id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-3' },
    });
  const counted = async (id: string) => {
    const res = await h.request('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', {
      token: h.tokens.officer,
    });
    return countedOf(((await res.json()) as { receivers: ReceiverRow[] }).receivers, id);
  };
  const stored = async (id: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('playback_events')
        .select('event_id')
        .where('receiver_id', '=', id)
        .execute()
    )
      .map((e) => e.event_id)
      .sort();
  /** Resolves once some statement of this database waits for a lock. */
  const someoneWaits = async () => {
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where wait_event_type = 'Lock' and datname = current_database()`.execute(h.runtime.db.kysely);
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('counts the report under Ún Tà when the move commits while the report waits to be stored', async () => {
    h.clock.set('2026-11-27T01:30:00.000Z');
    const box = await createDevice(h, 'un-ta', 'Cụm loa cổng trường');
    h.clock.set('2026-11-27T05:00:00.000Z');
    const { gate: held, at, release } = gate();
    holdLog = held;
    const logging = deliver(box.token);
    await at;
    expect((await move(box.id)).status).toBe(200);
    release();
    const res = await logging;
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    expect(await stored(box.id)).toEqual(['c', 's']);
    h.clock.set('2026-11-27T06:00:00.000Z');
    expect(await counted(box.id)).toEqual([{ hamletId: 'un-ta', expected: 1, played: 1 }]);
  });

  it('counts the report under Ún Tà when it is stored while the move waits to commit', async () => {
    h.clock.set('2026-11-27T01:30:00.000Z');
    const box = await createDevice(h, 'un-ta', 'Cụm loa chợ');
    h.clock.set('2026-11-27T05:00:00.000Z');
    const { gate: held, at, release } = gate();
    holdMove = held;
    const moving = move(box.id);
    await at;
    const logging = deliver(box.token);
    // The report either finishes or waits for the box's row, which the move holds.
    await Promise.race([logging, someoneWaits()]);
    release();
    const [moved, res] = await Promise.all([moving, logging]);
    expect(moved.status).toBe(200);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await stored(box.id)).toEqual(['c', 's']);
    h.clock.set('2026-11-27T06:00:00.000Z');
    expect(await counted(box.id)).toEqual([{ hamletId: 'un-ta', expected: 1, played: 1 }]);
  });

  it('leaves a box moved twice at once in one hamlet, the one its row names', async () => {
    h.clock.set('2026-11-27T01:30:00.000Z');
    const box = await createDevice(h, 'un-ta', 'Cụm loa bến xe');
    h.clock.set('2026-11-27T05:00:00.000Z');
    const { gate: held, at, release } = gate();
    holdMove = held;
    const toThon3 = move(box.id);
    await at;
    const toThon4 = h.request(`/api/v1/receivers/${box.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-4' },
    });
    await Promise.race([toThon4, someoneWaits()]);
    release();
    expect((await Promise.all([toThon3, toThon4])).map((r) => r.status)).toEqual([200, 200]);
    const db = h.runtime.db.kysely;
    const stretches = await db
      .selectFrom('receiver_hamlet_stretches')
      .select(['hamlet_id', 'arrived_at', 'left_at'])
      .where('receiver_id', '=', box.id)
      .orderBy('arrived_at')
      .execute();
    const row = await db
      .selectFrom('receivers')
      .select('hamlet_id')
      .where('id', '=', box.id)
      .executeTakeFirstOrThrow();
    expect(row.hamlet_id).toBe('thon-4');
    expect(stretches).toEqual([
      { hamlet_id: 'un-ta', arrived_at: '2026-11-27T01:30:00.000Z', left_at: '2026-11-27T05:00:00.000Z' },
      { hamlet_id: 'thon-4', arrived_at: '2026-11-27T05:00:00.000Z', left_at: null },
    ]);
  });
});

/**
 * The same race on SQLite, where units of work take turns: two `loa serve` processes on one database,
 * each box's move sent to one and its report to the other at the same moment. Whichever commits first,
 * each report is stored once and counted once, under Ún Tà, where the box was when the item aired.
 */
describe.runIf(dialects.includes('sqlite'))('moves while logs are delivered, on two sqlite processes', () => {
  let two: TwoInstances;
  beforeAll(async () => {
    two = await startTwoInstances('sqlite');
  });
  afterAll(() => two?.close());

  const call = async (url: string, path: string, method: string, token: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('stores and counts each report once, under the hamlet the box was in when it aired', async () => {
    const boxes: { id: string; token: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const made = await call(two.urls[0], '/api/v1/receivers', 'POST', two.token, {
        hamletId: 'un-ta',
        name: `Cụm loa ${i + 1}`,
      });
      expect(made.status).toBe(201);
      boxes.push({ id: made.body.receiver.id, token: made.body.token });
    }
    // An airing of Ún Tà just after the last box was made (stored as the dispatcher would have).
    const last = await two.db
      .selectFrom('receivers')
      .select('created_at')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const startsAt = new Date(Date.parse(last.created_at) + 1).toISOString();
    const admin = await two.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    await two.db
      .insertInto('broadcasts')
      .values({
        id: 'relay-race',
        commune_id: 'coc-san',
        announcement_id: null,
        relay_url: 'https://radio.example.vn/vov1',
        relay_duration_s: 1,
        hamlet_ids: '["un-ta"]',
        schedule: JSON.stringify({ at: startsAt }),
        priority: 'normal',
        created_by: admin.id,
        created_at: last.created_at,
        cancelled_at: null,
        cancelled_by: null,
        materialised_until: null,
      })
      .execute();
    await two.db
      .insertInto('occurrences')
      .values({
        id: 'relay-race-un-ta',
        broadcast_id: 'relay-race',
        hamlet_id: 'un-ta',
        starts_at: startsAt,
        duration_ms: 1000,
        priority: 'normal',
        slot_name: null,
        status: 'scheduled',
        created_at: last.created_at,
        updated_at: last.created_at,
      })
      .execute();
    while (Date.now() <= Date.parse(startsAt)) await new Promise((r) => setImmediate(r));

    const answers = await Promise.all(
      boxes.flatMap((box, i) => [
        call(two.urls[i % 2]!, `/api/v1/receivers/${box.id}`, 'PATCH', two.token, { hamletId: 'thon-3' }),
        call(two.urls[(i + 1) % 2]!, '/api/v1/receiver/logs', 'POST', box.token, {
          events: [{ id: 's', occurrenceId: 'relay-race-un-ta', type: 'started', at: startsAt }],
        }),
      ]),
    );
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(answers.filter((_, i) => i % 2 === 1).map((a) => a.body)).toEqual(
      boxes.map(() => ({ accepted: 1, duplicates: 0 })),
    );

    const from = encodeURIComponent(new Date(Date.parse(startsAt) - 60_000).toISOString());
    const to = encodeURIComponent(new Date(Date.parse(startsAt) + 3_600_000).toISOString());
    const report = await fetch(`${two.urls[0]}/api/v1/reports/coverage?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${two.token}` },
    });
    expect(report.status).toBe(200);
    const { receivers } = (await report.json()) as { receivers: ReceiverRow[] };
    for (const box of boxes)
      expect(countedOf(receivers, box.id), box.id).toEqual([{ hamletId: 'un-ta', expected: 1, played: 1 }]);
    const events = await two.db
      .selectFrom('playback_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('occurrence_id', '=', 'relay-race-un-ta')
      .executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(boxes.length);
  });
});
