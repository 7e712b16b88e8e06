import { checkQuietHours } from './quiet-hours.js';
import type { BookedItem } from './conflicts.js';
import { slotCapacityS } from './slots.js';
import { localToUtc, utcToLocal } from './time-zone.js';
import type { CommuneRules } from './types.js';

/** A booked airing as the commune's rules see it: in a standing slot, or at a time of its own. */
export interface RuledAiring extends BookedItem {
  readonly slotName: string | null;
}

/**
 * The airings that `rules` do not allow: a normal or priority one in quiet hours, or one booked in a
 * slot that is gone, outside the slot's hours that day, or past its air time (filled in start order).
 * Emergencies ignore both. A slot running across midnight is not bounded here, as booking does not.
 * @example
 * // quiet hours moved to 20:00–05:30: the 20:30 item booked under 21:30–05:30 is returned
 * airingsAgainstRules([{ id: 'x', startsAt: Date.parse('2026-12-01T13:30:00Z'), slotName: null, … }], rules)
 */
export function airingsAgainstRules<T extends RuledAiring>(
  booked: readonly T[],
  rules: CommuneRules,
): readonly T[] {
  const against = new Set<T>();
  const used = new Map<string, number>();
  for (const item of [...booked].sort((a, b) => a.startsAt - b.startsAt)) {
    if (item.priority === 'emergency') continue;
    if (!checkQuietHours(item.startsAt, item.durationMs, item.priority, rules).ok) against.add(item);
    if (item.slotName === null) continue;
    const slot = rules.slots.find((s) => s.name === item.slotName);
    if (!slot) {
      against.add(item);
      continue;
    }
    const date = utcToLocal(item.startsAt, rules.timeZone).date;
    const opens = localToUtc(date, slot.start, rules.timeZone);
    const closes = localToUtc(date, slot.end, rules.timeZone);
    if (closes > opens && (item.startsAt < opens || item.startsAt + item.durationMs > closes)) {
      against.add(item);
    }
    const day = `${item.hamletId}\u0000${slot.name}\u0000${date}`;
    const total = (used.get(day) ?? 0) + item.durationMs;
    used.set(day, total);
    if (total > slotCapacityS(slot) * 1000) against.add(item);
  }
  return booked.filter((item) => against.has(item));
}

/**
 * What a change of the rules from `before` to `after` would leave breaking them, of the airings booked:
 * only those the earlier rules allowed, so that one placed by an exception (an emergency's move) does
 * not hold every later change back.
 */
export function airingsBrokenByChange<T extends RuledAiring>(
  booked: readonly T[],
  before: CommuneRules,
  after: CommuneRules,
): readonly T[] {
  const already = new Set(airingsAgainstRules(booked, before));
  return airingsAgainstRules(booked, after).filter((item) => !already.has(item));
}
