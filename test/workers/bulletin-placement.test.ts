import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';

/**
 * A province emergency placed in every commune at once claims and writes all the deliveries in a few
 * statements; on D1 a statement takes at most 100 bound values, which a province of 30 communes passes
 * several times.
 */
describe("a province emergency's deliveries placed at once on D1", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('d1');
  });
  afterAll(() => h.close());

  it('marks every commune of a 30-commune province scheduled, with its broadcast and first airing', async () => {
    const db = h.runtime.db.kysely;
    const now = h.clock.now().toISOString();
    const communes = Array.from({ length: 30 }, (_, i) => `xa-${i + 1}`);
    const province = await db
      .selectFrom('communes')
      .select(['province_id', 'province_code', 'settings'])
      .where('id', '=', 'coc-san')
      .executeTakeFirstOrThrow();
    for (const [i, id] of communes.entries()) {
      await db
        .insertInto('communes')
        .values({
          id,
          name: `Xã số ${i + 1}`,
          code: String(90_000 + i),
          province_code: province.province_code,
          province_id: province.province_id,
          time_zone: 'Asia/Ho_Chi_Minh',
          settings: province.settings,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await db
      .insertInto('announcements')
      .values({
        id: 'ban-tin-khan',
        commune_id: 'coc-san',
        hamlet_id: null,
        title: 'Bão số 9',
        category: 'thien-tai',
        created_by: h.userIds.admin,
        status: 'ready',
        error: null,
        approval: 'approved',
        approval_reason: null,
        approved_by: null,
        approved_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('bulletins')
      .values({
        id: 'bt-1',
        province_id: province.province_id!,
        announcement_id: 'ban-tin-khan',
        title: 'Bão số 9',
        level: 'emergency',
        commune_ids: null,
        answer_by: null,
        created_by: h.userIds.admin,
        created_at: now,
        sent_at: now,
      })
      .execute();
    for (const id of communes) {
      await db
        .insertInto('bulletin_deliveries')
        .values({
          bulletin_id: 'bt-1',
          commune_id: id,
          announcement_id: 'ban-tin-khan',
          decision: 'received',
          broadcast_ids: '[]',
          first_airing_at: null,
          decline_reason: null,
          decided_by: null,
          decided_at: null,
          // Sent a moment ago: due for the province's placement.
          placement_due_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }

    // Claimed first, as the placement claims them before booking: both in statements under D1's limit.
    const claimed = await h.runtime.repos.bulletins.claimReceived('bt-1', communes, h.userIds.admin, now);
    expect([...claimed].sort()).toEqual([...communes].sort());
    const at = (i: number) => new Date(h.clock.now().getTime() + i * 1000).toISOString();
    await h.runtime.repos.bulletins.placeAll(
      'bt-1',
      communes.map((communeId, i) => ({ communeId, broadcastId: `phat-${i}`, firstAiringAt: at(i) })),
      h.userIds.admin,
      now,
    );

    const placed = await db
      .selectFrom('bulletin_deliveries')
      .select(['commune_id', 'decision', 'broadcast_ids', 'first_airing_at'])
      .where('bulletin_id', '=', 'bt-1')
      .execute();
    expect(placed).toHaveLength(30);
    for (const row of placed) {
      const i = communes.indexOf(row.commune_id);
      expect(row).toEqual({
        commune_id: communes[i],
        decision: 'scheduled',
        broadcast_ids: JSON.stringify([`phat-${i}`]),
        first_airing_at: at(i),
      });
    }
  });
});
