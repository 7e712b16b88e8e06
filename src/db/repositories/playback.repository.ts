import type { Kysely } from 'kysely';
import type { StatusCount } from '../../domain/receiver/coverage-report.js';
import type { Occurrence } from '../../domain/broadcast.js';
import type { PlaybackFilter, PlaybackRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';
import { selectBookedOccurrences, toBookedOccurrence } from './booked-occurrences.js';

/** The SQL of the monitoring pages: what played where, and coverage counts. */
export function createPlaybackRepository(db: Kysely<Database>): PlaybackRepository {
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

    /** Enabled receivers of these hamlets, the ones expected to play there. */
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

    /** Occurrences per hamlet and status in [from, to), cancelled ones left out; counted by the database. */
    async countOccurrencesByHamletAndStatus(
      communeId: string,
      hamletIds: 'all' | readonly string[],
      from: string,
      to: string,
    ): Promise<readonly StatusCount[]> {
      if (hamletIds !== 'all' && hamletIds.length === 0) return [];
      let query = db
        .selectFrom('occurrences as o')
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .select(['o.hamlet_id', 'o.status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('h.commune_id', '=', communeId)
        .where('o.starts_at', '>=', from)
        .where('o.starts_at', '<', to)
        .where('o.status', '!=', 'cancelled')
        .groupBy(['o.hamlet_id', 'o.status']);
      if (hamletIds !== 'all') query = query.where('o.hamlet_id', 'in', [...hamletIds]);
      const rows = await query.execute();
      return rows.map((r) => ({
        hamletId: r.hamlet_id,
        status: r.status as StatusCount['status'],
        count: Number(r.n),
      }));
    },
  };
}
