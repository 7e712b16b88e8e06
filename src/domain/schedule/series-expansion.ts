import type { BroadcastWhen } from '../broadcast.js';
import { cronRuns, normalizeCron } from './cron.js';
import { NEXT_START_SPANS_MS, nextStartOf, startsOf } from './plan.js';
import type { CommuneRules, Priority, Start, TimeWindow } from './types.js';

/** Starts of stored series, for a caller that expands many of them at once. */
export interface SeriesExpansion {
  /** The starts of a stored series in `window`: what `startsOf` gives it. */
  startsOf(
    when: BroadcastWhen,
    priority: Priority,
    rules: CommuneRules,
    window: TimeWindow,
  ): readonly Start[];
  /** Its first start at or after `from`, or null once it has ended: what `nextStartOf` gives it. */
  nextStartOf(when: BroadcastWhen, priority: Priority, rules: CommuneRules, from: number): number | null;
}

/**
 * The starts of stored series for the dispatcher's tick, which expands thousands of them: the runs of
 * each cron expression in each window are asked of croner once and shared by every series on that
 * expression, where `startsOf` asks again for each series and checks its cron anew (about 1 ms a series
 * on the commune's time zone: 20 s for a tick that extends 20,000). Series extended at the same tick
 * share their window afterwards, so a handful of expansions serve a tick. A stored series had its cron
 * checked when it was booked, with the same expression, zone and start, so it is not checked again; a
 * recurrence with a count, which counts its runs from its first, and an emergency's repeats still go
 * (and a weekly slot series, whose starts carry their slot) still go
 * through `startsOf`. Keep one expansion for one tick: it keeps every window it was asked about.
 * @example
 * const expansion = createSeriesExpansion();
 * expansion.startsOf({ recurrence: { cron: '0 6 * * *', from } }, 'normal', rules, { from: t, to: t + DAY })
 * // → [{ startsAt: the next 06:00 local }], and the next series on '0 6 * * *' asks croner nothing
 */
export function createSeriesExpansion(): SeriesExpansion {
  const runs = new Map<string, readonly number[]>();

  const runsIn = (cron: string, timeZone: string, window: TimeWindow): readonly number[] => {
    const key = `${normalizeCron(cron)}|${timeZone}|${window.from}|${window.to}`;
    let found = runs.get(key);
    if (!found) {
      const list: number[] = [];
      try {
        for (const run of cronRuns(cron, timeZone, window.from)) {
          if (run >= window.to) break;
          list.push(run);
        }
      } catch {
        // A cron that no longer parses gives nothing, as `startsOf` refusing it does.
        list.length = 0;
      }
      found = list;
      runs.set(key, found);
    }
    return found;
  };

  // A weekly slot series carries its slot on each start, so it goes through `startsOf` as well.
  const expandable = (when: BroadcastWhen, priority: Priority) =>
    priority !== 'emergency' && when.recurrence?.cron !== undefined && when.recurrence.count === undefined;

  const starts = (
    when: BroadcastWhen,
    priority: Priority,
    rules: CommuneRules,
    window: TimeWindow,
  ): readonly Start[] => {
    if (!expandable(when, priority)) {
      const found = startsOf(when, priority, rules, window);
      return found.ok ? found.value : [];
    }
    const r = when.recurrence!;
    const from = Math.max(Date.parse(r.from), window.from);
    // RFC 5545 §3.3.10: UNTIL is inclusive, as in `expandWhen`.
    const until = r.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(r.until);
    if (from >= window.to || until < from) return [];
    return runsIn(r.cron!, rules.timeZone, window)
      .filter((run) => run >= from && run <= until)
      .map((startsAt) => ({ startsAt }));
  };

  return {
    startsOf: starts,
    nextStartOf(when, priority, rules, from) {
      if (!expandable(when, priority)) return nextStartOf(when, priority, rules, from);
      for (const span of NEXT_START_SPANS_MS) {
        const found = starts(when, priority, rules, { from, to: from + span });
        if (found.length > 0) return found[0]!.startsAt;
      }
      return null;
    },
  };
}
