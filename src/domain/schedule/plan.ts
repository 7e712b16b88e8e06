import type { BroadcastWhen } from '../broadcast.js';
import { checkConflicts, type BookedItem } from './conflicts.js';
import { emergencyRepeatFromRules, expandEmergency } from './emergency.js';
import { checkQuietHours } from './quiet-hours.js';
import { checkSlotFits, packSlot } from './slots.js';
import { localToUtc, utcToLocal } from './time-zone.js';
import {
  ok,
  type CommuneRules,
  type EmergencyRepeat,
  type Priority,
  type Result,
  type ScheduleError,
  type Start,
  type TimeWindow,
  type When,
} from './types.js';
import { expandWhen } from './when.js';

/** Something on a hamlet's loudspeakers that a new occurrence must fit around. */
export interface Booked extends BookedItem {
  readonly broadcastId: string;
  readonly slotName: string | null;
  /** When its broadcast was made: in a slot, what was booked first plays first. */
  readonly bookedAt: number;
  /**
   * A future occurrence of a series beyond its materialised horizon: not stored yet, but the series
   * holds its time, so that it follows the same rules after the first week as in it.
   */
  readonly virtual?: boolean;
  /** The start its broadcast's `when` gave it (a slot's opening, a cron run): what a skip names. */
  readonly airingAt?: number;
}

/** An airing of a series left out on one hamlet, by the start its `when` gives it. */
export interface PlanSkip {
  readonly hamletId: string;
  readonly startsAt: number;
}

/** A broadcast's starts to place on its target hamlets, and how it ranks. */
export interface PlanRequest {
  readonly broadcastId: string;
  readonly priority: Priority;
  readonly bookedAt: number;
  readonly title: string;
  readonly starts: readonly Start[];
  readonly hamlets: readonly { readonly id: string; readonly airTimeMs: number }[];
  /** The request field a refusal names (`at`, `recurrence`). */
  readonly field: 'at' | 'recurrence';
  /** Airings cancelled one by one: these (hamlet, start) pairs are left out, never refused. */
  readonly skips?: readonly PlanSkip[];
}

export interface PlannedOccurrence {
  readonly id: string;
  readonly hamletId: string;
  readonly startsAt: number;
  readonly durationMs: number;
  readonly slotName: string | null;
  /** The start `when` gave it, before packing: a slot's opening, a cron run, the exact time. */
  readonly airingAt: number;
}

export interface Plan {
  readonly occurrences: readonly PlannedOccurrence[];
  /** Stored occurrences that move later in their slot to make room (priority first). */
  readonly moves: readonly { readonly id: string; readonly startsAt: number }[];
  /** Lower-priority items this one pushes aside (stored ones are cancelled). */
  readonly displaced: readonly Booked[];
  /** Starts left out when planning in `skip` mode, with the rule that refused each. */
  readonly skipped: readonly {
    readonly hamletId: string;
    readonly startsAt: number;
    readonly error: ScheduleError;
  }[];
  /** What is booked once the plan is applied: the input for planning the next broadcast. */
  readonly booked: readonly Booked[];
}

export type PlanOutcome =
  | { readonly ok: true; readonly plan: Plan }
  | {
      readonly ok: false;
      readonly error: ScheduleError;
      readonly hamletId: string;
      /** The start refused (before packing). */
      readonly startsAt: number;
      /** The items that block it, for a `conflict`. */
      readonly conflicts: readonly Booked[];
    };

export interface PlanOptions {
  /** The id of a new occurrence; given its hamlet and start, so that a projection can name it stably. */
  readonly newId: (hamletId: string, airingAt: number) => string;
  /**
   * `refuse`: the first refused start refuses the whole broadcast (a person booking it gets 409/422).
   * `skip`: refused starts are left out and reported (the dispatcher extending a series).
   */
  readonly onRefusal: 'refuse' | 'skip';
}

/**
 * The longest an airing may last: a relay's four hours. Bookings look this far back for what still airs
 * when a new item starts; an airing longer than this (a hamlet playing many long language versions in
 * turn) is refused, since it would slip past that look.
 */
