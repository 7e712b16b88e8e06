import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { ProvinceReportsRepository } from '../../domain/ports/repositories.js';
import { RELAY_CATEGORY, type ZonePeriods } from '../../domain/province-report.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';
import { expectedPairs, factColumns, factGroup, factsOf, type Pairs } from './airing-pairs.js';
import { inPeriods, periodOf, periodRuns } from './zoned-periods.js';

/**
 * The province's roll-ups in a constant number of statements whatever the number of communes: the
 * database groups by commune and period (each commune's own local days or months), and the kernel adds
 * the groups up with the communes' own rules. Where a database binds too few values for every period
 * at once (D1: 100), a statement counts one run of consecutive periods at a time (`periodRuns`).
 */
export function createProvinceReportsRepository(
  db: Kysely<Database>,
  capabilities: DbCapabilities,
): ProvinceReportsRepository {
  /**
   * The rows of `query` over every period of `zones`, one part per run; the values the query binds
   * besides its periods are counted on the query itself, compiled without any.
   */
  async function inRuns<R>(
    zones: readonly ZonePeriods[],
    query: (zones: readonly ZonePeriods[]) => { compile(): CompiledQuery; execute(): Promise<R[]> },
  ): Promise<readonly (readonly R[])[]> {
    const own = query([]).compile().parameters.length;
    return Promise.all(
      periodRuns(zones, capabilities.boundParameters - own).map((run) => query(run).execute()),
    );
  }

  return {
    async countReceiversByCommune(provinceId, onlineAfter) {
      const rows = await db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .innerJoin('communes as c', 'c.id', 'h.commune_id')
        .select((eb) => [
          'c.id as commune_id',
          eb.fn.countAll<number>().as('total'),
          eb.fn
            .sum<number>(eb.case().when('r.last_seen_at', '>=', onlineAfter).then(1).else(0).end())
            .as('online'),
        ])
        .where('c.province_id', '=', provinceId)
        .where('c.deleted_at', 'is', null)
        .where('h.deleted_at', 'is', null)
        .where('r.disabled_at', 'is', null)
        .groupBy('c.id')
        .execute();
      return rows.map((r) => ({
        communeId: r.commune_id,
        total: Number(r.total),
        online: Number(r.online ?? 0),
      }));
    },

    async countScheduledByPeriod(provinceId, zones) {
      const parts = await inRuns(zones, (run) => {
        const inner = db
          .selectFrom('occurrences as o')
          .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
          .innerJoin('communes as c', 'c.id', 'h.commune_id')
          .select([
            'c.id as commune_id',
            periodOf(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run).as('period'),
          ])
          .where('c.province_id', '=', provinceId)
          .where('c.deleted_at', 'is', null)
          // A deleted hamlet leaves the commune's own report (it lists live hamlets), so it leaves this one.
          .where('h.deleted_at', 'is', null)
          .where('o.status', '!=', 'cancelled')
          .where(inPeriods(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run));
        return db
          .selectFrom(inner.as('s'))
          .select(['s.commune_id', 's.period', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['s.commune_id', 's.period']);
      });
      return parts.flat().map((r) => ({ communeId: r.commune_id, period: r.period, count: Number(r.n) }));
    },

    async countAiringsByPeriod(provinceId, zones, now, rule) {
      const parts = await inRuns(zones, (run) => {
        const pairs = expectedPairs(db)
          .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
          .innerJoin('communes as c', 'c.id', 'h.commune_id')
          .select((eb) => [
            'c.id as commune_id',
            periodOf(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run).as('period'),
            ...factColumns(eb as unknown as Pairs, capabilities, rule, now),
          ])
          .where('c.province_id', '=', provinceId)
          .where('c.deleted_at', 'is', null)
          .where('h.deleted_at', 'is', null)
          .where(inPeriods(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run));
        return db
          .selectFrom(pairs.as('p'))
          .select(['p.commune_id', 'p.period', ...factGroup, (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['p.commune_id', 'p.period', ...factGroup]);
      });
      return parts.flat().map((r) => ({
        communeId: r.commune_id,
        period: r.period,
        ...factsOf(r),
        count: Number(r.n),
      }));
    },

    /**
     * Occurrences that at least one box reported starting: `played`, or `failed` or `interrupted` after a
     * start (a relay whose stream ended early, an item an emergency cut, aired until then). Each hamlet's airing counts once with its length, by the
     * announcement's category (a relay has none: `relay`).
     */
    async sumAirTime(provinceId, zones) {
      const parts = await inRuns(zones, (run) => {
        const inner = db
          .selectFrom('occurrences as o')
          .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
          .leftJoin('announcements as a', 'a.id', 'b.announcement_id')
          .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
          .innerJoin('communes as c', 'c.id', 'h.commune_id')
          .select((eb) => [
            'c.id as commune_id',
            periodOf(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run).as('month'),
            eb.fn.coalesce('a.category', sql<string>`${RELAY_CATEGORY}`).as('category'),
            'o.priority',
            'o.duration_ms',
          ])
          .where('c.province_id', '=', provinceId)
          .where('c.deleted_at', 'is', null)
          .where((eb) =>
            eb.or([
              eb('o.status', '=', 'played'),
              eb.and([
                eb('o.status', 'in', ['failed', 'interrupted']),
                eb.exists(
                  eb
                    .selectFrom('playback_events as e')
                    .select('e.occurrence_id')
                    .whereRef('e.occurrence_id', '=', 'o.id')
                    .where('e.type', '=', 'started'),
                ),
              ]),
            ]),
          )
          .where(inPeriods(sql.ref('c.time_zone'), sql.ref('o.starts_at'), run));
        return db
          .selectFrom(inner.as('t'))
          .select((eb) => [
            't.commune_id',
            't.month',
            't.category',
            't.priority',
            eb.fn.countAll<number>().as('n'),
            eb.fn.sum<number>('t.duration_ms').as('ms'),
          ])
          .groupBy(['t.commune_id', 't.month', 't.category', 't.priority'])
          .orderBy('t.commune_id')
          .orderBy('t.month')
          .orderBy('t.category')
          .orderBy('t.priority');
      });
      const key = (r: (typeof parts)[number][number]) =>
        [r.commune_id, r.month, r.category, r.priority] as const;
      // Each run comes ordered; runs of several zones interleave communes, so they are merged in that order.
      const rows =
        parts.length === 1
          ? parts[0]!
          : parts.flat().sort((a, b) => {
              const [x, y] = [key(a), key(b)];
              const i = x.findIndex((v, j) => v !== y[j]);
              return i < 0 ? 0 : x[i]! < y[i]! ? -1 : 1;
            });
      return rows.map((r) => ({
        communeId: r.commune_id,
        month: r.month,
        category: r.category,
        priority: r.priority,
        airings: Number(r.n),
        airTimeMs: Number(r.ms),
      }));
    },

    async listDevices(provinceId, after, limit) {
      let query = db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .innerJoin('communes as c', 'c.id', 'h.commune_id')
        .select([
          'r.id',
          'r.name',
          'r.created_at',
          'r.disabled_at',
          'r.last_seen_at',
          'r.online_since',
          'r.last_state',
          'h.id as hamlet_id',
          'h.name as hamlet_name',
          'c.id as commune_id',
          'c.name as commune_name',
        ])
        .where('c.province_id', '=', provinceId)
        .where('c.deleted_at', 'is', null)
        .where('h.deleted_at', 'is', null)
        .orderBy('r.id')
        .limit(limit);
      if (after !== undefined) query = query.where('r.id', '>', after);
      const rows = await query.execute();
      return rows.map((r) => {
        const state = r.last_state ? (JSON.parse(r.last_state) as { appVersion?: unknown }) : {};
        return {
          receiverId: r.id,
          receiverName: r.name,
          communeId: r.commune_id,
          communeName: r.commune_name,
          hamletId: r.hamlet_id,
          hamletName: r.hamlet_name,
          createdAt: r.created_at,
          disabledAt: r.disabled_at,
          lastSeenAt: r.last_seen_at,
          onlineSince: r.online_since,
          agentVersion: typeof state.appVersion === 'string' ? state.appVersion : null,
        };
      });
    },
  };
}
