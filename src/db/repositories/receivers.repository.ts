import type { Kysely } from 'kysely';
import { toPage, type Page, type PageRequest } from '../../domain/page.js';
import type { ReceiversRepository } from '../../domain/ports/repositories.js';
import type { Receiver } from '../../domain/receiver/receiver.js';
import type { Database } from '../schema.js';
import { openFirstStretch, stretchMoves } from './receiver-stretches.js';

const columns = [
  'receivers.id',
  'receivers.hamlet_id',
  'receivers.name',
  'receivers.disabled_at',
  'receivers.is_example',
  'receivers.last_seen_at',
  'receivers.last_state',
  'receivers.created_at',
  'receivers.updated_at',
] as const;

export function createReceiversRepository(db: Kysely<Database>): ReceiversRepository {
  return {
    async countSeenSince(since) {
      const row = await db
        .selectFrom('receivers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('disabled_at', 'is', null)
        .where('last_seen_at', '>', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async listSilentAmong(ids, since) {
      const silent: string[] = [];
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await db
          .selectFrom('receivers')
          .select('id')
          .where('id', 'in', ids.slice(i, i + 1000))
          .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', since)]))
          .execute();
        silent.push(...rows.map((r) => r.id));
      }
      return silent;
    },

    async listReceivers(
      communeId: string,
      scope: 'all' | readonly string[],
      page: PageRequest & { hamletId?: string | undefined },
    ): Promise<Page<Receiver>> {
      if (scope !== 'all' && scope.length === 0) return { items: [], nextCursor: null };
      let query = db
        .selectFrom('receivers')
        .innerJoin('hamlets', 'hamlets.id', 'receivers.hamlet_id')
        .select(columns)
        .where('hamlets.commune_id', '=', communeId)
        .orderBy('receivers.id')
        .limit(page.limit + 1);
      if (scope !== 'all') query = query.where('receivers.hamlet_id', 'in', [...scope]);
      if (page.hamletId) query = query.where('receivers.hamlet_id', '=', page.hamletId);
      if (page.cursor) query = query.where('receivers.id', '>', page.cursor);
      return toPage((await query.execute()).map(toReceiver), page.limit);
    },

    async findReceiver(id: string): Promise<Receiver | undefined> {
      const row = await db
        .selectFrom('receivers')
        .select(columns)
        .where('receivers.id', '=', id)
        .executeTakeFirst();
      return row && toReceiver(row);
    },

    async insertReceiver(
      receiver: { id: string; hamletId: string; name: string; tokenHash: string; isExample?: boolean },
      now: string,
    ): Promise<void> {
      await db
        .insertInto('receivers')
        .values({
          id: receiver.id,
          hamlet_id: receiver.hamletId,
          name: receiver.name,
          token_hash: receiver.tokenHash,
          is_example: receiver.isExample ? 1 : 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await openFirstStretch(db, receiver.id, receiver.hamletId, now);
    },

    ...stretchMoves(db),

    async insertOffPeriod(receiverId, from, until) {
      await db
        .insertInto('receiver_off_periods')
        .values({ receiver_id: receiverId, off_from: from, off_until: until })
        .execute();
    },

    async updateReceiver(
      id: string,
      changes: {
        name?: string;
        hamletId?: string;
        tokenHash?: string;
        disabledAt?: string | null;
        playbackFailures?: 0;
      },
      now: string,
    ): Promise<void> {
      await db
        .updateTable('receivers')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.hamletId !== undefined && { hamlet_id: changes.hamletId, arrived_at: now }),
          ...(changes.tokenHash !== undefined && { token_hash: changes.tokenHash }),
          ...(changes.disabledAt !== undefined && { disabled_at: changes.disabledAt }),
          ...(changes.playbackFailures !== undefined && { playback_failures: changes.playbackFailures }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    /** Enabled receivers of live hamlets and communes last heard from in (after, until], by the index. */
    async listLastSeenBetween(after, until) {
      const rows = await db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .innerJoin('communes as c', 'c.id', 'h.commune_id')
        .select([
          'r.id',
          'r.name',
          'r.last_seen_at',
          'h.id as hamlet_id',
          'h.name as hamlet_name',
          'c.id as commune_id',
          'c.name as commune_name',
          'c.province_id',
        ])
        .where('r.last_seen_at', '>', after)
        .where('r.last_seen_at', '<=', until)
        .where('r.disabled_at', 'is', null)
        .where('h.deleted_at', 'is', null)
        .where('c.deleted_at', 'is', null)
        .orderBy('r.last_seen_at')
        .orderBy('r.id')
        .execute();
      return rows.flatMap((r) =>
        r.province_id && r.last_seen_at
          ? [
              {
                receiverId: r.id,
                receiverName: r.name,
                hamletId: r.hamlet_id,
                hamletName: r.hamlet_name,
                communeId: r.commune_id,
                communeName: r.commune_name,
                provinceId: r.province_id,
                lastSeenAt: r.last_seen_at,
              },
            ]
          : [],
      );
    },

    /**
     * Deletes heartbeat history recorded before `cutoff`, oldest first, `batchSize` rows per statement,
     * until no such row is left or `maxRows` went; returns how many went. Each statement commits on its
     * own, so a large backlog neither holds SQLite's write lock long nor builds one huge PostgreSQL
     * transaction, and queued queries run between batches. The receivers' latest state stays.
     *
     * ```sql
     * delete from "receiver_heartbeats" where "id" in
     *   (select "id" from "receiver_heartbeats" where "at" < ? order by "at" limit ?)
     * ```
     */
    async deleteHeartbeatsBefore(
      cutoff: string,
      opts: { readonly batchSize?: number; readonly maxRows?: number } = {},
    ): Promise<number> {
      const batchSize = opts.batchSize ?? 5000;
      const maxRows = opts.maxRows ?? Number.POSITIVE_INFINITY;
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new RangeError(`batchSize must be a positive whole number (got ${batchSize})`);
      }
      let deleted = 0;
      while (deleted < maxRows) {
        const limit = Math.min(batchSize, maxRows - deleted);
        // A subquery, because PostgreSQL has no `DELETE … LIMIT` and SQLite has it only as a build option.
        const result = await db
          .deleteFrom('receiver_heartbeats')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('receiver_heartbeats')
              .select('id')
              .where('at', '<', cutoff)
              .orderBy('at')
              .limit(limit),
          )
          .executeTakeFirst();
        const n = Number(result.numDeletedRows);
        deleted += n;
        if (n === 0 || n < limit) break;
      }
      return deleted;
    },
  };
}

function toReceiver(row: {
  id: string;
  hamlet_id: string;
  name: string;
  disabled_at: string | null;
  is_example: number;
  last_seen_at: string | null;
  last_state: string | null;
  created_at: string;
  updated_at: string;
}): Receiver {
  return {
    id: row.id,
    hamletId: row.hamlet_id,
    name: row.name,
    disabledAt: row.disabled_at,
    isExample: Number(row.is_example) === 1,
    lastSeenAt: row.last_seen_at,
    lastState: row.last_state ? (JSON.parse(row.last_state) as Record<string, unknown>) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
