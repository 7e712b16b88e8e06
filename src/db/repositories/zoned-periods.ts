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
