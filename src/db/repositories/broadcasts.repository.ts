import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { BroadcastWhenSchema, type Broadcast, type NewOccurrence } from '../../domain/broadcast.js';
import { toPage } from '../../domain/page.js';
import type { BroadcastsRepository, NewBroadcast, SeriesToExtend } from '../../domain/ports/repositories.js';
import type { BroadcastTable, Database } from '../schema.js';
import { chunked, runInTurn } from '../in-turn.js';
import { selectBookedOccurrences, toBookedOccurrence } from './booked-occurrences.js';

const SkipsSchema = z.array(z.object({ hamletId: z.string(), at: z.string() }));
const skipsOf = (text: string) => SkipsSchema.parse(JSON.parse(text));

export function createBroadcastsRepository(db: Kysely<Database>): BroadcastsRepository {
  return {
    /** Live (not cancelled) occurrences of these hamlets that start before `to` and end after `from`. */
    async listBookedBetween(hamletIds, from, to, maxDurationMs) {
      if (hamletIds.length === 0) return [];
      // Starting no earlier than `from − longest item` keeps the range scan on the (hamlet, starts_at) index.
      const earliest = new Date(Date.parse(from) - maxDurationMs).toISOString();
      const rows = await selectBookedOccurrences(db)
        .where('o.hamlet_id', 'in', [...hamletIds])
        .where('o.status', '!=', 'cancelled')
        .where('o.starts_at', '>=', earliest)
        .where('o.starts_at', '<', to)
        .orderBy('o.starts_at')
        .execute();
      return rows
        .map(toBookedOccurrence)
        .filter((o) => Date.parse(o.startsAt) + o.durationMs > Date.parse(from));
    },

    async insertBroadcast(b) {
      await db.insertInto('broadcasts').values(broadcastValues(b)).execute();
    },

    async insertBroadcasts(list) {
      // 15 columns a row: 3,000 parameters per statement at most.
      await runInTurn(
        db,
        chunked(list, 200, (part) => db.insertInto('broadcasts').values(part.map(broadcastValues))),
      );
    },

    async setSkips(id, skips) {
      await db
        .updateTable('broadcasts')
        .set({ skips: JSON.stringify(skips) })
        .where('id', '=', id)
        .execute();
    },

    async insertOccurrences(occurrences, now) {
      // 10 columns a row: 30,000 parameters per statement, within SQLite's 32,766 (PostgreSQL: 65,535).
      return runInTurn(
        db,
        chunked(occurrences, 3000, (part) =>
          db
            .insertInto('occurrences')
            .values(part.map((o) => occurrenceValues(o, now)))
            .onConflict((oc) => oc.columns(['broadcast_id', 'hamlet_id', 'starts_at']).doNothing()),
        ),
      );
    },

    async moveOccurrences(moves, now) {
      for (const move of moves) {
        await db
          .updateTable('occurrences')
          .set({ starts_at: move.startsAt, updated_at: now })
          .where('id', '=', move.id)
          .execute();
      }
    },

    async cancelOccurrences(ids, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('occurrences')
        .set({ status: 'cancelled', updated_at: now })
        .where('id', 'in', [...ids])
        .execute();
    },

    async advanceSeries(progress, materialisedUntil) {
      // One statement per distinct next start: series on the same rule share it.
      const byNext = new Map<string | null, string[]>();
      for (const p of progress) {
        const ids = byNext.get(p.nextStartAt);
        if (ids) ids.push(p.id);
        else byNext.set(p.nextStartAt, [p.id]);
      }
      for (const [nextStartAt, ids] of byNext) {
        for (let i = 0; i < ids.length; i += 5000) {
          await db
            .updateTable('broadcasts')
            .set({ materialised_until: materialisedUntil, next_start_at: nextStartAt })
            .where('id', 'in', ids.slice(i, i + 5000))
            .execute();
        }
      }
    },

    async findBroadcast(id) {
      const row = await db.selectFrom('broadcasts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toBroadcast(row);
    },

    async findBroadcastByKey(communeId, idempotencyKey) {
      const row = await db
        .selectFrom('broadcasts')
        .selectAll()
        .where('commune_id', '=', communeId)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      return row && toBroadcast(row);
    },

    async listBroadcasts(communeId, filter) {
      let query = db
        .selectFrom('broadcasts')
        .selectAll()
        .where('commune_id', '=', communeId)
        .orderBy('id')
        .limit(filter.limit + 1);
      if (filter.hamletIds || filter.from || filter.to) {
        query = query.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('occurrences')
              .select('occurrences.id')
              .whereRef('occurrences.broadcast_id', '=', 'broadcasts.id')
              .$if(!!filter.hamletIds, (q) =>
                q.where('occurrences.hamlet_id', 'in', [...(filter.hamletIds ?? [])]),
              )
              .$if(!!filter.from, (q) => q.where('occurrences.starts_at', '>=', filter.from!))
              .$if(!!filter.to, (q) => q.where('occurrences.starts_at', '<', filter.to!)),
          ),
        );
      }
      if (filter.cursor) query = query.where('id', '>', filter.cursor);
      return toPage((await query.execute()).map(toBroadcast), filter.limit);
    },

    async listOccurrencesOf(broadcastIds) {
      if (broadcastIds.length === 0) return [];
      const rows = await selectBookedOccurrences(db)
        .where('o.broadcast_id', 'in', [...broadcastIds])
        .orderBy('o.starts_at')
        .execute();
      return rows.map(toBookedOccurrence);
    },

    async listCommunesOfBooking(bookingId) {
      const rows = await db
        .selectFrom('broadcasts')
        .select('commune_id')
        .distinct()
        .where('booking_id', '=', bookingId)
        .execute();
      return rows.map((r) => r.commune_id);
    },

    async cancelFutureOccurrences(of, now) {
      const future = db
        .updateTable('occurrences')
        .set({ status: 'cancelled', updated_at: now })
        // Not yet begun, whatever a box with a fast clock reported of it a few minutes early.
        .where('status', '!=', 'cancelled')
        .where('starts_at', '>', now);
      const rows = await (
        'hamletId' in of
          ? future.where('hamlet_id', '=', of.hamletId)
          : future.where('broadcast_id', 'in', (eb) =>
              eb.selectFrom('broadcasts').select('id').where('announcement_id', '=', of.announcementId),
            )
      )
        .returning(['id', 'hamlet_id'])
        .execute();
      return rows.map((r) => ({ id: r.id, hamletId: r.hamlet_id }));
    },

    async listRecentOccurrencesOf(announcementId, now, maxDurationMs) {
      const earliest = new Date(Date.parse(now) - maxDurationMs).toISOString();
      const rows = await selectBookedOccurrences(db)
        .where('b.announcement_id', '=', announcementId)
        .where('o.status', '!=', 'cancelled')
        .where('o.starts_at', '>=', earliest)
        .where('o.starts_at', '<=', now)
        .execute();
      return rows.map(toBookedOccurrence);
    },

    async listAiringsOf(announcementId, scope, limit) {
      const hamletIds = scope === 'all' ? null : [...scope];
      if (hamletIds?.length === 0) return [];
      const rows = await db
        .selectFrom('occurrences as o')
        .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select([
          'o.id',
          'o.hamlet_id',
          'h.name as hamlet_name',
          'o.starts_at',
          'o.duration_ms',
          'o.slot_name',
          'o.priority',
          'o.status',
        ])
        .where('b.announcement_id', '=', announcementId)
        .$if(hamletIds !== null, (q) => q.where('o.hamlet_id', 'in', hamletIds!))
        // The latest ones: a weekly series keeps adding airings, and the newest are the ones asked about.
        .orderBy('o.starts_at', 'desc')
        .orderBy('o.id', 'desc')
        .limit(limit)
        .execute();
      return rows.reverse().map((r) => ({
        occurrenceId: r.id,
        hamletId: r.hamlet_id,
        hamletName: r.hamlet_name,
        startsAt: r.starts_at,
        durationMs: Number(r.duration_ms),
        slotName: r.slot_name,
        priority: r.priority,
        status: r.status,
      }));
    },

    async listHamletsBookedWith(announcementId) {
      const rows = await db
        .selectFrom('broadcasts')
        .select('hamlet_ids')
        .where('announcement_id', '=', announcementId)
        .where('cancelled_at', 'is', null)
        .execute();
      return [...new Set(rows.flatMap((r) => JSON.parse(r.hamlet_ids) as string[]))].sort();
    },

    async cancelBroadcast(id, by, now) {
      await db
        .updateTable('broadcasts')
        .set({ cancelled_at: now, cancelled_by: by })
        .where('id', '=', id)
        .execute();
      const rows = await db
        .updateTable('occurrences')
        .set({ status: 'cancelled', updated_at: now })
        .where('broadcast_id', '=', id)
        .where('status', '!=', 'cancelled')
        .where('starts_at', '>', now)
        .returning('hamlet_id')
        .execute();
      return [...new Set(rows.map((r) => r.hamlet_id))];
    },

    async listSeriesToExtend(horizon, communeIds) {
      if (communeIds?.length === 0) return [];
      const rows = await selectLiveSeries(db)
        .where('b.next_start_at', '<', horizon)
        .$if(communeIds !== undefined, (q) => q.where('b.commune_id', 'in', [...communeIds!]))
        .orderBy('b.created_at')
        .orderBy('b.id')
        .execute();
      const announcementIds = [
        ...new Set(rows.flatMap((r) => (r.announcement_id ? [r.announcement_id] : []))),
      ];
      const durations = new Map<string, { language: string; durationMs: number }[]>();
      for (let i = 0; i < announcementIds.length; i += 5000) {
        const variants = await db
          .selectFrom('announcement_variants as v')
          .innerJoin('audio_assets as a', 'a.sha256', 'v.audio_sha256')
          .select(['v.announcement_id', 'v.language', 'a.duration_ms'])
          .where('v.status', '=', 'ready')
          .where('v.approval', '=', 'approved')
          .where('v.announcement_id', 'in', announcementIds.slice(i, i + 5000))
          .execute();
        for (const v of variants) {
          const list = durations.get(v.announcement_id) ?? [];
          list.push({ language: v.language, durationMs: Number(v.duration_ms) });
          durations.set(v.announcement_id, list);
        }
      }
      return rows.map((r): SeriesToExtend => ({
        ...toBroadcast(r),
        title: r.title,
        variantDurations: r.announcement_id ? (durations.get(r.announcement_id) ?? []) : null,
      }));
    },

    async listLiveSeries(communeId) {
      const rows = await selectLiveSeries(db)
        .where('b.commune_id', '=', communeId)
        .where('b.next_start_at', 'is not', null)
        .orderBy('b.created_at')
        .execute();
      return rows.map((r) => ({ ...toBroadcast(r), title: r.title }));
    },

    async listSkipsOfSeriesToExtend(horizon) {
      const rows = await liveSeries(db)
        .select(['b.id', 'b.skips'])
        .where('b.next_start_at', '<', horizon)
        // Content refused since it was read has nothing left to air.
        .where((eb) =>
          eb.or([
            eb('b.announcement_id', 'is', null),
            eb.exists(
              eb
                .selectFrom('announcement_variants as v')
                .select('v.id')
                .whereRef('v.announcement_id', '=', 'b.announcement_id')
                .where('v.status', '=', 'ready')
                .where('v.approval', '=', 'approved'),
            ),
          ]),
        )
        .execute();
      return new Map(rows.map((r) => [r.id, skipsOf(r.skips)]));
    },

    /**
     * Marks `missed` every scheduled occurrence that started before `startedBefore` and of which no
     * receiver reported a start; returns the ids.
     */
    async markMissed(startedBefore, now) {
      const rows = await db
        .updateTable('occurrences')
        .set({ status: 'missed', updated_at: now })
        .where('status', '=', 'scheduled')
        .where('starts_at', '<', startedBefore)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('playback_events')
                .select('playback_events.id')
                .whereRef('playback_events.occurrence_id', '=', 'occurrences.id')
                .where('playback_events.type', '=', 'started'),
            ),
          ),
        )
        .returning(['id', 'hamlet_id'])
        .execute();
      return rows.map((r) => ({ id: r.id, hamletId: r.hamlet_id }));
    },
  };
}