export const LONGEST_ITEM_MS = 4 * 3_600_000;

/** The end of every read of what is booked from now on, however far ahead. */
export const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/**
 * The one materialiser: places a broadcast's starts on its hamlets by the rules of the house. In a
 * slot, items play back to back, priority first, then in booking order, and the slot's air time may
 * not overflow. No item, in a slot where packing puts it or at its exact time, may overlap one of equal
 * or higher priority (a series' future airings included), and it pushes aside lower-priority ones it
 * overlaps; an exact-time item may not run into quiet hours unless it is an emergency. The same
 * function serves a person booking (`refuse`) and the dispatcher extending a series (`skip`), so a
 * series follows the same rules after its first week as in it.
 * @example
 * planOccurrences({ broadcastId: 'b', priority: 'normal', starts: [{ startsAt, slot: 'evening' }], … },
 *   rules, booked, { newId, onRefusal: 'refuse' })
 * // → { ok: true, plan: { occurrences: [{ hamletId: 'un-ta', startsAt: slot start + what is there, … }], … } }
 */
export function planOccurrences(
  request: PlanRequest,
  rules: CommuneRules,
  booked: readonly Booked[],
  options: PlanOptions,
): PlanOutcome {
  const byHamlet = new Map<string, Booked[]>();
  for (const item of booked) {
    const list = byHamlet.get(item.hamletId);
    if (list) list.push(item);
    else byHamlet.set(item.hamletId, [item]);
  }
  const occurrences: PlannedOccurrence[] = [];
  const moves = new Map<string, number>();
  const displaced: Booked[] = [];
  const skipped: { hamletId: string; startsAt: number; error: ScheduleError }[] = [];
  const starts = [...request.starts].sort((a, b) => a.startsAt - b.startsAt);
  const skipping = new Set((request.skips ?? []).map((s) => `${s.hamletId}@${s.startsAt}`));

  for (const hamlet of request.hamlets) {
    let items = byHamlet.get(hamlet.id) ?? [];
    for (const start of starts) {
      if (skipping.has(`${hamlet.id}@${start.startsAt}`)) continue;
      const id = options.newId(hamlet.id, start.startsAt);
      const candidate: Booked = {
        id,
        broadcastId: request.broadcastId,
        hamletId: hamlet.id,
        startsAt: start.startsAt,
        durationMs: hamlet.airTimeMs,
        priority: request.priority,
        slotName: start.slot ?? null,
        bookedAt: request.bookedAt,
        title: request.title,
        airingAt: start.startsAt,
      };
      const placed = start.slot
        ? placeInSlot(candidate, start.slot, items, rules)
        : placeAtTime(candidate, items, rules, request.field);
      if (!placed.ok) {
        if (options.onRefusal === 'refuse') {
          return {
            ok: false,
            error: placed.error,
            hamletId: hamlet.id,
            startsAt: start.startsAt,
            conflicts: placed.conflicts,
          };
        }
        skipped.push({ hamletId: hamlet.id, startsAt: start.startsAt, error: placed.error });
        continue;
      }
      items = placed.items;
      for (const [movedId, at] of placed.moves) moves.set(movedId, at);
      displaced.push(...placed.displaced);
      const at = placed.items.find((i) => i.id === id)!.startsAt;
      occurrences.push({
        id,
        hamletId: hamlet.id,
        startsAt: at,
        durationMs: hamlet.airTimeMs,
        slotName: candidate.slotName,
        airingAt: start.startsAt,
      });
    }
    byHamlet.set(hamlet.id, items);
  }

  const stored = new Set(booked.filter((b) => !b.virtual).map((b) => b.id));
  return {
    ok: true,
    plan: {
      occurrences,
      moves: [...moves].filter(([id]) => stored.has(id)).map(([id, startsAt]) => ({ id, startsAt })),
      displaced,
      skipped,
      booked: [...byHamlet.values()].flat(),
    },
  };
}

