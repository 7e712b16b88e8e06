import type { Kysely } from 'kysely';
import type { AiringCount } from '../../domain/receiver/coverage-report.js';
import type { Occurrence } from '../../domain/broadcast.js';
import type {
  ExpectedReceiver,
  PlaybackFilter,
  PlaybackRepository,
} from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';
import { expectedPairs, factColumns, factGroup, factsOf, heard, type Pairs } from './airing-pairs.js';
import { selectBookedOccurrences, toBookedOccurrence } from './booked-occurrences.js';

/** The SQL of the monitoring pages: what played where, and coverage counts. */
export function createPlaybackRepository(
  db: Kysely<Database>,
  capabilities: DbCapabilities,
): PlaybackRepository {
  return {
    /** Occurrences of these hamlets (of one commune) starting in [from, to), by time then id. */
    async listPlaybackOccurrences(
      communeId: string,
      hamletIds: 'all' | readonly string[],
      filter: PlaybackFilter,
    ): Promise<readonly Occurrence[]> {
      if (hamletIds !== 'all' && hamletIds.length === 0) return [];
      let query = selectBookedOccurrences(db)
        .where('b.commune_id', '=', communeId)
        .where('o.starts_at', '>=', filter.from)
        .where('o.starts_at', '<', filter.to)
        .orderBy('o.starts_at')
        .orderBy('o.id')
        .limit(filter.limit);
      if (hamletIds !== 'all') query = query.where('o.hamlet_id', 'in', [...hamletIds]);
      if (filter.status) query = query.where('o.status', '=', filter.status);
      if (filter.after) {
        const { startsAt, id } = filter.after;
        query = query.where((eb) =>
          eb.or([
            eb('o.starts_at', '>', startsAt),
            eb.and([eb('o.starts_at', '=', startsAt), eb('o.id', '>', id)]),
          ]),
        );
      }
      const rows = await query.execute();
      return rows.map(toBookedOccurrence);
    },

    /** One occurrence with its title, and the commune it belongs to. */
    async findPlaybackOccurrence(id) {
      const row = await selectBookedOccurrences(db)
        .select('b.commune_id')
        .where('o.id', '=', id)
        .executeTakeFirst();
      return row && { ...toBookedOccurrence(row), communeId: row.commune_id };
    },

    /**
     * A broadcast's latest occurrences in these hamlets, newest first: a long series keeps only what a page
     * can show, and a hamlet head's page shows her hamlets' own, not what is left of the commune's.
     */
    async listBroadcastOccurrences(broadcastId, hamletIds, limit) {
      if (hamletIds !== 'all' && hamletIds.length === 0) return [];
      let query = selectBookedOccurrences(db)
        .where('o.broadcast_id', '=', broadcastId)
        .orderBy('o.starts_at', 'desc')
        .orderBy('o.hamlet_id')
        .limit(limit);
      if (hamletIds !== 'all') query = query.where('o.hamlet_id', 'in', [...hamletIds]);
      const rows = await query.execute();
      return rows.map(toBookedOccurrence);
    },

    /** Enabled receivers of these hamlets. */
    async listReceiversOfHamlets(
      hamletIds: readonly string[],
    ): Promise<readonly { id: string; hamletId: string; name: string }[]> {
      if (hamletIds.length === 0) return [];
      const rows = await db
        .selectFrom('receivers')
        .select(['id', 'hamlet_id', 'name'])
        .where('hamlet_id', 'in', [...hamletIds])
        .where('disabled_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, hamletId: r.hamlet_id, name: r.name }));
    },

    /** The receivers expected to air each of these occurrences, and whether each was heard from. */
    async listExpectedReceivers(occurrenceIds, rule): Promise<readonly ExpectedReceiver[]> {
      if (occurrenceIds.length === 0) return [];
      const rows = await expectedPairs(db)
        .select((eb) => [
          'o.id as occurrence_id',
          'r.id as receiver_id',
          'r.name',
          'o.hamlet_id',
          heard(eb as unknown as Pairs, capabilities, rule).as('heard'),
        ])
        .where('o.id', 'in', [...occurrenceIds])
        .orderBy('r.name')
        .orderBy('r.id')
        .execute();
      return rows.map((r) => ({
        occurrenceId: r.occurrence_id,
        receiverId: r.receiver_id,
        name: r.name,
        hamletId: r.hamlet_id,
        heard: Number(r.heard) === 1,
      }));
    },

    /**
     * Expected airings of occurrences starting in [from, to), counted by the database per receiver, per
     * hamlet it aired them for, and per combination of facts (what it reported, whether the occurrence is
     * due, whether the box was heard from): at most 64 rows per receiver and hamlet, however many months
     * the range spans.
     */
    async countAirings(communeId, hamletIds, range, rule): Promise<readonly AiringCount[]> {
      if (hamletIds !== 'all' && hamletIds.length === 0) return [];
      let pairs = expectedPairs(db)
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select((eb) => [
          'r.id as receiver_id',
          // The hamlet it aired for, which the box may have left since.
          'o.hamlet_id',
          'r.name',
          ...factColumns(eb as unknown as Pairs, capabilities, rule, range.now),
        ])
        .where('h.commune_id', '=', communeId)
        .where('o.starts_at', '>=', range.from)
        .where('o.starts_at', '<', range.to);
      if (hamletIds !== 'all') pairs = pairs.where('o.hamlet_id', 'in', [...hamletIds]);
      const rows = await db
        .selectFrom(pairs.as('p'))
        .select([
          'p.receiver_id',
          'p.hamlet_id',
          'p.name',
          ...factGroup,
          (eb) => eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(['p.receiver_id', 'p.hamlet_id', 'p.name', ...factGroup])
        .execute();
      return rows.map((r) => ({
        receiverId: r.receiver_id,
        hamletId: r.hamlet_id,
        name: r.name,
        ...factsOf(r),
        count: Number(r.n),
      }));
    },

    /** Occurrences per hamlet in [from, to), cancelled ones left out; counted by the database. */
    async countScheduledByHamlet(communeId, hamletIds, from, to) {
      if (hamletIds !== 'all' && hamletIds.length === 0) return [];
      let query = db
        .selectFrom('occurrences as o')
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select(['o.hamlet_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('h.commune_id', '=', communeId)
        .where('o.starts_at', '>=', from)
        .where('o.starts_at', '<', to)
        .where('o.status', '!=', 'cancelled')
        .groupBy('o.hamlet_id');
      if (hamletIds !== 'all') query = query.where('o.hamlet_id', 'in', [...hamletIds]);
      const rows = await query.execute();
      return rows.map((r) => ({ hamletId: r.hamlet_id, count: Number(r.n) }));
    },

    /** A receiver's heartbeat times in [from, to], oldest first (one day: at most 1,440 rows). */
    async listHeartbeatTimes(receiverId, from, to) {
      const rows = await db
        .selectFrom('receiver_heartbeats')
        .select('at')
        .where('receiver_id', '=', receiverId)
        .where('at', '>=', from)
        .where('at', '<=', to)
        .orderBy('at')
        .execute();
      return rows.map((r) => r.at);
    },

    /** Which of these receivers sent a heartbeat in [from, to]. */
    async listReceiversHeardBetween(receiverIds, from, to) {
      if (receiverIds.length === 0) return [];
      const rows = await db
        .selectFrom('receiver_heartbeats')
        .select('receiver_id')
        .distinct()
        .where('receiver_id', 'in', [...receiverIds])
        .where('at', '>=', from)
        .where('at', '<=', to)
        .execute();
      return rows.map((r) => r.receiver_id);
    },
  };
}