function occurrenceValues(o: NewOccurrence, now: string) {
  return {
    id: o.id,
    broadcast_id: o.broadcastId,
    hamlet_id: o.hamletId,
    starts_at: o.startsAt,
    duration_ms: o.durationMs,
    priority: o.priority,
    slot_name: o.slotName,
    status: 'scheduled' as const,
    created_at: now,
    updated_at: now,
  };
}

/** Broadcasts not cancelled; a withdrawn announcement's series are over. */
const liveSeries = (db: Kysely<Database>) =>
  db
    .selectFrom('broadcasts as b')
    .leftJoin('announcements as a', 'a.id', 'b.announcement_id')
    .where('b.cancelled_at', 'is', null)
    .where('a.withdrawn_at', 'is', null);

/** The live series with their announcement's title. */
const selectLiveSeries = (db: Kysely<Database>) => liveSeries(db).selectAll('b').select('a.title');

function toBroadcast(r: Selectable<BroadcastTable>): Broadcast {
  return {
    id: r.id,
    communeId: r.commune_id,
    announcementId: r.announcement_id,
    relay: r.relay_url ? { url: r.relay_url, durationS: Number(r.relay_duration_s) } : null,
    hamletIds: JSON.parse(r.hamlet_ids) as string[],
    // Stored by the same schema as the request; parsing it back keeps one shape for both.
    schedule: BroadcastWhenSchema.parse(JSON.parse(r.schedule)),
    priority: r.priority,
    createdBy: r.created_by,
    createdAt: r.created_at,
    cancelledAt: r.cancelled_at,
    materialisedUntil: r.materialised_until,
    nextStartAt: r.next_start_at,
    skips: skipsOf(r.skips),
    leadIn: r.lead_audio_sha256
      ? { sha256: r.lead_audio_sha256, durationMs: Number(r.lead_duration_ms ?? 0) }
      : null,
  };
}

function broadcastValues(b: NewBroadcast) {
  return {
    id: b.id,
    commune_id: b.communeId,
    announcement_id: b.announcementId,
    relay_url: b.relay?.url ?? null,
    relay_duration_s: b.relay?.durationS ?? null,
    hamlet_ids: JSON.stringify(b.hamletIds),
    schedule: JSON.stringify(b.schedule),
    priority: b.priority,
    created_by: b.createdBy,
    created_at: b.createdAt,
    materialised_until: b.materialisedUntil,
    next_start_at: b.nextStartAt,
    lead_audio_sha256: b.leadIn?.sha256 ?? null,
    lead_duration_ms: b.leadIn?.durationMs ?? null,
    booking_id: b.bookingId ?? b.id,
    // Left out where there is none: a province's bookings insert many rows, each parameter counted.
    ...(b.idempotencyKey !== undefined && { idempotency_key: b.idempotencyKey }),
  };
}
