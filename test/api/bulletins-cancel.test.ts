import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin as send } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
interface Delivery {
  communeId: string;
  decision: string;
  status: string;
  broadcastIds: string[];
  firstAiringAt: string | null;
  decidedBy: string | null;
  slotPlace: string | null;
}

/**
 * A commune that cancels the broadcast of a province bulletin it holds: once none of the delivery's
 * broadcasts is left, the bulletin is back in its inbox as received (the province sees it waiting, not a
 * cancelled airing time), and the commune can schedule it again. One airing cancelled of several is not.
 */
describe.each(dialects)('a bulletin whose broadcast the commune cancels, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  const body = async (res: Response) => (await res.json()) as any;

  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
  });
  afterAll(() => h.close());

  const delivery = async (id: string): Promise<Delivery> => {
    const res = await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer });
    expect(res.status).toBe(200);
    return ((await body(res)).deliveries as Delivery[]).find((d) => d.communeId === 'coc-san')!;
  };
  const schedule = (id: string, json: unknown) =>
    h.request(`/api/v1/bulletins/${id}/schedule`, { method: 'POST', token: h.tokens.officer, json });
  const cancel = (path: string, token = h.tokens.officer) =>
    h.request(`/api/v1/broadcasts/${path}`, { method: 'DELETE', token });
  const reopened = async (bulletinId: string) =>
    h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['actor_id'])
      .where('action', '=', 'bulletin.reopen')
      .where('target_id', '=', bulletinId)
      .execute();
  const waiting = {
    decision: 'received',
    status: 'received',
    broadcastIds: [],
    firstAiringAt: null,
    decidedBy: null,
    slotPlace: null,
  };

  it('normal: one airing of two cancelled keeps it scheduled; the broadcast cancelled puts it back, and it is scheduled again', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const { id } = await send(h, p.tokens.provinceOfficer, 'normal', ['coc-san']);
    const hamlets = (await body(await h.request('/api/v1/hamlets', { token: h.tokens.officer }))).items;
    const two = hamlets.slice(0, 2).map((x: { id: string }) => x.id);
    const first = await schedule(id, { hamletIds: two, at: '2026-11-28T09:00:00+07:00' });
    expect(first.status, await first.clone().text()).toBe(201);
    const booking = await body(first);
    expect(booking.occurrences).toHaveLength(2);

    const one = await cancel(`${booking.id}/occurrences/${booking.occurrences[0].id}`);
    expect(one.status, await one.clone().text()).toBe(200);
    expect(await delivery(id)).toMatchObject({ status: 'scheduled', broadcastIds: [booking.id] });

    const whole = await cancel(booking.id);
    expect(whole.status, await whole.clone().text()).toBe(200);
    expect(await delivery(id)).toMatchObject(waiting);
    expect(await reopened(id)).toEqual([{ actor_id: h.userIds.officer }]);
    const inbox = await body(await h.request(`/api/v1/bulletins/${id}`, { token: h.tokens.officer }));
    expect(inbox.delivery.status).toBe('received');

    const again = await schedule(id, { hamletIds: ['un-ta'], at: '2026-11-29T09:00:00+07:00' });
    expect(again.status, await again.clone().text()).toBe(201);
    expect(await delivery(id)).toMatchObject({
      status: 'scheduled',
      broadcastIds: [(await body(again)).id],
      firstAiringAt: '2026-11-29T02:00:00.000Z',
      decidedBy: h.userIds.officer,
    });
  });

  it('priority: the broadcast the province placed, cancelled by a commune admin, puts it back for the commune to book', async () => {
    h.clock.set('2026-11-30T01:00:00.000Z'); // 08:00 local: placed in this evening's slot.
    const { id, placements } = await send(h, p.tokens.provinceOfficer, 'priority', ['coc-san']);
    const placed = placements[0]!.broadcastId!;
    expect(await delivery(id)).toMatchObject({ status: 'scheduled', broadcastIds: [placed] });

    const cancelled = await cancel(placed, h.tokens.admin);
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    expect(await delivery(id)).toMatchObject(waiting);
    expect(await reopened(id)).toEqual([{ actor_id: h.userIds.admin }]);

    const booked = await schedule(id, { hamletIds: ['un-ta'], at: '2026-12-01T09:00:00+07:00' });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const again = await h.request(`/api/v1/broadcasts/${(await body(booked)).id}`, {
      token: h.tokens.officer,
    });
    expect((await body(again)).priority).toBe('priority');
    expect(await delivery(id)).toMatchObject({ status: 'scheduled', decidedBy: h.userIds.officer });
  });
});
