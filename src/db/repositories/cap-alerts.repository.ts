import type { Kysely, Selectable } from 'kysely';
import type { CapAlertRecord, CapCommuneItem } from '../../domain/cap/intake.js';
import type { CapLevel } from '../../domain/cap/mapping.js';
import type { CapAlertsRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';
import type { CapAlertCommuneTable, CapAlertTable } from '../schema-province.js';

/** The SQL of CAP alerts received and what each became in each commune. */
export function createCapAlertsRepository(db: Kysely<Database>): CapAlertsRepository {
  return {
    async insertAlert(a, document) {
      await db
        .insertInto('cap_alerts')
        .values({
          id: a.id,
          province_id: a.provinceId,
          alert_key: a.key,
          sender: a.sender,
          identifier: a.identifier,
          sent: a.sent,
          status: a.status,
          msg_type: a.msgType,
          level: a.level,
          headline: a.headline,
          expires_at: a.expiresAt,
          received_via: a.receivedVia,
          document,
          received_at: a.receivedAt,
        })
        .execute();
    },

    async findAlertByKey(provinceId, key) {
      const row = await db
        .selectFrom('cap_alerts')
        .selectAll()
        .where('province_id', '=', provinceId)
        .where('alert_key', '=', key)
        .executeTakeFirst();
      return row && toAlert(row);
    },

    async findAlert(id) {
      const row = await db.selectFrom('cap_alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAlert(row);
    },

    async findDocument(id) {
      const row = await db
        .selectFrom('cap_alerts')
        .select('document')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.document;
    },

    async findAlertsByKeys(provinceId, keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('cap_alerts')
        .selectAll()
        .where('province_id', '=', provinceId)
        .where('alert_key', 'in', [...keys])
        .execute();
      return rows.map(toAlert);
    },

    async insertItem(item) {
      await db
        .insertInto('cap_alert_communes')
        .values({
          id: item.id,
          alert_id: item.alertId,
          commune_id: item.communeId,
          hamlet_ids: JSON.stringify(item.hamletIds),
          state: item.state,
          announcement_id: item.announcementId,
          event_id: item.eventId,
          bulletin_id: item.bulletinId,
          broadcast_id: item.broadcastId,
          created_at: item.createdAt,
          updated_at: item.updatedAt,
        })
        .execute();
    },

    async updateItem(id, changes, now, onlyFrom) {
      const result = await db
        .updateTable('cap_alert_communes')
        .set({
          updated_at: now,
          ...(changes.state !== undefined && { state: changes.state }),
          ...(changes.bulletinId !== undefined && { bulletin_id: changes.bulletinId }),
          ...(changes.eventId !== undefined && { event_id: changes.eventId }),
          ...(changes.broadcastId !== undefined && { broadcast_id: changes.broadcastId }),
        })
        .where('id', '=', id)
        .$if(onlyFrom !== undefined, (q) => q.where('state', 'in', [...onlyFrom!]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async findItem(id) {
      const row = await db
        .selectFrom('cap_alert_communes')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async listItemsOfAlerts(alertIds) {
      if (alertIds.length === 0) return [];
      const rows = await db
        .selectFrom('cap_alert_communes')
        .selectAll()
        .where('alert_id', 'in', [...alertIds])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toItem);
    },

    async listLiveItemsOfEvents(eventIds) {
      if (eventIds.length === 0) return [];
      const rows = await db
        .selectFrom('cap_alert_communes')
        .selectAll()
        .where('event_id', 'in', [...eventIds])
        .where('state', 'in', ['aired', 'review', 'speaking'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toItem);
    },

    async listCommuneItems(communeId, states) {
      const rows = await db
        .selectFrom('cap_alert_communes as i')
        .innerJoin('cap_alerts as a', 'a.id', 'i.alert_id')
        .selectAll('i')
        .select(['a.headline', 'a.sender', 'a.sent', 'a.msg_type', 'a.level', 'a.expires_at'])
        .where('i.commune_id', '=', communeId)
        .$if(states !== undefined, (q) => q.where('i.state', 'in', [...states!]))
        .orderBy('i.created_at', 'desc')
        .orderBy('i.id')
        .limit(200)
        .execute();
      return rows.map((r) => ({
        ...toItem(r),
        headline: r.headline,
        sender: r.sender,
        sent: r.sent,
        msgType: r.msg_type,
        level: r.level as CapLevel | 'none',
        expiresAt: r.expires_at,
      }));
    },

    async listExpired(now) {
      const rows = await db
        .selectFrom('cap_alert_communes as i')
        .innerJoin('cap_alerts as a', 'a.id', 'i.alert_id')
        .selectAll('i')
        .where('i.state', 'in', ['aired', 'review'])
        .where('a.expires_at', 'is not', null)
        .where('a.expires_at', '<=', now)
        .execute();
      return rows.map(toItem);
    },

    async listSpokenWaiting() {
      const rows = await db
        .selectFrom('cap_alert_communes as i')
        .innerJoin('announcements as n', 'n.id', 'i.announcement_id')
        .selectAll('i')
        .where('i.state', '=', 'speaking')
        .where('n.status', '=', 'ready')
        .orderBy('i.created_at')
        .limit(100)
        .execute();
      return rows.map(toItem);
    },
  };
}

function toAlert(r: Selectable<CapAlertTable>): CapAlertRecord {
  return {
    id: r.id,
    provinceId: r.province_id,
    key: r.alert_key,
    sender: r.sender,
    identifier: r.identifier,
    sent: r.sent,
    status: r.status,
    msgType: r.msg_type,
    level: r.level as CapLevel | 'none',
    headline: r.headline,
    expiresAt: r.expires_at,
    receivedVia: r.received_via as CapAlertRecord['receivedVia'],
    receivedAt: r.received_at,
  };
}

function toItem(r: Selectable<CapAlertCommuneTable>): CapCommuneItem {
  return {
    id: r.id,
    alertId: r.alert_id,
    communeId: r.commune_id,
    hamletIds: JSON.parse(r.hamlet_ids) as string[],
    state: r.state,
    announcementId: r.announcement_id,
    eventId: r.event_id,
    bulletinId: r.bulletin_id,
    broadcastId: r.broadcast_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
