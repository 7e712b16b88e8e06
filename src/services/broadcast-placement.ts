import type { BookedOccurrence, BroadcastsRepository } from '../db/repositories/broadcasts.repository.js';
import {
  checkConflicts,
  checkQuietHours,
  checkSlotFits,
  localToUtc,
  packSlot,
  utcToLocal,
  type CommuneRules,
  type Priority,
} from '../domain/schedule/index.js';
import { iso } from '../domain/schedule/content.js';
import { fromScheduleError } from './broadcast-request.js';

// Long items (a 90-minute recording) still overlap a new one that starts inside them.
const longestItemMs = 3 * 3_600_000;

/**
 * Places a new item in a hamlet's standing slot: refused when the slot's air time would overflow, else
 * packed back to back with what is there, priority first. Returns its start and the items that move.
 */
export async function placeInSlot(
  broadcasts: BroadcastsRepository,
  rules: CommuneRules,
  hamletId: string,
  slotStartMs: number,
  slotName: string,
  candidate: {
    readonly id: string;
    readonly priority: Priority;
    readonly createdAt: number;
    readonly durationMs: number;
  },
): Promise<{ startsAt: number; moves: readonly { id: string; startsAt: string }[] }> {
  const slot = rules.slots.find((s) => s.name === slotName)!;
  const slotEnd = localToUtc(utcToLocal(slotStartMs, rules.timeZone).date, slot.end, rules.timeZone);
  const items = await broadcasts.listSlotItems(hamletId, slot.name, iso(slotStartMs), iso(slotEnd));
  const fits = checkSlotFits(items, candidate, slot);
  if (!fits.ok) throw fromScheduleError(fits.error, { hamletId });
  // Ties in creation time fall to the ids, which are time-ordered: what was there first stays first.
  const packing = packSlot(
    [
      ...items.map((i) => ({
        id: i.id,
        priority: i.priority,
        createdAt: Date.parse(i.createdAt),
        durationMs: i.durationMs,
      })),
      candidate,
    ],
    slot,
    slotStartMs,
  );
  let startsAt = slotStartMs;
  const moves: { id: string; startsAt: string }[] = [];
  for (const placed of packing.placed) {
    if (placed.id === candidate.id) startsAt = placed.startsAt;
    else if (items.find((i) => i.id === placed.id)?.startsAt !== iso(placed.startsAt)) {
      moves.push({ id: placed.id, startsAt: iso(placed.startsAt) });
    }
  }
  return { startsAt, moves };
}

/**
 * Checks an exact-time item against quiet hours and the hamlet's other items: refused (409, naming the
 * clashing items) when it overlaps one of equal or higher priority; returns the lower ones it displaces.
 */
export async function placeAtTime(
  broadcasts: BroadcastsRepository,
  rules: CommuneRules,
  candidate: {
    readonly hamletId: string;
    readonly startsAt: number;
    readonly durationMs: number;
    readonly priority: Priority;
  },
  field: 'at' | 'recurrence',
): Promise<readonly BookedOccurrence[]> {
  const { hamletId, startsAt, durationMs, priority } = candidate;
  const quiet = checkQuietHours(
    startsAt,
    durationMs,
    priority,
    rules,
    field === 'recurrence' ? 'recurrence.cron' : 'at',
  );
  if (!quiet.ok) throw fromScheduleError(quiet.error, { hamletId });
  const booked = await broadcasts.listBookedBetween(
    [hamletId],
    iso(startsAt),
    iso(startsAt + durationMs),
    longestItemMs,
  );
  const clash = checkConflicts(
    booked.map((b) => ({ ...b, startsAt: Date.parse(b.startsAt) })),
    candidate,
    rules.timeZone,
    field,
  );
  if (!clash.ok) {
    const ids = new Set(clash.error.code === 'conflict' ? clash.error.details?.conflictIds : []);
    throw fromScheduleError(clash.error, {
      conflicts: booked
        .filter((b) => ids.has(b.id))
        .map((b) => ({
          id: b.id,
          broadcastId: b.broadcastId,
          hamletId: b.hamletId,
          startsAt: b.startsAt,
          endsAt: iso(Date.parse(b.startsAt) + b.durationMs),
          priority: b.priority,
          title: b.title,
        })),
    });
  }
  return booked.filter((b) => clash.value.displaced.some((d) => d.id === b.id));
}
