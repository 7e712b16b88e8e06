import type { Kysely } from 'kysely';
import type { ReceiverAlarmsRepository } from '../../domain/ports/repositories.js';
import type { ReceiverAlarm } from '../../domain/receiver/alarm.js';
import type { Database } from '../schema.js';

const toAlarm = (r: {
  id: string;
  receiver_id: string;
  kind: ReceiverAlarm['kind'];
  started_at: string;
  cleared_at: string | null;
  detail: string;
}): ReceiverAlarm => ({
  id: r.id,
  receiverId: r.receiver_id,
  kind: r.kind,
  startedAt: r.started_at,
  clearedAt: r.cleared_at,
  detail: r.detail,
});

export function createReceiverAlarmsRepository(db: Kysely<Database>): ReceiverAlarmsRepository {
  // Enabled receivers of live hamlets and communes: a disabled box raises nothing. Every alarm is of
  // something a box reported, so the example commune's placeholders, never heard from, raise none, and
  // a real box enrolled on one of their rows is watched like any other.
  const live = () =>
    db
      .selectFrom('receivers as r')
      .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
      .innerJoin('communes as c', 'c.id', 'h.commune_id')
      .where('r.disabled_at', 'is', null)
      .where('h.deleted_at', 'is', null)
      .where('c.deleted_at', 'is', null);

  // When each was last switched on again: what it said before (its last heartbeat, its free space) is no
  // measure of it since.
  const liveSinceOn = () =>
    live().select((eb) =>
      eb
        .selectFrom('receiver_off_periods as p')
        .select((e) => e.fn.max('p.off_until').as('on_at'))
        .whereRef('p.receiver_id', '=', 'r.id')
        .as('on_at'),
    );

  return {
    async listOpenAlarms() {
      const rows = await db
        .selectFrom('receiver_alarms')
        .selectAll()
        .where('cleared_at', 'is', null)
        .execute();
      return rows.map(toAlarm);
    },

    async listCommuneOpenAlarms(communeId) {
      const rows = await db
        .selectFrom('receiver_alarms as a')
        .innerJoin('receivers as r', 'r.id', 'a.receiver_id')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .selectAll('a')
        .where('a.cleared_at', 'is', null)
        .where('h.commune_id', '=', communeId)
        .orderBy('a.started_at')
        .orderBy('a.id')
        .execute();
      return rows.map(toAlarm);
    },

    async listSilentSince(before) {
      const rows = await liveSinceOn()
        .select(['r.id', 'r.last_seen_at'])
        .where('r.last_seen_at', '<', before)
        .execute();
      return rows
        .map((r) => ({
          receiverId: r.id,
          lastSeenAt: r.on_at && r.on_at > r.last_seen_at! ? r.on_at : r.last_seen_at!,
        }))
        .filter((r) => r.lastSeenAt < before);
    },

    async listLowStorage(bytes) {
      const rows = await liveSinceOn()
        .select(['r.id', 'r.free_bytes', 'r.last_seen_at'])
        .where('r.free_bytes', '<', bytes)
        .execute();
      return rows
        .filter((r) => !r.on_at || r.last_seen_at! > r.on_at)
        .map((r) => ({ receiverId: r.id, freeBytes: Number(r.free_bytes), lastSeenAt: r.last_seen_at! }));
    },

    async listFailingPlayback(failures) {
      const rows = await live()
        .select(['r.id', 'r.playback_failures'])
        .where('r.playback_failures', '>=', failures)
        .execute();
      return rows.map((r) => ({ receiverId: r.id, failures: r.playback_failures }));
    },

    async insertAlarms(alarms) {
      if (alarms.length === 0) return [];
      const rows = await db
        .insertInto('receiver_alarms')
        .values(
          alarms.map((a) => ({
            id: a.id,
            receiver_id: a.receiverId,
            kind: a.kind,
            started_at: a.startedAt,
            cleared_at: a.clearedAt,
            detail: a.detail,
          })),
        )
        // Another dispatcher raised it first: its alarm stands, this one is not written.
        .onConflict((oc) => oc.columns(['receiver_id', 'kind']).where('cleared_at', 'is', null).doNothing())
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async clearAlarms(ids, now) {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('receiver_alarms')
        .set({ cleared_at: now })
        .where('id', 'in', [...ids])
        .where('cleared_at', 'is', null)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async findSubjects(receiverIds) {
      if (receiverIds.length === 0) return [];
      const rows = await db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .innerJoin('communes as c', 'c.id', 'h.commune_id')
        .select([
          'r.id',
          'r.name',
          'h.id as hamlet_id',
          'h.name as hamlet_name',
          'c.id as commune_id',
          'c.name as commune_name',
          'c.province_id',
        ])
        .where('r.id', 'in', [...receiverIds])
        .execute();
      return rows.flatMap((r) =>
        r.province_id
          ? [
              {
                receiverId: r.id,
                receiverName: r.name,
                hamletId: r.hamlet_id,
                hamletName: r.hamlet_name,
                communeId: r.commune_id,
                communeName: r.commune_name,
                provinceId: r.province_id,
              },
            ]
          : [],
      );
    },
  };
}
