import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';

interface ReceiverRow {
  receiverId: string;
  hamletId: string;
  expected: number;
  played: number;
}

/**
 * A box of Ún Tà moved to thôn 3 on D1: the move and its stretches are one unit of work there too, the
 * report it queued in Ún Tà is accepted after the move, and what it aired stays Ún Tà's.
 */
describe('a receiver moved to another hamlet, on D1', () => {
  let h: Harness;
  let box: { id: string; token: string };
  let before = '';
  let after = '';

  beforeAll(async () => {
    h = await createHarness();
    h.clock.set('2026-11-27T00:30:00.000Z');
    const made = await h.request('/api/v1/receivers', {
      method: 'POST',
      token: h.tokens.admin,
      json: { hamletId: 'un-ta', name: 'Cụm loa nhà văn hóa' },
    });
    expect(made.status).toBe(201);
    const body = (await made.json()) as { receiver: { id: string }; token: string };
    box = { id: body.receiver.id, token: body.token };
    const relay = async (at: string) => {
      const res = await h.request('/api/v1/broadcasts', {
        method: 'POST',
        token: h.tokens.officer,
        json: { relay: { url: 'https://radio.example.vn/vov1', durationS: 60 }, hamletIds: ['un-ta'], at },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { occurrences: { id: string }[] }).occurrences[0]!.id;
    };
    before = await relay('2026-11-27T09:00:00+07:00');
    after = await relay('2026-11-27T15:00:00+07:00');
    h.clock.set('2026-11-27T05:00:00.000Z');
    const moved = await h.request(`/api/v1/receivers/${box.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-3' },
    });
    expect(moved.status).toBe(200);
  });

  const log = (id: string, occurrenceId: string, at: string) =>
    h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: { events: [{ id, occurrenceId, type: 'started', at }] },
    });

  it('keeps one stretch per hamlet, the first closed when the second opened', async () => {
    const rows = await h.runtime.db.kysely
      .selectFrom('receiver_hamlet_stretches')
      .select(['hamlet_id', 'arrived_at', 'left_at'])
      .where('receiver_id', '=', box.id)
      .orderBy('arrived_at')
      .execute();
    expect(rows).toEqual([
      { hamlet_id: 'un-ta', arrived_at: '2026-11-27T00:30:00.000Z', left_at: '2026-11-27T05:00:00.000Z' },
      { hamlet_id: 'thon-3', arrived_at: '2026-11-27T05:00:00.000Z', left_at: null },
    ]);
  });

  it('accepts the queued report of the airing before the move, and refuses one after it', async () => {
    h.clock.set('2026-11-27T05:10:00.000Z');
    const queued = await log('q1', before, '2026-11-27T02:00:00.000Z');
    expect(queued.status, await queued.clone().text()).toBe(200);
    h.clock.set('2026-11-27T08:00:30.000Z');
    const late = await log('q2', after, '2026-11-27T08:00:00.000Z');
    expect(late.status).toBe(422);
    expect(((await late.json()) as { rejected: { reason: string }[] }).rejected).toEqual([
      expect.objectContaining({ reason: 'other_hamlet' }),
    ]);
  });

  it('counts the airing under Ún Tà, for its head too', async () => {
    h.clock.set('2026-11-27T09:00:00.000Z');
    for (const token of [h.tokens.officer, h.tokens.head]) {
      const res = await h.request('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', { token });
      expect(res.status).toBe(200);
      const { receivers } = (await res.json()) as { receivers: ReceiverRow[] };
      expect(
        receivers
          .filter((r) => r.receiverId === box.id && r.expected > 0)
          .map(({ hamletId, expected, played }) => ({ hamletId, expected, played })),
      ).toEqual([{ hamletId: 'un-ta', expected: 1, played: 1 }]);
    }
  });
});
