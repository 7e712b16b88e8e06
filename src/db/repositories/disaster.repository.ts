import type { Kysely, Selectable } from 'kysely';
import type { BulletinAiring, DisasterBulletin, DisasterEvent, RiskLevel } from '../../domain/disaster.js';
import type { DisasterRepository } from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { Database, DisasterBulletinTable, DisasterEventTable } from '../schema.js';

/** The SQL of disaster events and their bulletins, and when each bulletin last aired where. */
export function createDisasterRepository(
  db: Kysely<Database>,
  capabilities: DbCapabilities,
): DisasterRepository {
  const bulletins = () =>
    db
      .selectFrom('disaster_bulletins as d')
      .innerJoin('announcements as a', 'a.id', 'd.announcement_id')
      .innerJoin('broadcasts as b', 'b.id', 'd.broadcast_id')
      .selectAll('d')
      .select(['a.title', 'b.hamlet_ids', 'b.cancelled_at']);

  return {
    async insertEvent(e, idempotencyKey) {
      const result = await db
        .insertInto('disaster_events')
        .values({
          id: e.id,
          commune_id: e.communeId,
          name: e.name,
          hazard_type: e.hazardType,
          status: e.status,
          created_by: e.createdBy,
          created_at: e.createdAt,
          ended_at: null,
          ended_by: null,
          idempotency_key: idempotencyKey ?? null,
        })
        .$if(idempotencyKey !== undefined, (q) =>
          q.onConflict((oc) => oc.columns(['commune_id', 'idempotency_key']).doNothing()),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async findEventByKey(communeId, idempotencyKey) {
      const row = await db
        .selectFrom('disaster_events')
        .selectAll()
        .where('commune_id', '=', communeId)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      return row && toEvent(row);
    },

    async findBulletinByKey(communeId, idempotencyKey) {
      const row = await bulletins()
        .where('d.commune_id', '=', communeId)
        .where('d.idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      return row && toBulletin(row);
    },

    async lockEvent(id) {
      // SQLite's unit of work already holds the database's one write lock.
      if (!capabilities.rowLocks) return;
      await db.selectFrom('disaster_events').select('id').where('id', '=', id).forUpdate().execute();
    },

    async findEvent(id) {
      const row = await db.selectFrom('disaster_events').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toEvent(row);
    },

    async listEvents(communeId, status) {
      const rows = await db
        .selectFrom('disaster_events')
        .selectAll()
        .where('commune_id', '=', communeId)
        .$if(status !== undefined, (q) => q.where('status', '=', status!))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(200)
        .execute();
      return rows.map(toEvent);
    },

    async endEvent(id, by, now) {
      await db
        .updateTable('disaster_events')
        .set({ status: 'ended', ended_at: now, ended_by: by })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .execute();
    },

    async nextSequence(eventId) {
      const row = await db
        .selectFrom('disaster_bulletins')
        .select((eb) => eb.fn.max('sequence').as('n'))
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return Number(row?.n ?? 0) + 1;
    },

    async insertBulletin(b, idempotencyKey) {
      await db
        .insertInto('disaster_bulletins')
        .values({
          id: b.id,
          event_id: b.eventId,
          commune_id: b.communeId,
          sequence: b.sequence,
          announcement_id: b.announcementId,
          broadcast_id: b.broadcastId,
          risk_level: b.riskLevel,
          hazard_type: b.hazardType,
          agency: b.agency,
          issued_at: b.issuedAt,
          every_hours: b.everyHours,
          header_text: b.headerText,
          header_sha256: b.headerSha256,
          created_by: b.createdBy,
          created_at: b.createdAt,
          ended_at: null,
          end_reason: null,
          idempotency_key: idempotencyKey ?? null,
        })
        .execute();
    },

    async findBulletin(id) {
      const row = await bulletins().where('d.id', '=', id).executeTakeFirst();
      return row && toBulletin(row);
    },

    async listBulletinsOfEvents(eventIds) {
      if (eventIds.length === 0) return [];
      const rows = await bulletins()
        .where('d.event_id', 'in', [...eventIds])
        .orderBy('d.event_id')
        .orderBy('d.sequence', 'desc')
        .execute();
      return rows.map(toBulletin);
    },

    async endBulletins(ids, reason, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('disaster_bulletins')
        .set({ ended_at: now, end_reason: reason })
        .where('id', 'in', [...ids])
        .where('ended_at', 'is', null)
        .execute();
    },

    async listBulletinAirings(bulletinIds, now) {
      if (bulletinIds.length === 0) return [];
      const rows = await db
        .selectFrom('disaster_bulletins as d')
        .innerJoin('occurrences as o', 'o.broadcast_id', 'd.broadcast_id')
        .select((eb) => [
          'd.id',
          'o.hamlet_id',
          eb.fn
            .max(eb.case().when('o.status', '=', 'played').then(eb.ref('o.starts_at')).end())
            .as('last_aired_at'),
          eb.fn
            .min(
              eb
                .case()
                .when(eb.and([eb('o.status', '=', 'scheduled'), eb('o.starts_at', '>', now)]))
                .then(eb.ref('o.starts_at'))
                .end(),
            )
            .as('next_at'),
        ])
        .where('d.id', 'in', [...bulletinIds])
        .groupBy(['d.id', 'o.hamlet_id'])
        .execute();
      return rows.map((r): BulletinAiring => ({
        bulletinId: r.id,
        hamletId: r.hamlet_id,
        lastAiredAt: (r.last_aired_at as string | null) ?? null,
        nextAt: (r.next_at as string | null) ?? null,
      }));
    },
  };
}

function toEvent(r: Selectable<DisasterEventTable>): DisasterEvent {
  return {
    id: r.id,
    communeId: r.commune_id,
    name: r.name,
    hazardType: r.hazard_type,
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  };
}

function toBulletin(
  r: Selectable<DisasterBulletinTable> & {
    readonly title: string;
    readonly hamlet_ids: string;
    readonly cancelled_at: string | null;
  },
): DisasterBulletin {
  return {
    id: r.id,
    eventId: r.event_id,
    communeId: r.commune_id,
    sequence: Number(r.sequence),
    announcementId: r.announcement_id,
    title: r.title,
    broadcastId: r.broadcast_id,
    riskLevel: Number(r.risk_level) as RiskLevel,
    hazardType: r.hazard_type,
    agency: r.agency,
    issuedAt: r.issued_at,
    everyHours: Number(r.every_hours),
    headerText: r.header_text,
    headerSha256: r.header_sha256,
    hamletIds: JSON.parse(r.hamlet_ids) as string[],
    createdBy: r.created_by,
    createdAt: r.created_at,
    // Its broadcast cancelled from the schedule (DELETE /api/v1/broadcasts/{id}): nothing of it airs any more.
    endedAt: r.ended_at ?? r.cancelled_at,
    endReason: r.end_reason ?? (r.cancelled_at ? 'ended' : null),
  };
}