type Placement =
  | {
      readonly ok: true;
      readonly items: Booked[];
      readonly moves: ReadonlyMap<string, number>;
      readonly displaced: readonly Booked[];
    }
  | { readonly ok: false; readonly error: ScheduleError; readonly conflicts: readonly Booked[] };

function placeInSlot(
  candidate: Booked,
  slotName: string,
  items: readonly Booked[],
  rules: CommuneRules,
): Placement {
  const slot = rules.slots.find((s) => s.name === slotName);
  if (!slot) {
    return { ok: false, error: unknownSlot(slotName, rules), conflicts: [] };
  }
  const slotStart = candidate.startsAt;
  const slotEnd = localToUtc(utcToLocal(slotStart, rules.timeZone).date, slot.end, rules.timeZone);
  const inSlot = items.filter(
    (i) => i.slotName === slot.name && i.startsAt >= slotStart && i.startsAt < slotEnd,
  );
  const fits = checkSlotFits(inSlot, candidate, slot);
  if (!fits.ok) return { ok: false, error: fits.error, conflicts: [] };
  const packing = packSlot(
    [...inSlot, candidate].map((i) => ({
      id: i.id,
      priority: i.priority,
      createdAt: i.bookedAt,
      order: i.broadcastId,
      durationMs: i.durationMs,
    })),
    slot,
    slotStart,
  );
  const at = new Map(packing.placed.map((p) => [p.id, p.startsAt]));
  // The slot's items play where packing puts them, so each, at its new place, must clear what is booked
  // outside the slot (an exact-time item, a series' airing) by the rule an exact-time item meets.
  const outside = items.filter((i) => !at.has(i.id));
  const gone = new Map<string, Booked>();
  for (const item of [...inSlot, candidate]) {
    const clash = checkConflicts(outside, { ...item, startsAt: at.get(item.id)! }, rules.timeZone, 'slot');
    if (!clash.ok) {
      const ids = new Set(clash.error.code === 'conflict' ? clash.error.details?.conflictIds : []);
      return { ok: false, error: clash.error, conflicts: outside.filter((i) => ids.has(i.id)) };
    }
    for (const d of clash.value.displaced) gone.set(d.id, d);
  }
  const moves = new Map<string, number>();
  const next = [...items, candidate].flatMap((i) => {
    if (gone.has(i.id)) return [];
    const startsAt = at.get(i.id);
    if (startsAt === undefined || startsAt === i.startsAt) return [i];
    if (i.id !== candidate.id) moves.set(i.id, startsAt);
    return [{ ...i, startsAt }];
  });
  return { ok: true, items: next, moves, displaced: [...gone.values()] };
}

function placeAtTime(
  candidate: Booked,
  items: readonly Booked[],
  rules: CommuneRules,
  field: PlanRequest['field'],
): Placement {
  const quiet = checkQuietHours(
    candidate.startsAt,
    candidate.durationMs,
    candidate.priority,
    rules,
    field === 'recurrence' ? 'recurrence.cron' : 'at',
  );
  if (!quiet.ok) return { ok: false, error: quiet.error, conflicts: [] };
  const clash = checkConflicts(items, candidate, rules.timeZone, field);
  if (!clash.ok) {
    const ids = new Set(clash.error.code === 'conflict' ? clash.error.details?.conflictIds : []);
    return { ok: false, error: clash.error, conflicts: items.filter((i) => ids.has(i.id)) };
  }
  const gone = new Set(clash.value.displaced.map((d) => d.id));
  return {
    ok: true,
    items: [...items.filter((i) => !gone.has(i.id)), candidate],
    moves: new Map(),
    displaced: clash.value.displaced,
  };
}

function unknownSlot(name: string, rules: CommuneRules): ScheduleError {
  const known = rules.slots.map((s) => s.name);
  return {
    code: 'unknown_slot',
    field: 'slot.name',
    message: `Xã không còn khung giờ "${name}". Các khung giờ hiện có: ${known.join(', ') || '(chưa có khung giờ nào)'}.`,
    messageEn: `The commune no longer has a slot "${name}". Its slots: ${known.join(', ') || '(none)'}.`,
    details: { known },
  };
}

