import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUserActor } from '../../src/services/auth.service.js';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';

// The harness clock starts on Friday 2026-11-27 at 01:00Z = 08:00 in Asia/Ho_Chi_Minh. Cốc San's evening
// slot is 17:00–17:45 local (10:00Z), so Saturday evenings are 11-28, 12-05, 12-12, 12-19 and 12-26 at 10:00Z.
const relay = (durationS: number, url = 'https://radio.example.vn/vov1') => ({ url, durationS });
const DAY = 86_400_000;

describe.each(dialects)('series, single airings and suggestions on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const post = (token: string, json: unknown, path = '/api/v1/broadcasts') =>
    h.request(path, { method: 'POST', token, json });
  const body = async (res: Response) => (await res.json()) as any;
  const broadcast = async (id: string) =>
    body(await h.request(`/api/v1/broadcasts/${id}`, { token: h.tokens.officer }));
  const version = async (hamletId: string) =>
    (await body(await h.request(`/api/v1/hamlets/${hamletId}`, { token: h.tokens.admin }))).scheduleVersion;
  const audit = (action: string, targetId: string) =>
    h.runtime.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .where('target_id', '=', targetId)
      .execute();
  const asHead = async () => {
    const user = await h.runtime.repos.users.findUser(h.userIds.head);
    return { actor: toUserActor(user!), requestId: null };
  };

  it('answers a clash with the next free time that fits, which then books', async () => {
    const first = await post(h.tokens.officer, {
      relay: relay(900),
      hamletIds: ['thon-3'],
      at: '2026-11-30T09:00:00+07:00',
    });
    expect(first.status).toBe(201);
    // Right behind it, something else: the next free time is after both.
    await post(h.tokens.officer, {
      relay: relay(290),
      hamletIds: ['thon-3'],
      at: '2026-11-30T09:15:00+07:00',
    });
    const clash = await post(h.tokens.officer, {
      relay: relay(300, 'https://radio.example.vn/vov2'),
      hamletIds: ['thon-3'],
      at: '2026-11-30T09:10:00+07:00',
    });
    expect(clash.status).toBe(409);
    const problem = await body(clash);
    // 09:15 + 290 s ends at 09:19:50; the next whole minute is 09:20 local.
    expect(problem.suggestion).toEqual({ at: '2026-11-30T02:20:00.000Z' });
    expect(problem.detailVi).toContain('Giờ trống gần nhất: 09:20 ngày 30/11/2026.');
    const taken = await post(h.tokens.officer, {
      relay: relay(300, 'https://radio.example.vn/vov2'),
      hamletIds: ['thon-3'],
      at: problem.suggestion.at,
    });
    expect(taken.status).toBe(201);

    const quiet = await post(h.tokens.officer, {
      relay: relay(300),
      hamletIds: ['thon-3'],
      at: '2026-11-30T22:00:00+07:00',
    });
    expect(quiet.status).toBe(422);
    // Quiet hours end at 05:30, when Cốc San's morning slot opens and nothing is booked yet.
    expect((await body(quiet)).suggestion).toEqual({ at: '2026-11-30T22:30:00.000Z' });
  });

  it('cancels one occurrence of a series and keeps the others', async () => {
    const created = await body(
      await post(h.tokens.officer, {
        relay: relay(300),
        hamletIds: ['thon-5'],
        recurrence: { cron: '0 7 * * *', from: '2026-11-28T00:00:00+07:00', count: 4 },
      }),
    );
    expect(created.occurrences).toHaveLength(4);
    const second = created.occurrences[1].id;
    const before = await version('thon-5');
    const cancel = (token: string, occurrenceId = second, id = created.id) =>
      h.request(`/api/v1/broadcasts/${id}/occurrences/${occurrenceId}`, { method: 'DELETE', token });

    expect((await cancel(h.tokens.head)).status).toBe(403);
    expect((await cancel(h.tokens.secretary)).status).toBe(403);
    const res = await cancel(h.tokens.officer);
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ cancelledOccurrences: 1, skipped: 0 });
    expect((await broadcast(created.id)).occurrences.map((o: any) => o.status)).toEqual([
      'scheduled',
      'cancelled',
      'scheduled',
      'scheduled',
    ]);
    expect(await version('thon-5')).toBe(before + 1);
    const rows = await audit('broadcast.occurrence_cancel', created.id);
    expect(rows.map((r) => JSON.parse(String(r.details)))).toContainEqual(
      expect.objectContaining({ occurrenceId: second, hamletId: 'thon-5' }),
    );

    const again = await cancel(h.tokens.officer);
    expect(again.status).toBe(409);
    expect((await body(again)).detailVi).toMatch(/không hủy được nữa/);
    expect((await cancel(h.tokens.officer, 'no-such-occurrence')).status).toBe(404);

    // The same airing by its time: the third day's, which is stored, is cancelled.
    const byTime = await post(
      h.tokens.officer,
      { at: '2026-11-30T07:00:00+07:00' },
      `/api/v1/broadcasts/${created.id}/skips`,
    );
    expect(await body(byTime)).toEqual({ cancelledOccurrences: 1, skipped: 0 });
    expect((await broadcast(created.id)).occurrences.map((o: any) => o.status)).toEqual([
      'scheduled',
      'cancelled',
      'cancelled',
      'scheduled',
    ]);
  });

  it('books a weekly series on a standing slot, packed like any slot item', async () => {
    // Booked first, beyond the horizon: a priority item in the evening slot of 12-12 (2 minutes).
    const early = await post(h.tokens.head, {
      relay: relay(120, 'https://radio.example.vn/tin-gap'),
      hamletIds: ['un-ta'],
      slot: { name: 'evening', date: '2026-12-12' },
      priority: 'priority',
    });
    expect(early.status).toBe(201);
    const earlyId = (await body(early)).id;
    const res = await post(h.tokens.head, {
      relay: relay(600),
      hamletIds: ['un-ta'],
      recurrence: {
        slot: 'evening',
        weekdays: [6],
        from: '2026-11-27T08:00:00+07:00',
        until: '2026-12-31T00:00:00+07:00',
      },
    });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
    const created = await body(res);
    expect(created.occurrences).toEqual([
      expect.objectContaining({ hamletId: 'un-ta', at: '2026-11-28T10:00:00.000Z', slot: 'evening' }),
    ]);
    const stored = await broadcast(created.id);
    expect(stored.schedule.recurrence).toMatchObject({ slot: 'evening', weekdays: [6] });

    // Beyond the horizon, the projection places 12-12 behind the priority item, as the dispatcher will.
    const window = { from: Date.parse('2026-12-12T00:00:00Z'), to: Date.parse('2026-12-13T00:00:00Z') };
    const projected = await h.runtime.services.broadcasts.upcoming(await asHead(), 'un-ta', window);
    expect(projected).toEqual([
      expect.objectContaining({
        broadcastId: created.id,
        startsAt: '2026-12-12T10:02:00.000Z',
        airingAt: '2026-12-12T10:00:00.000Z',
        slotName: 'evening',
      }),
    ]);

    // A Saturday beyond the horizon is left out before it exists.
    const skip = await post(
      h.tokens.head,
      { at: '2026-12-19T17:00:00+07:00' },
      `/api/v1/broadcasts/${created.id}/skips`,
    );
    expect(skip.status, await skip.clone().text()).toBe(200);
    expect(await body(skip)).toEqual({ cancelledOccurrences: 0, skipped: 1 });
    expect((await broadcast(created.id)).skips).toEqual([
      { hamletId: 'un-ta', at: '2026-12-19T10:00:00.000Z' },
    ]);
    expect(await audit('broadcast.airing_skip', created.id)).toHaveLength(1);
    // A time the series does not air at, a one-off, and a hamlet the series does not target are refused.
    const wrong = await post(
      h.tokens.head,
      { at: '2026-12-19T17:05:00+07:00' },
      `/api/v1/broadcasts/${created.id}/skips`,
    );
    expect(wrong.status).toBe(422);
    expect((await body(wrong)).detailVi).toContain('không có buổi phát lúc 17:05 ngày 19/12/2026');
    const oneOff = await post(
      h.tokens.head,
      { at: '2026-12-12T17:00:00+07:00' },
      `/api/v1/broadcasts/${earlyId}/skips`,
    );
    expect(oneOff.status).toBe(422);
    const elsewhere = await post(
      h.tokens.officer,
      { at: '2026-12-26T17:00:00+07:00', hamletIds: ['thon-2'] },
      `/api/v1/broadcasts/${created.id}/skips`,
    );
    expect(elsewhere.status).toBe(422);

    // The dispatcher's ticks extend the series day by day with the same materialiser.
    for (let day = 0; day < 23; day++) {
      h.clock.advance(DAY);
      await h.runtime.dispatcher.tick();
    }
    // Three weeks on, the fixture's sessions have expired (14 days): sign in again.
    const login = await post('', { username: 'officer', password: userPassword }, '/api/v1/auth/login');
    const { token } = await body(login);
    const got = await body(await h.request(`/api/v1/broadcasts/${created.id}`, { token }));
    const after = got.occurrences.map((o: any) => [o.at, o.slot]);
    expect(after).toEqual([
      ['2026-11-28T10:00:00.000Z', 'evening'],
      ['2026-12-05T10:00:00.000Z', 'evening'],
      ['2026-12-12T10:02:00.000Z', 'evening'],
      ['2026-12-26T10:00:00.000Z', 'evening'],
    ]);
  });
});
