import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
import { dialects } from '../support/databases.js';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
const MINUTE = 60_000;

interface Item {
  id: string;
  state: string;
  announcementId: string;
  eventId: string;
  bulletinId: string | null;
  headline: string;
}

/** What an officer of the commune meets in the CAP review queue. */
describe.each(dialects)('the CAP review queue, on %s', (dialect) => {
  let h: Harness;
  let alertsToken: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    const province = ((await login.json()) as { token: string }).token;
    const res = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province,
      json: { name: 'Hệ thống cảnh báo', scopes: ['alerts:write'] },
    });
    alertsToken = ((await res.json()) as { secret: string }).secret;
  });
  afterAll(() => h.close());

  const inVietnam = (ms: number) => `${new Date(ms + 7 * 60 * MINUTE).toISOString().slice(0, 19)}+07:00`;
  const push = (xml: string) =>
    h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: alertsToken,
      headers: { 'content-type': 'application/cap+xml' },
      body: xml,
    });
  const items = async (state?: string) =>
    (
      (await (
        await h.request(`/api/v1/alerts/cap${state ? `?state=${state}` : ''}`, { token: h.tokens.officer })
      ).json()) as { items: Item[] }
    ).items;
  /** A possible, moderate alert: it waits in the review queue; its content approved when asked. */
  const queued = async (identifier: string, headline: string, opts: { expires?: string } = {}) => {
    const res = await push(
      capXml({
        identifier,
        severity: 'Moderate',
        urgency: 'Future',
        certainty: 'Possible',
        event: 'Rét hại',
        headline,
        area: geocodeCocSan,
        ...(opts.expires && { expires: opts.expires }),
      }),
    );
    expect(res.status).toBe(202);
    const item = (await items()).find((i) => i.headline === headline)!;
    expect(item.state).toBe('review');
    const approved = await h.request(`/api/v1/announcements/${item.announcementId}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approved.status).toBe(200);
    return item;
  };
  const air = (id: string) =>
    h.request(`/api/v1/alerts/cap/${id}/air`, { method: 'POST', token: h.tokens.officer });
  const endEvent = (eventId: string) =>
    h.request(`/api/v1/disaster/events/${eventId}/end`, {
      method: 'POST',
      token: h.tokens.officer,
      json: {},
    });

  it('takes an alert that expired while waiting out of the queue on the dispatcher tick', async () => {
    const stale = await queued('RQ-1', 'Sương muối sáng nay', {
      expires: inVietnam(h.clock.now().getTime() + 10 * MINUTE),
    });
    h.clock.advance(11 * MINUTE);
    try {
      await h.runtime.dispatcher.tick();
      expect((await items('review')).some((i) => i.id === stale.id)).toBe(false);
      expect((await items()).find((i) => i.id === stale.id)!.state).toBe('expired');
    } finally {
      h.clock.advance(-11 * MINUTE);
    }
  });

  it('airs an item whose event an officer ended in a new event of the same name', async () => {
    const item = await queued('RQ-2', 'Rét hại kéo dài đến cuối tuần');
    expect((await endEvent(item.eventId)).status).toBe(200);
    const res = await air(item.id);
    expect(res.status).toBe(200);
    const aired = (await res.json()) as Item;
    expect(aired).toMatchObject({ state: 'aired', bulletinId: expect.any(String) });
    expect(aired.eventId).not.toBe(item.eventId);
    const event = (await (
      await h.request(`/api/v1/disaster/events/${aired.eventId}`, { token: h.tokens.officer })
    ).json()) as { name: string; status: string; bulletins: { id: string }[] };
    expect(event).toMatchObject({ name: 'Rét hại', status: 'active' });
    expect(event.bulletins.map((b) => b.id)).toEqual([aired.bulletinId]);
    expect((await endEvent(aired.eventId)).status).toBe(200);
  });

  it("tells the expiry in the commune's own time, in Vietnamese, when airing from the queue and on arrival", async () => {
    // A commune file may name another zone than the default; the messages follow the commune's.
    await h.runtime.db.kysely.updateTable('communes').set({ time_zone: 'Asia/Tokyo' }).execute();
    try {
      const expires = h.clock.now().getTime() + 10 * MINUTE; // 10:10 in Tokyo
      const late = await queued('RQ-3', 'Gió mùa đông bắc tăng cường', { expires: inVietnam(expires) });
      h.clock.advance(11 * MINUTE);
      try {
        const refused = await air(late.id);
        expect(refused.status).toBe(409);
        expect(((await refused.json()) as { detailVi: string }).detailVi).toMatch(
          /đã hết hạn lúc 10:10 ngày 27\/11\/2026/,
        );
      } finally {
        h.clock.advance(-11 * MINUTE);
      }
      const gone = await push(
        capXml({ identifier: 'RQ-4', expires: inVietnam(h.clock.now().getTime() - MINUTE) }),
      );
      expect(gone.status).toBe(422);
      const detailVi = ((await gone.json()) as { detailVi: string }).detailVi;
      expect(detailVi).toMatch(/đã hết hạn lúc 09:59 ngày 27\/11\/2026/);
      expect(detailVi).not.toMatch(/\d{4}-\d\d-\d\dT/);
    } finally {
      await h.runtime.db.kysely.updateTable('communes').set({ time_zone: 'Asia/Ho_Chi_Minh' }).execute();
    }
  });
});
