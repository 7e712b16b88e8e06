import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Bulletin, BulletinDelivery } from '../../domain/bulletin.js';
import type { BulletinsRepository, InboxItem } from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';
import type { BulletinDeliveryTable, BulletinTable } from '../schema-province.js';
import { chunked, runInTurn } from '../in-turn.js';
import { bulletinAirings } from './bulletin-airings.js';
import { bulletinPlacement } from './bulletin-placement.js';

/** Rows per insert statement: well under PostgreSQL's and SQLite's parameter limits. */
const CHUNK = 200;

export function createBulletinsRepository(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'boundParameters'>,
): BulletinsRepository {
  /** Distinct boxes that reported starting an airing of the delivery's copy: the proof that it aired. */
  const airedReceivers = (eb: ExpressionBuilder<Database & { d: BulletinDeliveryTable }, 'd'>) =>
    eb
      .selectFrom('playback_events as pe')
      .innerJoin('occurrences as o', 'o.id', 'pe.occurrence_id')
      .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
      .whereRef('b.announcement_id', '=', 'd.announcement_id')
      .where('pe.type', 'in', ['started', 'completed'])
      .select((e) => e.fn.count<number>('pe.receiver_id').distinct().as('n'))
      .as('aired_receivers');

  // A deleted commune is hidden from the province's bulletins as from its lists and reports; its rows stay.
  const selectDeliveries = () =>
    db
      .selectFrom('bulletin_deliveries as d')
      .innerJoin('communes as c', 'c.id', 'd.commune_id')
      .where('c.deleted_at', 'is', null)
      .selectAll('d')
      .select('c.name as commune_name')
      .select((eb) => airedReceivers(eb));

  /** Deliveries with their bulletin's columns beside them. */
  const selectWithBulletins = () =>
    selectDeliveries()
      .innerJoin('bulletins as bu', 'bu.id', 'd.bulletin_id')
      .select([
        'bu.id as bu_id',
        'bu.province_id as bu_province_id',
        'bu.announcement_id as bu_announcement_id',
        'bu.title as bu_title',
        'bu.level as bu_level',
        'bu.commune_ids as bu_commune_ids',
        'bu.answer_by as bu_answer_by',
        'bu.created_by as bu_created_by',
        'bu.created_at as bu_created_at',
        'bu.sent_at as bu_sent_at',
      ]);

  const toInboxItem = (
    r: Awaited<ReturnType<ReturnType<typeof selectWithBulletins>['execute']>>[number],
  ): InboxItem => ({
    delivery: toDelivery(r),
    bulletin: toBulletin({
      id: r.bu_id,
      province_id: r.bu_province_id,
      announcement_id: r.bu_announcement_id,
      title: r.bu_title,
      level: r.bu_level,
      commune_ids: r.bu_commune_ids,
      answer_by: r.bu_answer_by,
      created_by: r.bu_created_by,
      created_at: r.bu_created_at,
      sent_at: r.bu_sent_at,
    }),
  });

  return {
    ...bulletinAirings(db),
    ...bulletinPlacement(db, capabilities),
    async insertBulletin(b) {
      await db
        .insertInto('bulletins')
        .values({
          id: b.id,
          province_id: b.provinceId,
          announcement_id: b.announcementId,
          title: b.title,
          level: b.level,
          commune_ids: b.communeIds === null ? null : JSON.stringify(b.communeIds),
          answer_by: b.answerBy,
          created_by: b.createdBy,
          created_at: b.createdAt,
          sent_at: null,
        })
        .execute();
    },

    async findBulletin(id) {
      const row = await db.selectFrom('bulletins').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toBulletin(row);
    },

    async findBulletinOfAnnouncement(announcementId) {
      const row = await db
        .selectFrom('bulletins')
        .selectAll()
        .where('announcement_id', '=', announcementId)
        .executeTakeFirst();
      return row && toBulletin(row);
    },

    async listBulletins(provinceId, limit) {
      const rows = await db
        .selectFrom('bulletins')
        .selectAll()
        .where('province_id', '=', provinceId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toBulletin);
    },

    async markSent(id, now) {
      const result = await db
        .updateTable('bulletins')
        .set({ sent_at: now })
        .where('id', '=', id)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertCopiesAndDeliveries(bulletin, copies, decision, by, now, placementDue) {
      if (copies.length === 0) return;
      const source = await db
        .selectFrom('announcements')
        .select(['category'])
        .where('id', '=', bulletin.announcementId)
        .executeTakeFirstOrThrow();
      const variants = await db
        .selectFrom('announcement_variants')
        .selectAll()
        .where('announcement_id', '=', bulletin.announcementId)
        .where('status', '=', 'ready')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      await runInTurn(
        db,
        chunked(copies, CHUNK, (part) =>
          db.insertInto('announcements').values(
            part.map((c) => ({
              id: c.announcementId,
              commune_id: c.communeId,
              hamlet_id: null,
              title: bulletin.title,
              category: source.category,
              created_by: by,
              status: 'ready' as const,
              error: null,
              // The province answers for its bulletin's content; the commune decides whether it airs.
              approval: 'approved' as const,
              approval_reason: null,
              approved_by: by,
              approved_at: now,
              bulletin_id: bulletin.id,
              created_at: now,
              updated_at: now,
            })),
          ),
        ),
      );
      const variantRows = copies.flatMap((c) =>
        variants.map((v, i) => ({
          id: c.variantIds[i]!,
          announcement_id: c.announcementId,
          language: v.language,
          source_kind: v.source_kind,
          // The original stays the province's; the copy shares only the processed audio.
          source_key: null,
          source_name: v.source_name,
          text: v.text,
          voice: v.voice,
          status: 'ready' as const,
          error: null,
          audio_sha256: v.audio_sha256,
          opus_sha256: v.opus_sha256,
          approval: 'approved' as const,
          probe: null,
          created_at: now,
          updated_at: now,
        })),
      );
      await runInTurn(
        db,
        chunked(variantRows, CHUNK, (part) => db.insertInto('announcement_variants').values(part)),
      );
      await runInTurn(
        db,
        chunked(copies, CHUNK, (part) =>
          db.insertInto('bulletin_deliveries').values(
            part.map((c) => ({
              bulletin_id: bulletin.id,
              commune_id: c.communeId,
              announcement_id: c.announcementId,
              decision,
              broadcast_ids: '[]',
              first_airing_at: null,
              decline_reason: null,
              decided_by: null,
              decided_at: null,
              slot_place: null,
              placement_due_at: placementDue ? now : null,
              created_at: now,
              updated_at: now,
            })),
          ),
        ),
      );
    },

    async listPlacementDue(from, to, limit) {
      const due = await db
        .selectFrom('bulletin_deliveries as d')
        .innerJoin('communes as c', 'c.id', 'd.commune_id')
        .where('c.deleted_at', 'is', null)
        .where('d.placement_due_at', '>=', from)
        .where('d.placement_due_at', '<=', to)
        .select('d.bulletin_id')
        .select((eb) => eb.fn.min('d.placement_due_at').as('due_at'))
        .groupBy('d.bulletin_id')
        .orderBy('due_at', 'desc')
        .orderBy('d.bulletin_id')
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const rows = await db
        .selectFrom('bulletins')
        .selectAll()
        .where(
          'id',
          'in',
          due.map((d) => d.bulletin_id),
        )
        .where('sent_at', 'is not', null)
        .execute();
      const byId = new Map(rows.map((r) => [r.id, toBulletin(r)]));
      return due.flatMap((d) => byId.get(d.bulletin_id) ?? []);
    },

    async listDeliveries(bulletinId) {
      const rows = await selectDeliveries()
        .where('d.bulletin_id', '=', bulletinId)
        .orderBy('c.name')
        .execute();
      return rows.map(toDelivery);
    },

    async findDelivery(bulletinId, communeId) {
      const row = await selectDeliveries()
        .where('d.bulletin_id', '=', bulletinId)
        .where('d.commune_id', '=', communeId)
        .executeTakeFirst();
      return row && toDelivery(row);
    },

    async findDeliveryOfCopy(announcementId) {
      const row = await selectDeliveries().where('d.announcement_id', '=', announcementId).executeTakeFirst();
      return row && toDelivery(row);
    },

    async reopen(bulletinId, communeId, now) {
      const result = await db
        .updateTable('bulletin_deliveries')
        .set({
          decision: 'received',
          broadcast_ids: '[]',
          first_airing_at: null,
          decided_by: null,
          decided_at: null,
          slot_place: null,
          placement_due_at: null,
          updated_at: now,
        })
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .where('decision', '=', 'scheduled')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async listInbox(communeId, limit) {
      const rows = await selectWithBulletins()
        .where('d.commune_id', '=', communeId)
        .orderBy('d.created_at', 'desc')
        .orderBy('d.bulletin_id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toInboxItem);
    },

    async listSentBetween(provinceId, from, to) {
      const rows = await selectWithBulletins()
        .where('bu.province_id', '=', provinceId)
        .where('bu.sent_at', '>=', from)
        .where('bu.sent_at', '<', to)
        .orderBy('bu.sent_at')
        .orderBy('bu.id')
        .orderBy('d.commune_id')
        .execute();
      return rows.map(toInboxItem);
    },

    async listExportDeliveries(provinceId, after, limit) {
      let query = selectWithBulletins()
        .where('bu.province_id', '=', provinceId)
        .where('bu.sent_at', 'is not', null)
        .orderBy('d.bulletin_id')
        .orderBy('d.commune_id')
        .limit(limit);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('d.bulletin_id', '>', after.bulletinId),
            eb.and([eb('d.bulletin_id', '=', after.bulletinId), eb('d.commune_id', '>', after.communeId)]),
          ]),
        );
      }
      return (await query.execute()).map(toInboxItem);
    },

    async decide(bulletinId, communeId, from, to) {
      const result = await db
        .updateTable('bulletin_deliveries')
        .set({
          decision: to.decision,
          decline_reason: to.reason,
          decided_by: to.by,
          decided_at: to.now,
          placement_due_at: null,
          updated_at: to.now,
        })
        .where('bulletin_id', '=', bulletinId)
        .where('commune_id', '=', communeId)
        .where('decision', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

function toBulletin(r: Selectable<BulletinTable>): Bulletin {
  return {
    id: r.id,
    provinceId: r.province_id,
    announcementId: r.announcement_id,
    title: r.title,
    level: r.level,
    communeIds: r.commune_ids === null ? null : (JSON.parse(r.commune_ids) as string[]),
    answerBy: r.answer_by,
    createdBy: r.created_by,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

function toDelivery(
  r: Selectable<BulletinDeliveryTable> & {
    readonly commune_name: string;
    readonly aired_receivers: number | string | bigint | null;
  },
): BulletinDelivery {
  return {
    bulletinId: r.bulletin_id,
    communeId: r.commune_id,
    communeName: r.commune_name,
    announcementId: r.announcement_id,
    decision: r.decision,
    broadcastIds: JSON.parse(r.broadcast_ids) as string[],
    firstAiringAt: r.first_airing_at,
    declineReason: r.decline_reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    slotPlace: r.slot_place,
    airedReceivers: Number(r.aired_receivers ?? 0),
    placementDue: r.placement_due_at !== null,
    createdAt: r.created_at,
  };
}
