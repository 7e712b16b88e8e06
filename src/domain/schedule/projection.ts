import type { BroadcastWhen } from '../broadcast.js';
import { planOccurrences, startsOf, type Booked, type PlanSkip } from './plan.js';
import type { CommuneRules, Priority, TimeWindow } from './types.js';

/** A live series as a projection takes it: its rule, its rank, and how far it is stored. */
export interface ProjectedSeries {
  readonly broadcastId: string;
  readonly when: BroadcastWhen;
  readonly priority: Priority;
  /** When it was booked: series are extended, and packed in a slot, in this order. */
  readonly bookedAt: number;
  readonly title: string;
  readonly hamlets: readonly { readonly id: string; readonly airTimeMs: number }[];
  /** Its occurrences are stored up to here; the projection starts here. */
  readonly materialisedUntil: number;
  readonly skips: readonly PlanSkip[];
}

/** The stable id of an airing not materialised yet: broadcast, hamlet and the start its rule gives it. */
export const projectedId = (broadcastId: string, hamletId: string, airingAt: number): string =>
  `${broadcastId}@${hamletId}@${airingAt}`;

/**
 * What the hamlets' schedule will be in `window` once the dispatcher has extended every series there:
 * each series, in the order they were booked, gets its airings beyond what is stored placed by the one
 * materialiser (`planOccurrences`, leaving out what a rule refuses, as the dispatcher does) over what is
 * booked and what the series before it were given. The airings made here are marked `virtual`, with
 * their real times (packed in their slot), and named by `projectedId`.
 *
 * A booking checks itself against this, so that a series holds its future times (a one-off booked today
 * cannot take next month's airing of a weekly series that ranks as high); the schedule page shows it
 * for weeks beyond the 7-day horizon. Returns `booked` with the projected airings added (and what they
 * move or push aside, as the dispatcher would).
 */
export function projectSeries(
  series: readonly ProjectedSeries[],
  rules: CommuneRules,
  booked: readonly Booked[],
  window: TimeWindow,
): readonly Booked[] {
  let current: readonly Booked[] = booked;
  const ordered = [...series].sort(
    (a, b) => a.bookedAt - b.bookedAt || (a.broadcastId < b.broadcastId ? -1 : 1),
  );
  for (const s of ordered) {
    const from = Math.max(window.from, s.materialisedUntil);
    if (from >= window.to || s.hamlets.length === 0) continue;
    const starts = startsOf(s.when, s.priority, rules, { from, to: window.to });
    if (!starts.ok || starts.value.length === 0) continue;
    const planned = planOccurrences(
      {
        broadcastId: s.broadcastId,
        priority: s.priority,
        bookedAt: s.bookedAt,
        title: s.title,
        starts: starts.value,
        hamlets: s.hamlets,
        field: s.when.recurrence ? 'recurrence' : 'at',
        skips: s.skips,
      },
      rules,
      current,
      { newId: (hamletId, at) => projectedId(s.broadcastId, hamletId, at), onRefusal: 'skip' },
    );
    if (!planned.ok) continue;
    const made = new Set(planned.plan.occurrences.map((o) => o.id));
    current = planned.plan.booked.map((b) => (made.has(b.id) ? { ...b, virtual: true } : b));
  }
  return current;
}
