import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  otherCommune,
  otherHamletLanguages,
  provinceFixture,
  setOtherHamletLanguages,
  type ProvinceFixture,
} from '../support/province.js';
import { refuseBookings } from '../support/refused-bookings.js';

interface Placement {
  communeId: string;
  broadcastId: string | null;
  problem: string | null;
}
interface Delivery {
  communeId: string;
  announcementId: string;
  decision: string;
  status: string;
  broadcastIds: string[];
  decidedBy: string | null;
}

/** Past the time a send of its own is given to place its bulletin before the dispatcher takes over. */
const AFTER_GRACE_MS = 2 * 60_000;

/**
 * Sending a priority or emergency bulletin commits the deliveries first and books the communes after, in
 * units of work of their own. A send whose booking the database refused (or whose process died there)
 * leaves the bulletin sent and booked nowhere: sending it again books what is still unbooked, and the
 * dispatcher's leader books it too if nobody sends it again; each commune once, never a commune that
 * answered the bulletin itself, and never again one where a rule refused it.
 */
describe.each(dialects)('a sent bulletin whose placement failed, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let counter = 0;
  const body = async (res: Response) => (await res.json()) as any;

  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
  });
  afterAll(() => h.close());

  const send = (id: string) =>
    h.request(`/api/v1/province/bulletins/${id}/send`, { method: 'POST', token: p.tokens.provinceOfficer });

  /** A bulletin with its audio processed, not sent yet. */
  async function ready(level: 'priority' | 'emergency'): Promise<string> {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: `Bản tin ${level} gửi lại ${++counter}`,
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo khẩn về mưa lũ.',
        level,
        communeIds: ['coc-san', otherCommune],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    await h.runtime.jobs.drain();
    return (await body(created)).id;
  }

  /**
   * Sent while the database refuses bookings (all of them, or one commune's): the send fails after its
   * deliveries were committed.
   */
  async function sentButNotPlaced(level: 'priority' | 'emergency', onlyIn?: string): Promise<string> {
    const id = await ready(level);
    const refused = await refuseBookings(h.runtime.db.kysely, dialect, onlyIn);
    try {
      const sent = await send(id);
      expect(sent.status, await sent.clone().text()).toBe(500);
    } finally {
      await refused.lift();
    }
    const v = await view(id);
    expect(v.sentAt).not.toBeNull();
    for (const d of v.deliveries) {
      if (onlyIn !== undefined && d.communeId !== onlyIn) continue;
      expect([d.communeId, d.status, d.broadcastIds]).toEqual([d.communeId, 'received', []]);
    }
    return id;
  }

  const view = async (id: string): Promise<{ sentAt: string | null; deliveries: Delivery[] }> => {
    const res = await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer });
    expect(res.status).toBe(200);
    return body(res);
  };

  /** Every broadcast ever made of each commune's copy (cancelled or not), by commune. */
  async function broadcastsOf(id: string): Promise<Record<string, { id: string; cancelled: boolean }[]>> {
    const out: Record<string, { id: string; cancelled: boolean }[]> = {};
    for (const d of (await view(id)).deliveries) {
      const rows = await h.runtime.db.kysely
        .selectFrom('broadcasts')
        .select(['id', 'cancelled_at'])
        .where('announcement_id', '=', d.announcementId)
        .orderBy('id')
        .execute();
      out[d.communeId] = rows.map((r) => ({ id: r.id, cancelled: r.cancelled_at !== null }));
    }
    return out;
  }

  const refusals = async (id: string) =>
    h.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'bulletin.placement_refused')
      .where('target_id', '=', id)
      .execute();

  it('emergency: sending it again books every commune once, and again changes nothing', async () => {
    h.clock.set('2026-11-27T15:30:00.000Z'); // 22:30 local: an emergency goes through quiet hours.
    const id = await sentButNotPlaced('emergency');

    const retried = await send(id);
    expect(retried.status, await retried.clone().text()).toBe(200);
    const first = (await body(retried)) as { sentAt: string; placements: Placement[] };
    expect(first.sentAt).toBe((await view(id)).sentAt);
    const booked = await broadcastsOf(id);
    expect(first.placements).toEqual([
      { communeId: 'coc-san', broadcastId: booked['coc-san']![0]!.id, problem: null },
      { communeId: otherCommune, broadcastId: booked[otherCommune]![0]!.id, problem: null },
    ]);
    expect(Object.values(booked).map((b) => b.length)).toEqual([1, 1]);
    for (const d of (await view(id)).deliveries) {
      expect(d).toMatchObject({ status: 'scheduled', decidedBy: p.userIds.provinceOfficer });
      expect(d.broadcastIds).toEqual([booked[d.communeId]![0]!.id]);
    }

    // The officer's client sends it once more: the same answer, nothing booked twice.
    const again = await send(id);
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await body(again)).placements).toEqual(first.placements);
    expect(await broadcastsOf(id)).toEqual(booked);
  });

  it('priority: the dispatcher books it into the next slot once the send had its time, once', async () => {
    h.clock.set('2026-11-28T01:00:00.000Z'); // 08:00 local: the next slot is this evening's.
    const id = await sentButNotPlaced('priority');

    // The send itself may still be placing it: the dispatcher leaves it alone for a while.
    expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(0);
    expect(Object.values(await broadcastsOf(id)).flat()).toEqual([]);

    h.clock.advance(AFTER_GRACE_MS);
    expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(2);
    const booked = await broadcastsOf(id);
    expect(Object.values(booked).map((b) => b.length)).toEqual([1, 1]);
    const v = await view(id);
    for (const d of v.deliveries) {
      expect(d).toMatchObject({ status: 'scheduled', decidedBy: p.userIds.provinceOfficer });
      const broadcast = await body(
        await h.request(`/api/v1/broadcasts/${d.broadcastIds[0]}`, {
          token: d.communeId === 'coc-san' ? h.tokens.officer : p.other.tokens.officer,
        }),
      );
      expect(broadcast.priority).toBe('priority');
      expect(broadcast.occurrences.every((o: any) => o.slot === 'evening')).toBe(true);
    }

    expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(0);
    const retried = await send(id);
    expect(retried.status, await retried.clone().text()).toBe(200);
    expect((await body(retried)).placements).toEqual([
      { communeId: 'coc-san', broadcastId: booked['coc-san']![0]!.id, problem: null },
      { communeId: otherCommune, broadcastId: booked[otherCommune]![0]!.id, problem: null },
    ]);
    expect(await broadcastsOf(id)).toEqual(booked);
  });

  it('priority whose placement failed in one commune: sending it again books that one, and keeps the other', async () => {
    h.clock.set('2026-11-28T23:00:00.000Z'); // 06:00 local: the next slot is this evening's.
    const id = await sentButNotPlaced('priority', otherCommune);
    const before = await broadcastsOf(id);
    expect(before['coc-san']).toHaveLength(1);
    expect(before[otherCommune]).toEqual([]);

    const retried = await send(id);
    expect(retried.status, await retried.clone().text()).toBe(200);
    const booked = await broadcastsOf(id);
    expect(booked['coc-san']).toEqual(before['coc-san']);
    expect(booked[otherCommune]).toHaveLength(1);
    expect((await body(retried)).placements).toEqual([
      { communeId: 'coc-san', broadcastId: booked['coc-san']![0]!.id, problem: null },
      { communeId: otherCommune, broadcastId: booked[otherCommune]![0]!.id, problem: null },
    ]);
    h.clock.advance(AFTER_GRACE_MS);
    expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(0);
    expect(await broadcastsOf(id)).toEqual(booked);
  });

  it('a commune that booked it by hand meanwhile keeps its one booking; the other commune is booked', async () => {
    h.clock.set('2026-11-29T03:00:00.000Z');
    const id = await sentButNotPlaced('emergency');
    const byHand = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { hamletIds: ['un-ta'], at: h.clock.now().toISOString() },
    });
    expect(byHand.status, await byHand.clone().text()).toBe(201);
    const own = (await body(byHand)).id as string;

    h.clock.advance(AFTER_GRACE_MS);
    expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(1);
    const booked = await broadcastsOf(id);
    expect(booked['coc-san']).toEqual([{ id: own, cancelled: false }]);
    expect(booked[otherCommune]).toHaveLength(1);

    const retried = await send(id);
    expect(retried.status, await retried.clone().text()).toBe(200);
    expect((await body(retried)).placements).toEqual([
      { communeId: 'coc-san', broadcastId: null, problem: 'Xã đã tự xếp lịch phát bản tin này.' },
      { communeId: otherCommune, broadcastId: booked[otherCommune]![0]!.id, problem: null },
    ]);
    expect(await broadcastsOf(id)).toEqual(booked);
    const v = await view(id);
    expect(v.deliveries.find((d) => d.communeId === 'coc-san')).toMatchObject({
      decidedBy: h.userIds.officer,
      broadcastIds: [own],
    });
  });

  it('neither a commune a rule refused nor one that took the bulletin back into its inbox is booked again', async () => {
    h.clock.set('2026-11-30T01:00:00.000Z');
    await setOtherHamletLanguages(h, p, [['dao'], ['dao'], ['dao']]);
    try {
      const id = await ready('priority');
      const sent = await send(id);
      expect(sent.status, await sent.clone().text()).toBe(200);
      const placements = (await body(sent)).placements as Placement[];
      expect(placements[1]).toMatchObject({ communeId: otherCommune, broadcastId: null });
      expect(placements[1]!.problem).toMatch(/Chưa thôn nào/);
      expect(await refusals(id)).toHaveLength(1);

      // Cốc San cancels the province's booking: the bulletin is back in its inbox, for it to book.
      const placed = placements[0]!.broadcastId!;
      const cancelled = await h.request(`/api/v1/broadcasts/${placed}`, {
        method: 'DELETE',
        token: h.tokens.officer,
      });
      expect(cancelled.status, await cancelled.clone().text()).toBe(200);
      expect((await view(id)).deliveries.map((d) => d.status)).toEqual(['received', 'received']);

      h.clock.advance(AFTER_GRACE_MS);
      expect((await h.runtime.dispatcher.tick()).bulletinsPlaced).toBe(0);
      const retried = await send(id);
      expect(retried.status, await retried.clone().text()).toBe(200);
      const waiting = 'Bản tin đang chờ xã tự xếp lịch phát (trong hộp thư bản tin của xã).';
      expect((await body(retried)).placements).toEqual([
        { communeId: 'coc-san', broadcastId: null, problem: waiting },
        { communeId: otherCommune, broadcastId: null, problem: waiting },
      ]);
      expect(await broadcastsOf(id)).toEqual({
        'coc-san': [{ id: placed, cancelled: true }],
        [otherCommune]: [],
      });
      expect(await refusals(id)).toHaveLength(1);
      expect((await view(id)).deliveries.map((d) => d.status)).toEqual(['received', 'received']);
    } finally {
      await setOtherHamletLanguages(h, p, otherHamletLanguages);
    }
  });

  it('a normal bulletin sent again is still refused: nothing of it is placed by the province', async () => {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Bản tin thường',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo lịch tiêm phòng.',
        level: 'normal',
        communeIds: ['coc-san'],
      },
    });
    await h.runtime.jobs.drain();
    const { id } = await body(created);
    expect((await send(id)).status).toBe(200);
    const again = await send(id);
    expect(again.status).toBe(409);
  });
});
