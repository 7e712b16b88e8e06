import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';

/**
 * Once armed, holds the province's placement of an emergency everywhere right after it read the
 * deliveries (its first step) until released: a commune officer's own booking of the bulletin then comes
 * in the middle of it, every time. SQLite runs one unit of work at a time, so there the officer's booking
 * waits behind the placement, which goes on after `fallbackMs`.
 */
function holdPlacement(fallbackMs = 500) {
  let held: { reached: () => void; released: Promise<void> } | undefined;
  return {
    decorate: (repositories: Repositories): Repositories => ({
      ...repositories,
      bulletins: {
        ...repositories.bulletins,
        async listDeliveries(bulletinId) {
          const deliveries = await repositories.bulletins.listDeliveries(bulletinId);
          const hold = held;
          held = undefined;
          if (hold) {
            hold.reached();
            await Promise.race([hold.released, new Promise((resolve) => setTimeout(resolve, fallbackMs))]);
          }
          return deliveries;
        },
      },
    }),
    arm(): { reached: Promise<void>; release: () => void } {
      let reached!: () => void;
      let release!: () => void;
      const came = new Promise<void>((resolve) => (reached = resolve));
      held = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
      return { reached: came, release };
    },
  };
}

/**
 * An emergency bulletin is booked by the province in every commune once sent; a commune officer who books
 * it by hand while that runs (the inbox shows it received for that moment) must not get a second
 * emergency: of the two, one books the commune, and the delivery names that one broadcast.
 */
describe.each(dialects)(
  'an emergency bulletin booked by the province and a commune at once, on %s',
  (dialect) => {
    const hold = holdPlacement();
    let h: Harness;
    let p: ProvinceFixture;
    const body = async (res: Response) => (await res.json()) as any;

    beforeAll(async () => {
      h = await createHarness(dialect, {}, { decorateRepositories: hold.decorate });
      p = await provinceFixture(h);
    });
    afterAll(() => h.close());

    it('books the commune once, and the delivery names that broadcast', async () => {
      const created = await h.request('/api/v1/province/bulletins', {
        method: 'POST',
        token: p.tokens.provinceOfficer,
        json: {
          title: 'Lũ quét trên sông Chảy',
          language: 'vi',
          category: 'general',
          text: 'Ủy ban nhân dân tỉnh thông báo khẩn: nước sông Chảy đang lên nhanh.',
          level: 'emergency',
          communeIds: ['coc-san', otherCommune],
        },
      });
      expect(created.status, await created.clone().text()).toBe(202);
      const { id } = await body(created);
      await h.runtime.jobs.drain();

      const { reached, release } = hold.arm();
      const sent = h.request(`/api/v1/province/bulletins/${id}/send`, {
        method: 'POST',
        token: p.tokens.provinceOfficer,
      });
      await reached;
      const byHand = await h.request(`/api/v1/bulletins/${id}/schedule`, {
        method: 'POST',
        token: h.tokens.officer,
        json: { hamletIds: ['un-ta'], at: h.clock.now().toISOString() },
      });
      release();
      const answer = await sent;
      expect(answer.status, await answer.clone().text()).toBe(200);
      // On PostgreSQL the officer books while the placement is held: first, so the province leaves Cốc San.
      if (dialect === 'postgres') expect(byHand.status, await byHand.clone().text()).toBe(201);
      else expect([201, 409], await byHand.clone().text()).toContain(byHand.status);

      const view = await body(
        await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer }),
      );
      const coc = view.deliveries.find((d: any) => d.communeId === 'coc-san');
      const live = await h.runtime.db.kysely
        .selectFrom('broadcasts')
        .select(['id', 'priority'])
        .where('announcement_id', '=', coc.announcementId)
        .where('cancelled_at', 'is', null)
        .execute();
      expect(live).toEqual([{ id: coc.broadcastIds[0], priority: 'emergency' }]);
      expect(coc).toMatchObject({ status: 'scheduled', broadcastIds: [live[0]!.id] });
      expect(coc.decidedBy).toBe(byHand.status === 201 ? h.userIds.officer : p.userIds.provinceOfficer);
      // The other commune is booked by the province all the same.
      const other = view.deliveries.find((d: any) => d.communeId === otherCommune);
      expect(other).toMatchObject({ status: 'scheduled', decidedBy: p.userIds.provinceOfficer });
      expect(other.broadcastIds).toHaveLength(1);
      const { placements } = await body(answer);
      expect(placements.find((pl: any) => pl.communeId === 'coc-san').broadcastId).toBe(
        byHand.status === 201 ? null : live[0]!.id,
      );
    });
  },
);
