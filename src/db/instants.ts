import { sql, type Expression, type RawBuilder } from 'kysely';
import type { DbCapabilities } from './database.js';

/**
 * `instant` moved by `ms` milliseconds, as ISO text with milliseconds (`2026-11-27T02:10:00.000Z`),
 * the form every instant is stored in, so the result compares as text with stored columns and their
 * indexes still serve the comparison. The one place where the SQL of the two databases differs on time.
 * @example instantPlusMs(caps, sql.ref('o.starts_at'), sql`o.duration_ms + ${600_000}`)
 * -- SQLite:     strftime('%Y-%m-%dT%H:%M:%fZ', o.starts_at, printf('%.3f seconds', (o.duration_ms + ?) / 1000.0))
 * -- PostgreSQL: to_char((o.starts_at::timestamptz + (o.duration_ms + $1)::float8 * interval '1 millisecond')
 * --               at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
 */
export function instantPlusMs(
  capabilities: DbCapabilities,
  instant: Expression<string>,
  ms: Expression<number>,
): RawBuilder<string> {
  return capabilities.intervals
    ? sql<string>`to_char((${instant}::timestamptz + (${ms})::float8 * interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${instant}, printf('%.3f seconds', (${ms}) / 1000.0))`;
}
