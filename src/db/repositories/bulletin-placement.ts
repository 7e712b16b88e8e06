import type { Kysely } from 'kysely';
import type { BulletinsRepository } from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';

/**
 * Where the copies of a bulletin go in each commune's schedule: the slot place, the province's placement
 * of every commune at once, and broadcasts added to a delivery (part of the bulletins repository).
 */
export function bulletinPlacement(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'boundParameters'>,
): Pick<
  BulletinsRepository,
  'setSlotPlace' | 'claimReceived' | 'settlePlacement' | 'placeAll' | 'addBroadcasts'
> {
  // Five values a commune (two in each CASE, one in the list) and six of the statement's own: D1 binds 100.
  const perStatement = Math.min(100, Math.floor((capabilities.boundParameters - 6) / 5));
  return {
    async setSlotPlace(bulletinId, communeId, place, broadcastIds, orderAt, now) {
      await db
        .updateTable('bulletin_deliveries')
        .set({ slot_place: place, updated_at: now })
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .execute();
      if (broadcastIds.length > 0) {
        await db
          .updateTable('broadcasts')
          .set({ slot_order_at: orderAt })
          .where('id', 'in', [...broadcastIds])
          .execute();
      }
    },

    async claimReceived(bulletinId, communeIds, by, now) {
      const claimed: string[] = [];
      for (let i = 0; i < communeIds.length; i += perStatement) {
        const rows = await db
          .updateTable('bulletin_deliveries')
          .set({
            decision: 'scheduled',
            decided_by: by,
            decided_at: now,
            placement_due_at: null,
            updated_at: now,
          })
          .where('bulletin_id', '=', bulletinId)
          .where('commune_id', 'in', communeIds.slice(i, i + perStatement))
          .where('decision', '=', 'received')
          .where('placement_due_at', 'is not', null)
          .returning('commune_id')
          .execute();
        claimed.push(...rows.map((r) => r.commune_id));
      }
      return claimed;
    },

    async settlePlacement(bulletinId, communeId, now) {
      const result = await db
        .updateTable('bulletin_deliveries')
        .set({ placement_due_at: null, updated_at: now })
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .where('decision', '=', 'received')
        .where('placement_due_at', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async placeAll(bulletinId, rows, by, now) {
      if (rows.length === 0) return;
      for (let i = 0; i < rows.length; i += perStatement) {
        const part = rows.slice(i, i + perStatement);
        await db
          .updateTable('bulletin_deliveries')
          .set((eb) => {
            let ids = eb.case('commune_id');
            let firsts = eb.case('commune_id');
            for (const r of part) {
              ids = ids.when(r.communeId).then(JSON.stringify([r.broadcastId])) as never;
              firsts = firsts.when(r.communeId).then(r.firstAiringAt) as never;
            }
            return {
              decision: 'scheduled' as const,
              decided_by: by,
              decided_at: now,
              updated_at: now,
              broadcast_ids: (ids as any).end(),
              first_airing_at: (firsts as any).end(),
            };
          })
          .where('bulletin_id', '=', bulletinId)
          .where(
            'commune_id',
            'in',
            part.map((r) => r.communeId),
          )
          .where('decision', '=', 'scheduled')
          .execute();
      }
    },

    async addBroadcasts(bulletinId, communeId, broadcastIds, firstAiringAt, now) {
      const row = await db
        .selectFrom('bulletin_deliveries')
        .select(['broadcast_ids', 'first_airing_at'])
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .executeTakeFirstOrThrow();
      const ids = [...(JSON.parse(row.broadcast_ids) as string[]), ...broadcastIds];
      const first = [row.first_airing_at, firstAiringAt].filter((t): t is string => t !== null).sort()[0];
      await db
        .updateTable('bulletin_deliveries')
        .set({ broadcast_ids: JSON.stringify(ids), first_airing_at: first ?? null, updated_at: now })
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .execute();
    },
  };
}
