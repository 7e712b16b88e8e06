import type { CoverageStatus, HamletCoverage } from '../schedule/coverage.js';

export interface StatusCount {
  readonly hamletId: string;
  readonly status: CoverageStatus;
  readonly count: number;
}

/**
 * Coverage per hamlet from counts grouped by the database, with the same arithmetic as `coverage()`
 * (src/domain/schedule/coverage.ts), so a province-wide report never loads every occurrence. Every hamlet
 * in `hamletIds` gets a row, also when nothing was scheduled there.
 * @example coverageFromCounts(['un-ta'], [{ hamletId: 'un-ta', status: 'played', count: 3 }, { hamletId: 'un-ta', status: 'missed', count: 1 }])
 * // → [{ hamletId: 'un-ta', scheduled: 4, played: 3, failed: 0, missed: 1, rate: 0.75 }]
 */
export function coverageFromCounts(
  hamletIds: readonly string[],
  counts: readonly StatusCount[],
): readonly HamletCoverage[] {
  const totals = new Map<string, { scheduled: number; played: number; failed: number; missed: number }>();
  for (const id of hamletIds) totals.set(id, { scheduled: 0, played: 0, failed: 0, missed: 0 });
  for (const c of counts) {
    const t = totals.get(c.hamletId);
    if (!t) continue;
    t.scheduled += c.count;
    if (c.status === 'played') t.played += c.count;
    else if (c.status === 'failed') t.failed += c.count;
    else if (c.status === 'missed') t.missed += c.count;
  }
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hamletId, t]) => {
      const due = t.played + t.failed + t.missed;
      return { hamletId, ...t, rate: due === 0 ? null : Math.round((t.played / due) * 1000) / 1000 };
    });
}
