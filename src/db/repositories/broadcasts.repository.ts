import type { Kysely } from 'kysely';
import type { BroadcastTable, Database, OccurrenceTable } from '../schema.js';
import { selectBookedOccurrences, toBookedOccurrence, type BookedOccurrence } from './booked-occurrences.js';
import { toPage, type Page, type PageRequest } from './page.js';

export type { BookedOccurrence };

export type Priority = BroadcastTable['priority'];
export type OccurrenceStatus = OccurrenceTable['status'];

export interface BroadcastRow {
  readonly id: string;
  readonly communeId: string;
  readonly announcementId: string | null;
  readonly relay: { readonly url: string; readonly durationS: number } | null;
  readonly hamletIds: readonly string[];
  /** The request's `when`, kept as given (JSON). */
  readonly schedule: Readonly<Record<string, unknown>>;
  readonly priority: Priority;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly cancelledAt: string | null;
  readonly materialisedUntil: string | null;
}

export interface NewOccurrence {
  readonly id: string;
  readonly broadcastId: string;
  readonly hamletId: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly priority: Priority;
  readonly slotName: string | null;
}

export function createBroadcastsRepository(db: Kysely<Database>) {
  return {
    /** Live (not cancelled) occurrences of these hamlets that start before `to` and end after `from`. */
    async listBookedBetween(hamletIds: readonly string[], from: string, to: string, maxDurationMs: number) {
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

    async listSlotItems(hamletId: string, slotName: string, from: string, to: string) {
      const rows = await selectBookedOccurrences(db)
        .where('o.hamlet_id', '=', hamletId)
        .where('o.slot_name', '=', slotName)
        .where('o.status', '!=', 'cancelled')
        .where('o.starts_at', '>=', from)
        .where('o.starts_at', '<', to)
        .execute();
      return rows.map(toBookedOccurrence);
    },

    async insertBroadcast(
      b: Omit<BroadcastRow, 'cancelledAt'>,
      occurrences: readonly NewOccurrence[],
      moves: readonly { id: string; startsAt: string }[],
      cancelIds: readonly string[],
      now: string,
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('broadcasts')
          .values({
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
          })
          .execute();
        if (occurrences.length > 0) {
          await trx
            .insertInto('occurrences')
            .values(occurrences.map((o) => occurrenceValues(o, now)))
            .execute();
        }
        for (const move of moves) {
          await trx
            .updateTable('occurrences')
            .set({ starts_at: move.startsAt, updated_at: now })
            .where('id', '=', move.id)
            .execute();
        }
        if (cancelIds.length > 0) {
          await trx
            .updateTable('occurrences')
            .set({ status: 'cancelled', updated_at: now })
            .where('id', 'in', [...cancelIds])
            .execute();
        }
      });
    },

    /** Adds occurrences found by the rolling horizon; existing (broadcast, hamlet, start) rows are kept. */
    async extendBroadcast(
      id: string,
      occurrences: readonly NewOccurrence[],
      materialisedUntil: string,
      now: string,
    ): Promise<number> {
      return db.transaction().execute(async (trx) => {
        let added = 0;
        for (const o of occurrences) {
          const result = await trx
            .insertInto('occurrences')
            .values(occurrenceValues(o, now))
            .onConflict((oc) => oc.columns(['broadcast_id', 'hamlet_id', 'starts_at']).doNothing())
            .executeTakeFirst();
          added += Number(result.numInsertedOrUpdatedRows ?? 0);
        }
        await trx
          .updateTable('broadcasts')
          .set({ materialised_until: materialisedUntil })
          .where('id', '=', id)
          .execute();
        return added;
      });
    },

    async findBroadcast(id: string): Promise<BroadcastRow | undefined> {
      const row = await db.selectFrom('broadcasts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toBroadcast(row);
    },

    async listBroadcasts(
      communeId: string,
      filter: PageRequest & {
        hamletIds?: readonly string[] | undefined;
        from?: string | undefined;
        to?: string | undefined;
      },
    ): Promise<Page<BroadcastRow>> {
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

    async listOccurrencesOf(broadcastIds: readonly string[]): Promise<readonly BookedOccurrence[]> {
      if (broadcastIds.length === 0) return [];
      const rows = await selectBookedOccurrences(db)
        .where('o.broadcast_id', 'in', [...broadcastIds])
        .orderBy('o.starts_at')
        .execute();
      return rows.map(toBookedOccurrence);
    },

    /** Cancels the broadcast and its occurrences that have not started; returns the hamlets touched. */
    async cancelBroadcast(id: string, by: string, now: string): Promise<readonly string[]> {
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('broadcasts')
          .set({ cancelled_at: now, cancelled_by: by })
          .where('id', '=', id)
          .execute();
        const rows = await trx
          .updateTable('occurrences')
          .set({ status: 'cancelled', updated_at: now })
          .where('broadcast_id', '=', id)
          .where('status', '=', 'scheduled')
          .where('starts_at', '>', now)
          .returning('hamlet_id')
          .execute();
        return [...new Set(rows.map((r) => r.hamlet_id))];
      });
    },

    /** Broadcasts whose occurrences are materialised less far than `horizon` and that still run. */
    async listBroadcastsToExtend(horizon: string): Promise<readonly BroadcastRow[]> {
      const rows = await db
        .selectFrom('broadcasts')
        .selectAll()
        .where('cancelled_at', 'is', null)
        .where('materialised_until', 'is not', null)
        .where('materialised_until', '<', horizon)
        .execute();
      return rows.map(toBroadcast);
    },

    /**
     * Marks `missed` every scheduled occurrence that started before `startedBefore` and of which no
     * receiver reported a start; returns the ids.
     */
    async markMissed(
      startedBefore: string,
      now: string,
    ): Promise<readonly { id: string; hamletId: string }[]> {
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

export type BroadcastsRepository = ReturnType<typeof createBroadcastsRepository>;

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

function toBroadcast(r: BroadcastTable): BroadcastRow {
  return {
    id: r.id,
    communeId: r.commune_id,
    announcementId: r.announcement_id,
    relay: r.relay_url ? { url: r.relay_url, durationS: Number(r.relay_duration_s) } : null,
    hamletIds: JSON.parse(r.hamlet_ids) as string[],
    schedule: JSON.parse(r.schedule) as Record<string, unknown>,
    priority: r.priority,
    createdBy: r.created_by,
    createdAt: r.created_at,
    cancelledAt: r.cancelled_at,
    materialisedUntil: r.materialised_until,
  };
}
