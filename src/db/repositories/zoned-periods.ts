import { sql, type Expression, type RawBuilder } from 'kysely';
import type { ZonePeriods } from '../../domain/province-report.js';

/**
 * Local days and months as SQL, the same on SQLite and PostgreSQL: each commune keeps its own time
 * zone, so an instant's period depends on the zone of its commune. The kernel has already turned every
 * period into UTC instants (`localPeriods`), which compare as text with the stored instants, so the
 * database needs no time-zone support: a `CASE` on the zone, then on the instant.
 */

/**
 * True for an instant inside the periods of its commune's zone.
 * ```sql
 * ((c.time_zone = ? and o.starts_at >= ? and o.starts_at < ?) or …)
 * ```
 */
export function inPeriods(
  zone: Expression<string>,
  instant: Expression<string>,
  zones: readonly ZonePeriods[],
): RawBuilder<boolean> {
  const parts = zones
    .filter((z) => z.periods.length > 0)
    .map(
      (z) =>
        sql`(${zone} = ${z.timeZone} and ${instant} >= ${z.periods[0]!.from} and ${instant} < ${z.periods.at(-1)!.to})`,
    );
  return parts.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The label of the period an instant falls in (`YYYY-MM-DD` or `YYYY-MM`), for instants that
 * `inPeriods` let through.
 * ```sql
 * case when c.time_zone = ? then case when o.starts_at < ? then ? when o.starts_at < ? then ? else ? end … end
 * ```
 */
export function periodOf(
  zone: Expression<string>,
  instant: Expression<string>,
  zones: readonly ZonePeriods[],
): RawBuilder<string> {
  const branches = zones
    .filter((z) => z.periods.length > 0)
    .map((z) => {
      const cuts = z.periods.slice(0, -1).map((p) => sql`when ${instant} < ${p.to} then ${p.label}`);
      const last = z.periods.at(-1)!.label;
      const inner = cuts.length === 0 ? sql`${last}` : sql`case ${sql.join(cuts, sql` `)} else ${last} end`;
      return sql`when ${zone} = ${z.timeZone} then ${inner}`;
    });
  return branches.length === 0 ? sql<string>`null` : sql<string>`(case ${sql.join(branches, sql` `)} end)`;
}

/** The values `periodOf` and `inPeriods` bind together for `zones`: two a period and three a zone. */
export function periodValues(zones: readonly ZonePeriods[]): number {
  return zones.reduce((n, z) => (z.periods.length === 0 ? n : n + 2 * z.periods.length + 3), 0);
}

/**
 * The zones' periods cut into runs of consecutive periods over which `periodOf` and `inPeriods` bind at
 * most `maxValues` values, for one statement each: D1 binds 100 values to a statement, and a year of days
 * takes 735 in one zone. A statement per run counts each airing once, in the one run its period is in;
 * where everything fits (always on SQLite and PostgreSQL), the one run is `zones` as given.
 * @example periodRuns([{ timeZone: 'Asia/Ho_Chi_Minh', periods: days }], 90) // 366 days
 * // → 9 runs: 8 of 43 days, then one of 22
 */
export function periodRuns(
  zones: readonly ZonePeriods[],
  maxValues: number,
): readonly (readonly ZonePeriods[])[] {
  if (periodValues(zones) <= maxValues) return [zones];
  const runs: ZonePeriods[][] = [];
  let run: ZonePeriods[] = [];
  let used = 0;
  for (const zone of zones) {
    let rest = zone.periods;
    while (rest.length > 0) {
      const fits = Math.floor((maxValues - used - 3) / 2);
      if (fits < 1) {
        if (run.length === 0) throw new RangeError(`${maxValues} bound values hold no period`);
        runs.push(run);
        run = [];
        used = 0;
        continue;
      }
      const periods = rest.slice(0, fits);
      run.push({ timeZone: zone.timeZone, periods });
      used += 2 * periods.length + 3;
      rest = rest.slice(periods.length);
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
