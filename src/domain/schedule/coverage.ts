import type { OccurrenceStatus } from '../broadcast.js';
import { utcToLocal } from './time-zone.js';
import type { LocalDate } from './types.js';

/** The statuses coverage counts: cancelled occurrences are left out. */
export type CoverageStatus = Exclude<OccurrenceStatus, 'cancelled'>;

export interface CoverageRow {
  readonly hamletId: string;
  readonly status: CoverageStatus;
}

export interface CoverageCounts {
  /** Every occurrence, whatever its status. */
  readonly scheduled: number;
  readonly played: number;
  readonly failed: number;
  readonly missed: number;
  /** played / (played + failed + missed), to 3 decimals; null while nothing is due yet. */
  readonly rate: number | null;
}

export interface HamletCoverage extends CoverageCounts {
  readonly hamletId: string;
}

export interface DayCoverage extends HamletCoverage {
  /** Local date in the commune's zone, so an item at 06:00 local counts on its own day. */
  readonly date: LocalDate;
}

/**
 * Counts and play rate of a set of occurrences. Items still `scheduled` are in the future or not
 * yet reported, so they count in the total but not against the rate.
 * @example coverageOf([{ status: 'played' }, { status: 'missed' }, { status: 'scheduled' }])
 * // → { scheduled: 3, played: 1, failed: 0, missed: 1, rate: 0.5 }
 */
export const coverageOf = (rows: readonly { readonly status: CoverageStatus }[]): CoverageCounts => {
  let played = 0;
  let failed = 0;
  let missed = 0;
  for (const row of rows) {
    if (row.status === 'played') played++;
    else if (row.status === 'failed') failed++;
    else if (row.status === 'missed') missed++;
  }
  const due = played + failed + missed;
  return {
    scheduled: rows.length,
    played,
    failed,
    missed,
    rate: due === 0 ? null : Math.round((played / due) * 1000) / 1000,
  };
};

const groupBy = <R>(rows: readonly R[], keyOf: (row: R) => string): ReadonlyMap<string, readonly R[]> => {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
};

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Coverage per hamlet, sorted by hamlet id (the coverage report and its CSV).
 * @example coverage([{ hamletId: 'un-ta', status: 'played' }, { hamletId: 'un-ta', status: 'failed' }])
 * // → [{ hamletId: 'un-ta', scheduled: 2, played: 1, failed: 1, missed: 0, rate: 0.5 }]
 */
export const coverage = (rows: readonly CoverageRow[]): readonly HamletCoverage[] =>
  [...groupBy(rows, (r) => r.hamletId)]
    .sort(([a], [b]) => byString(a, b))
    .map(([hamletId, group]) => ({ hamletId, ...coverageOf(group) }));

/**
 * Coverage per local day and hamlet, sorted by date then hamlet; days are cut at the commune's
 * local midnight, not UTC's (06:00 in Vietnam is 23:00 UTC the day before).
 */
export const coverageByDay = (
  rows: readonly (CoverageRow & { readonly startsAt: number })[],
  timeZone: string,
): readonly DayCoverage[] =>
  [...groupBy(rows, (r) => `${utcToLocal(r.startsAt, timeZone).date}\u0000${r.hamletId}`)]
    .sort(([a], [b]) => byString(a, b))
    .map(([k, group]) => {
      const [date = '', hamletId = ''] = k.split('\u0000');
      return { date, hamletId, ...coverageOf(group) };
    });

/**
 * Whether a still-`scheduled` occurrence should be marked missed: no receiver reported starting it
 * and the grace after its start is over. Receivers play offline and report when back online, so
 * callers should still accept a late `started` event for an occurrence already marked missed.
 */
export const isMissed = (
  occurrence: { readonly startsAt: number; readonly status: CoverageStatus },
  hasStartedEvent: boolean,
  now: number,
  graceMs: number,
): boolean => occurrence.status === 'scheduled' && !hasStartedEvent && now > occurrence.startsAt + graceMs;
