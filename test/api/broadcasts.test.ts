import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
const relay = (durationS: number, url = 'https://radio.example.vn/vov1') => ({ url, durationS });

describe.each(dialects)('broadcasts on %s', (dialect) => {
  let h: Harness;
  let events: LoaEvent[] = [];
  beforeAll(async () => {
    h = await createHarness(dialect);
    h.runtime.bus.subscribe((e) => events.push(e));
  });
  afterAll(() => h.close());
  beforeEach(() => {
    events = [];
  });

  const post = (token: string, json: unknown) =>
    h.request('/api/v1/broadcasts', { method: 'POST', token, json });
  const body = async (res: Response) => (await res.json()) as any;
  const version = async (hamletId: string) =>
    (
      (await body(await h.request(`/api/v1/hamlets/${hamletId}`, { token: h.tokens.admin }))) as {
        scheduleVersion: number;
      }
    ).scheduleVersion;

  it('schedules an exact time in the commune time zone and stores it in UTC', async () => {
    const before = await version('un-ta');
    const res = await post(h.tokens.head, {
      relay: relay(600),
      hamletIds: ['un-ta'],
      at: '2026-11-28T08:00:00+07:00',
    });
    expect(res.status).toBe(201);
    const created = await body(res);
    expect(created.occurrences).toEqual([
      {
        id: expect.any(String),
        hamletId: 'un-ta',
        at: '2026-11-28T01:00:00.000Z',
        durationMs: 600_000,
        slot: null,
      },
    ]);
    expect(await version('un-ta')).toBe(before + 1);
    expect(events).toContainEqual({ type: 'schedule-changed', versions: { 'un-ta': before + 1 } });
  });

  it('refuses an overlap of equal priority with 409 naming the clash, and lets a higher priority displace it', async () => {
    const first = await body(
      await post(h.tokens.head, { relay: relay(900), hamletIds: ['un-ta'], at: '2026-11-29T09:00:00+07:00' }),
    );
    const clash = await post(h.tokens.head, {
      relay: relay(300, 'https://radio.example.vn/vov2'),
      hamletIds: ['un-ta'],
      at: '2026-11-29T09:10:00+07:00',
    });
    expect(clash.status).toBe(409);
    const problem = await body(clash);
    expect(problem.conflicts).toEqual([
      expect.objectContaining({
        id: first.occurrences[0].id,
        hamletId: 'un-ta',
        startsAt: '2026-11-29T02:00:00.000Z',
        endsAt: '2026-11-29T02:15:00.000Z',
        title: 'Tiếp sóng https://radio.example.vn/vov1',
      }),
    ]);
    expect(problem.detailVi).toMatch(
      /Trùng giờ với "Tiếp sóng https:\/\/radio\.example\.vn\/vov1" \(thông thường, 09:00–09:15 ngày 29\/11\/2026\)/,
    );

    const outranks = await post(h.tokens.head, {
      relay: relay(300, 'https://radio.example.vn/vov2'),
      hamletIds: ['un-ta'],
      at: '2026-11-29T09:10:00+07:00',
      priority: 'priority',
    });
    expect(outranks.status).toBe(201);
    expect((await body(outranks)).displaced).toEqual([
      expect.objectContaining({ id: first.occurrences[0].id }),
    ]);
    const old = await body(await h.request(`/api/v1/broadcasts/${first.id}`, { token: h.tokens.head }));
    expect(old.occurrences[0].status).toBe('cancelled');
    // The other hamlet is untouched by Ún Tà's schedule.
    expect(
      (
        await post(h.tokens.officer, {
          relay: relay(900),
          hamletIds: ['thon-2'],
          at: '2026-11-29T09:00:00+07:00',
        })
      ).status,
    ).toBe(201);
  });

  it('sees a four-hour relay still on the air three and a half hours after it began', async () => {
    const long = await post(h.tokens.officer, {
      relay: relay(4 * 3600),
      hamletIds: ['thon-4'],
      at: '2026-11-30T06:00:00+07:00',
    });
    expect(long.status).toBe(201);
    const clash = await post(h.tokens.officer, {
      relay: relay(300, 'https://radio.example.vn/vov2'),
      hamletIds: ['thon-4'],
      at: '2026-11-30T09:30:00+07:00',
    });
    expect(clash.status).toBe(409);
    expect((await body(clash)).conflicts).toEqual([
      expect.objectContaining({
        id: (await body(long)).occurrences[0].id,
        endsAt: '2026-11-30T03:00:00.000Z',
      }),
    ]);
  });

  it('refuses quiet hours with 422 but accepts an emergency, repeated 3 times 10 minutes apart and pushed', async () => {
    const quiet = await post(h.tokens.head, {
      relay: relay(300),
      hamletIds: ['un-ta'],
      at: '2026-11-28T22:00:00+07:00',
    });
    expect(quiet.status).toBe(422);
    expect((await body(quiet)).detailVi).toMatch(/giờ nghỉ ngơi \(21:30–05:30\)/);
    const runsInto = await post(h.tokens.head, {
      relay: relay(1200),
      hamletIds: ['un-ta'],
      at: '2026-11-28T21:20:00+07:00',
    });
    expect(runsInto.status).toBe(422);

    const emergency = await post(h.tokens.officer, {
      relay: relay(120),
      hamletIds: ['un-ta', 'thon-2'],
      priority: 'emergency',
    });
    expect(emergency.status).toBe(201);
    const created = await body(emergency);
    const unTa = created.occurrences.filter((o: any) => o.hamletId === 'un-ta').map((o: any) => o.at);
    expect(unTa).toEqual([
      '2026-11-27T01:00:00.000Z',
      '2026-11-27T01:10:00.000Z',
      '2026-11-27T01:20:00.000Z',
    ]);
    // One push for the booking, whatever the number of hamlets; each instance finds them itself.
    expect(events.filter((e) => e.type === 'emergency')).toEqual([
      { type: 'emergency', bookingId: created.id, dueBy: '2026-11-27T01:01:00.000Z' },
    ]);

    const night = await post(h.tokens.officer, {
      relay: relay(60),
      hamletIds: ['un-ta'],
      priority: 'emergency',
      at: '2026-11-28T23:00:00+07:00',
    });
    expect(night.status).toBe(201);

    // Booked past the dispatcher's horizon, or with its repeats crossing it: all three airings, still.
    const minute = 60_000;
    const now = Math.ceil(h.clock.now().getTime() / minute) * minute;
    for (const at of [now + 8 * 86_400_000, now + 7 * 86_400_000 - 5 * minute]) {
      const ahead = await post(h.tokens.officer, {
        relay: relay(60),
        hamletIds: ['un-ta'],
        priority: 'emergency',
        at: new Date(at).toISOString(),
      });
      expect(ahead.status).toBe(201);
      expect((await body(ahead)).occurrences.map((o: any) => o.at)).toEqual(
        [0, 10, 20].map((m) => new Date(at + m * minute).toISOString()),
      );
    }
  });

  it('books an emergency sent twice under one Idempotency-Key once, and answers both with that booking', async () => {
    const key = `retry-${dialect}-0001`;
    const send = (json: unknown, idempotencyKey = key) =>
      h.request('/api/v1/broadcasts', {
        method: 'POST',
        token: h.tokens.officer,
        json,
        headers: { 'idempotency-key': idempotencyKey },
      });
    const request = {
      relay: relay(90, 'https://radio.example.vn/lu'),
      hamletIds: ['thon-3'],
      priority: 'emergency',
    };
    const first = await send(request);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const booked = await body(first);
    expect(events.filter((e) => e.type === 'emergency')).toHaveLength(1);

    // The link dropped before the answer came back; the phone sends the same request a minute later.
    h.clock.advance(60_000);
    events = [];
    const again = await send(request);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await body(again)).occurrences).toEqual(booked.occurrences);
    expect(events).toEqual([]);
    const stored = await h.runtime.db.kysely
      .selectFrom('broadcasts')
      .select('id')
      .where('relay_url', '=', request.relay.url)
      .execute();
    expect(stored.map((b) => b.id)).toEqual([booked.id]);

    // The key names that request: another one under it is refused, and books nothing.
    const other = await send({ ...request, hamletIds: ['thon-4'] });
    expect(other.status).toBe(422);
    expect((await body(other)).detail).toMatch(/Idempotency-Key was already used for a different request/);
    const bad = await send(request, 'short');
    expect(bad.status).toBe(400);
    expect((await body(bad)).detail).toMatch(/idempotency-key/i);
    // Without a key, the same request is a second emergency.
    expect((await post(h.tokens.officer, request)).status).toBe(201);

    const doc = (await (await h.request('/openapi.json')).json()) as any;
    for (const path of [
      '/api/v1/broadcasts',
      '/api/v1/disaster/events',
      '/api/v1/disaster/events/{id}/bulletins',
    ])
      expect(doc.paths[path].post.parameters, path).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false }),
      );
  });

  it('packs a standing slot back to back, priority first, and refuses overflow saying by how much', async () => {
    const slot = { name: 'morning', date: '2026-12-02' };
    const a = await body(await post(h.tokens.head, { relay: relay(1200), hamletIds: ['un-ta'], slot }));
    expect(a.occurrences[0]).toMatchObject({ at: '2026-12-01T22:30:00.000Z', slot: 'morning' });
    const b = await body(await post(h.tokens.head, { relay: relay(1200), hamletIds: ['un-ta'], slot }));
    expect(b.occurrences[0].at).toBe('2026-12-01T22:50:00.000Z');
    const urgent = await body(
      await post(h.tokens.head, { relay: relay(180), hamletIds: ['un-ta'], slot, priority: 'priority' }),
    );
    expect(urgent.occurrences[0].at).toBe('2026-12-01T22:30:00.000Z');
    const list = await body(
      await h.request(
        '/api/v1/broadcasts?hamletId=un-ta&from=2026-12-02T05:00:00%2B07:00&to=2026-12-02T07:00:00%2B07:00',
        { token: h.tokens.head },
      ),
    );
    const starts = Object.fromEntries(list.items.map((i: any) => [i.id, i.occurrences[0].at]));
    expect(starts[a.id]).toBe('2026-12-01T22:33:00.000Z');
    expect(starts[b.id]).toBe('2026-12-01T22:53:00.000Z');

    const overflow = await post(h.tokens.head, { relay: relay(300), hamletIds: ['un-ta'], slot });
    expect(overflow.status).toBe(422);
    const problem = await body(overflow);
    expect(problem.detailVi).toMatch(/sẽ vượt 3 phút/);
    expect(problem.details).toMatchObject({ overS: 180, maxAirTimeS: 2700 });
  });

  it('expands a cron recurrence in the commune time zone: 06:00 local is 23:00Z the day before', async () => {
    const res = await post(h.tokens.officer, {
      relay: relay(300),
      hamletIds: ['thon-5'],
      recurrence: { cron: '0 6 * * *', from: '2026-11-30T00:00:00+07:00', count: 3 },
    });
    expect(res.status).toBe(201);
    expect((await body(res)).occurrences.map((o: any) => o.at)).toEqual([
      '2026-11-29T23:00:00.000Z',
      '2026-11-30T23:00:00.000Z',
      '2026-12-01T23:00:00.000Z',
    ]);
    const until = await post(h.tokens.officer, {
      relay: relay(300),
      hamletIds: ['thon-5'],
      recurrence: {
        cron: '30 18 * * 1',
        from: '2026-11-27T00:00:00+07:00',
        until: '2026-12-08T00:00:00+07:00',
      },
    });
    expect((await body(until)).occurrences.map((o: any) => o.at)).toEqual(['2026-11-30T11:30:00.000Z']);
  });

  it('refuses bad schedules with a message naming the field', async () => {
    const cases: [unknown, number, RegExp][] = [
      [
        {
          relay: relay(60),
          hamletIds: ['un-ta'],
          recurrence: { cron: '0 25 * * *', from: '2026-12-01T00:00:00+07:00' },
        },
        422,
        /recurrence\.cron/,
      ],
      [
        {
          relay: relay(60),
          hamletIds: ['un-ta'],
          recurrence: { cron: '* * * * *', from: '2026-12-01T00:00:00+07:00' },
        },
        422,
        /15/,
      ],
      [
        {
          relay: relay(60),
          hamletIds: ['un-ta'],
          recurrence: { cron: '0 0 30 2 *', from: '2026-12-01T00:00:00+07:00' },
        },
        422,
        /recurrence/,
      ],
      [
        {
          relay: relay(60),
          hamletIds: ['un-ta'],
          recurrence: {
            cron: '0 6 * * *',
            from: '2026-12-05T00:00:00+07:00',
            until: '2026-12-01T00:00:00+07:00',
          },
        },
        422,
        /recurrence\.until/,
      ],
      [{ relay: relay(60), hamletIds: ['un-ta'], at: '2026-12-01T08:00:00' }, 400, /offset/],
      [{ relay: relay(60), hamletIds: ['un-ta'], at: '2026-02-30T08:00:00+07:00' }, 422, /at/],
      [
        { relay: relay(60), hamletIds: ['un-ta'], slot: { name: 'noon', date: '2026-12-01' } },
        422,
        /slot\.name/,
      ],
      [
        { relay: relay(60), hamletIds: ['un-ta'], slot: { name: 'morning', date: '2026-02-30' } },
        422,
        /slot\.date/,
      ],
      [{ relay: relay(60), hamletIds: [], at: '2026-12-01T08:00:00+07:00' }, 422, /hamletIds/],
      [
        {
          relay: relay(60, 'ftp://radio.example.vn/x'),
          hamletIds: ['un-ta'],
          at: '2026-12-01T08:00:00+07:00',
        },
        422,
        /relay\.url/,
      ],
      [
        {
          relay: relay(60, 'http://192.168.1.10/stream'),
          hamletIds: ['un-ta'],
          at: '2026-12-01T08:00:00+07:00',
        },
        422,
        /private/,
      ],
      [
        { announcementId: 'nope', hamletIds: ['un-ta'], at: '2026-12-01T08:00:00+07:00' },
        422,
        /announcementId/,
      ],
      [{ relay: relay(60), hamletIds: ['un-ta'], at: '2026-11-20T08:00:00+07:00' }, 422, /past|qua/],
      [{ relay: relay(60), hamletIds: ['un-ta'] }, 422, /at/],
    ];
    for (const [json, status, pattern] of cases) {
      const res = await post(h.tokens.head, json);
      const text = await res.text();
      expect(res.status, `${JSON.stringify(json)} → ${text}`).toBe(status);
      expect(text, JSON.stringify(json)).toMatch(pattern);
    }
  });

  it('keeps hamlet heads to their hamlets, secretaries out, and emergencies to the commune office', async () => {
    const at = '2026-12-03T10:00:00+07:00';
    expect((await post(h.tokens.head, { relay: relay(60), hamletIds: ['thon-2'], at })).status).toBe(403);
    expect((await post(h.tokens.head, { relay: relay(60), hamletIds: ['un-ta', 'thon-2'], at })).status).toBe(
      403,
    );
    expect((await post(h.tokens.head, { relay: relay(60), hamletIds: 'all', at })).status).toBe(403);
    expect(
      (await post(h.tokens.head, { relay: relay(60), hamletIds: ['un-ta'], priority: 'emergency' })).status,
    ).toBe(403);
    expect((await post(h.tokens.secretary, { relay: relay(60), hamletIds: ['un-ta'], at })).status).toBe(403);
    const all = await post(h.tokens.officer, { relay: relay(60), hamletIds: 'all', at });
    expect(all.status).toBe(201);
    expect(new Set((await body(all)).occurrences.map((o: any) => o.hamletId)).size).toBe(9);
    const seen = await body(await h.request('/api/v1/broadcasts?limit=200', { token: h.tokens.head }));
    expect(seen.items.every((b: any) => b.occurrences.every((o: any) => o.hamletId === 'un-ta'))).toBe(true);
  });

  it('cancels future occurrences and keeps past ones for the record; stops the repeat on the air', async () => {
    const created = await body(
      await post(h.tokens.officer, { relay: relay(60), hamletIds: ['thon-3'], priority: 'emergency' }),
    );
    // Half a minute into the first repeat.
    h.clock.advance(10 * 60_000 + 30_000);
    const res = await h.request(`/api/v1/broadcasts/${created.id}`, {
      method: 'DELETE',
      token: h.tokens.officer,
    });
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ cancelledOccurrences: 1 });
    const after = await body(
      await h.request(`/api/v1/broadcasts/${created.id}`, { token: h.tokens.officer }),
    );
    expect(after.cancelledAt).not.toBeNull();
    expect(after.occurrences.map((o: any) => o.status)).toEqual(['scheduled', 'scheduled', 'cancelled']);
    expect(events.filter((e) => e.type === 'stop')).toEqual([
      { type: 'stop', hamletIds: ['thon-3'], occurrenceId: after.occurrences[1].id },
    ]);
    h.clock.advance(-(10 * 60_000 + 30_000));
  });
});

