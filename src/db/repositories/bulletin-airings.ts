import type { ExpressionBuilder, Kysely } from 'kysely';
import type { BulletinsRepository } from '../../domain/ports/repositories.js';
import type { Database, ReceiverTable } from '../schema.js';
import type { BulletinDeliveryTable } from '../schema-province.js';

/**
 * What aired of the province's bulletins: the bulletins behind occurrences, and box by box the proof that
 * a bulletin's copies started, completed or failed (part of the bulletins repository).
 */
export function bulletinAirings(
  db: Kysely<Database>,
): Pick<BulletinsRepository, 'findBulletinAirings' | 'listReceiverProof'> {
  return {
    async findBulletinAirings(occurrenceIds) {
      if (occurrenceIds.length === 0) return [];
      const rows = await db
        .selectFrom('occurrences as o')
        .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
        .innerJoin('announcements as a', 'a.id', 'b.announcement_id')
        .innerJoin('bulletins as bu', 'bu.id', 'a.bulletin_id')
        .innerJoin('communes as c', 'c.id', 'a.commune_id')
        .where('o.id', 'in', [...occurrenceIds])
        .select([
          'o.id as occurrence_id',
          'bu.id as bulletin_id',
          'bu.province_id',
          'c.id as commune_id',
          'c.name as commune_name',
          'bu.title',
          'bu.level',
        ])
        .execute();
      return rows.map((r) => ({
        occurrenceId: r.occurrence_id,
        bulletinId: r.bulletin_id,
        provinceId: r.province_id,
        communeId: r.commune_id,
        communeName: r.commune_name,
        title: r.title,
        level: r.level,
      }));
    },

    async listReceiverProof(bulletinId) {
      const reported = (
        eb: ExpressionBuilder<Database & { d: BulletinDeliveryTable; r: ReceiverTable }, 'd' | 'r'>,
        type: 'started' | 'completed' | 'failed',
      ) =>
        eb
          .selectFrom('playback_events as pe')
          .innerJoin('occurrences as o', 'o.id', 'pe.occurrence_id')
          .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
          .whereRef('b.announcement_id', '=', 'd.announcement_id')
          .whereRef('pe.receiver_id', '=', 'r.id')
          .where('pe.type', '=', type)
          .select((e) => e.fn.min('pe.at').as('at'));
      const rows = await db
        .selectFrom('bulletin_deliveries as d')
        .innerJoin('communes as c', 'c.id', 'd.commune_id')
        .innerJoin('hamlets as h', 'h.commune_id', 'd.commune_id')
        .innerJoin('receivers as r', 'r.hamlet_id', 'h.id')
        .where('d.bulletin_id', '=', bulletinId)
        .where('c.deleted_at', 'is', null)
        .where('h.deleted_at', 'is', null)
        .where('r.disabled_at', 'is', null)
        .select([
          'd.commune_id',
          'h.id as hamlet_id',
          'h.name as hamlet_name',
          'r.id as receiver_id',
          'r.name as receiver_name',
        ])
        .select((eb) => [
          reported(eb, 'started').as('started_at'),
          reported(eb, 'completed').as('completed_at'),
          reported(eb, 'failed').as('failed_at'),
        ])
        .orderBy('d.commune_id')
        .orderBy('h.name')
        .orderBy('r.name')
        .execute();
      return rows.map((r) => ({
        communeId: r.commune_id,
        hamletId: r.hamlet_id,
        hamletName: r.hamlet_name,
        receiverId: r.receiver_id,
        receiverName: r.receiver_name,
        startedAt: (r.started_at as string | null) ?? null,
        completedAt: (r.completed_at as string | null) ?? null,
        failedAt: (r.failed_at as string | null) ?? null,
      }));
    },
  };
}