/**
 * The stretch of time whose bookings a plan of these starts must see: from the first start to the
 * end of the last item, or of its slot (a slot's later items decide where a new one goes and whether
 * it still fits).
 */
export function planReach(
  starts: readonly Start[],
  rules: CommuneRules,
  longestMs: number,
): TimeWindow | null {
  if (starts.length === 0) return null;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const start of starts) {
    from = Math.min(from, start.startsAt);
    const slot = start.slot ? rules.slots.find((s) => s.name === start.slot) : undefined;
    const slotEnd = slot
      ? localToUtc(utcToLocal(start.startsAt, rules.timeZone).date, slot.end, rules.timeZone)
      : start.startsAt;
    to = Math.max(to, start.startsAt + longestMs, slotEnd);
  }
  return { from, to };
}

/**
 * The starts of a broadcast's `when` (as stored, or as asked) inside `window`, on the commune's wall
 * clock: an exact time, a slot's opening, a recurrence's runs, or an emergency with its repeats (by
 * default the commune's: 3 times, 10 minutes apart). Give `now` when checking a new broadcast, so that
 * a time already past is refused.
 */
export function startsOf(
  when: BroadcastWhen,
  priority: Priority,
  rules: CommuneRules,
  window: TimeWindow,
  now?: number,
): Result<readonly Start[]> {
  if (priority === 'emergency') {
    const at = when.at === undefined ? (now ?? window.from) : Date.parse(when.at);
    return ok(
      expandEmergency(at, emergencyRepeatOf(when, rules), window, { timeZone: rules.timeZone }).map((t) => ({
        startsAt: t,
      })),
    );
  }
  return expandWhen(whenOf(when), rules, window, { ...(now !== undefined && { now }), priority });
}

/** How an emergency repeats: as asked, else by the commune's rule. */
export function emergencyRepeatOf(when: BroadcastWhen, rules: CommuneRules): EmergencyRepeat {
  if (!when.repeat) return emergencyRepeatFromRules(rules);
  if ('everyHours' in when.repeat) return { kind: 'every-hours-on-the-hour', hours: when.repeat.everyHours };
  return { kind: 'times', count: when.repeat.count, intervalMin: when.repeat.intervalMin };
}

/** Whether a broadcast's `when` goes on past any horizon: a recurrence, or a bulletin every H hours. */
export const isSeries = (when: BroadcastWhen): boolean =>
  when.recurrence !== undefined || (when.repeat !== undefined && 'everyHours' in when.repeat);

function whenOf(when: BroadcastWhen): When {
  if (when.slot) return { kind: 'slot', ...when.slot };
  if (when.recurrence) {
    const r = when.recurrence;
    const bounds = {
      from: Date.parse(r.from),
      ...(r.until !== undefined && { until: Date.parse(r.until) }),
      ...(r.count !== undefined && { count: r.count }),
    };
    return r.slot !== undefined
      ? { kind: 'weekly-slot', slot: r.slot, weekdays: r.weekdays ?? [], ...bounds }
      : { kind: 'recurrence', cron: r.cron ?? '', ...bounds };
  }
  return { kind: 'at', at: Date.parse(when.at!) };
}

// A week ahead is far enough for a weekly series, a year for a monthly one; a series on 29 February, or
// booked to start in a year or two, is looked for four years ahead.
export const NEXT_START_SPANS_MS = [7 * 86_400_000, 366 * 86_400_000, 4 * 366 * 86_400_000] as const;

/** The first start of a series at or after `from`, or null when it has ended. */
export function nextStartOf(
  when: BroadcastWhen,
  priority: Priority,
  rules: CommuneRules,
  from: number,
): number | null {
  for (const span of NEXT_START_SPANS_MS) {
    const found = startsOf(when, priority, rules, { from, to: from + span });
    if (!found.ok) return null;
    if (found.value.length > 0) return found.value[0]!.startsAt;
  }
  return null;
}
