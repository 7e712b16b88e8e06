import { findConflicts } from './conflicts.js';
import type { Booked } from './plan.js';
import { quietEndAfter } from './quiet-hours.js';
import type { CommuneRules, Priority } from './types.js';

const MINUTE_MS = 60_000;
/** How far ahead a suggestion is looked for: a cadre moves a refused item by hours, not by weeks. */
export const SUGGESTION_SPAN_MS = 2 * 86_400_000;

/** An exact-time item that was refused, on the hamlets it was meant for. */
export interface SuggestionRequest {
  readonly startsAt: number;
  readonly priority: Priority;
  readonly hamlets: readonly { readonly id: string; readonly airTimeMs: number }[];
}

const ceilMinute = (ms: number): number => Math.ceil(ms / MINUTE_MS) * MINUTE_MS;

/**
 * The next free time that fits: the first whole minute after the refused start at which the item
 * overlaps nothing of equal or higher priority on any of its hamlets and stays out of quiet hours —
 * the rules `planOccurrences` refused it by, over what is booked. Each step jumps to the end of what
 * blocks it (the latest clashing item, or the end of the quiet hours), so the search takes as many
 * steps as there are items in the way. Null when nothing fits within `spanMs`.
 * @example
 * // 05:30 is taken by a 47-second item of the same priority
 * suggestStart({ startsAt: at('05:30'), priority: 'normal', hamlets: [{ id: 'un-ta', airTimeMs: 60_000 }] },
 *   rules, booked)
 * // → at('05:31')
 */
export function suggestStart(
  request: SuggestionRequest,
  rules: CommuneRules,
  booked: readonly Booked[],
  spanMs: number = SUGGESTION_SPAN_MS,
): number | null {
  const limit = request.startsAt + spanMs;
  let at = ceilMinute(request.startsAt + 1);
  // Bounded, although each step moves forward: a malformed booking must never hang a request.
  for (let step = 0; step < 10_000 && at <= limit; step++) {
    let next = at;
    for (const hamlet of request.hamlets) {
      const durationMs = hamlet.airTimeMs;
      const quietEnd = request.priority === 'emergency' ? null : quietEndAfter(at, durationMs, rules);
      if (quietEnd !== null) {
        next = Math.max(next, quietEnd);
        continue;
      }
      const { conflicts } = findConflicts(booked, {
        hamletId: hamlet.id,
        startsAt: at,
        durationMs,
        priority: request.priority,
      });
      for (const c of conflicts) next = Math.max(next, c.startsAt + Math.max(c.durationMs, 1));
    }
    if (next === at) return at;
    at = ceilMinute(next);
  }
  return null;
}