describe.each(dialects)('dispatcher on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('keeps a rolling 7-day horizon, bumps versions, and marks missed occurrences — by the fake clock', async () => {
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 600 },
        hamletIds: ['un-ta'],
        recurrence: { cron: '0 7 * * *', from: '2026-11-28T00:00:00+07:00', count: 30 },
      },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; occurrences: { at: string }[] };
    expect(created.occurrences).toHaveLength(7);

    const version = async () =>
      (
        (await (await h.request('/api/v1/hamlets/un-ta', { token: h.tokens.admin })).json()) as {
          scheduleVersion: number;
        }
      ).scheduleVersion;
    const v0 = await version();
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ leader: true, added: 0, missed: 0 });
    expect(await version()).toBe(v0);

    h.clock.advance(2 * 86_400_000);
    const tick = await h.runtime.dispatcher.tick();
    expect(tick.added).toBe(2);
    expect(tick.hamletsChanged).toEqual(['un-ta']);
    expect(await version()).toBe(v0 + 1);
    // Nobody reported the 07:00 items of the last two days: they were missed.
    expect(tick.missed).toBe(2);
    const broadcast = (await (
      await h.request(`/api/v1/broadcasts/${created.id}`, { token: h.tokens.head })
    ).json()) as {
      occurrences: { at: string; status: string }[];
    };
    expect(broadcast.occurrences).toHaveLength(9);
    expect(broadcast.occurrences.slice(0, 3).map((o) => o.status)).toEqual(['missed', 'missed', 'scheduled']);
  });
});

describe('a slot named in a refusal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('is the slot’s label in Vietnamese, as the commune calls it, and its name in English, as the API takes it', async () => {
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta'],
        slot: { name: 'evening', date: '2026-11-26' },
      },
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { detail: string; detailVi: string };
    expect(problem.detailVi).toContain('Khung giờ "Buổi chiều" (17:00–17:45)');
    expect(problem.detail).toContain('Slot "evening"');
  });
});
