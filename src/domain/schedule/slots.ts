import { formatDuration } from './format.js';
import { minutesOf } from './time-zone.js';
import { err, ok, priorityRank, type Priority, type Result, type Slot } from './types.js';

/** An item waiting in a standing slot (khung giờ). */
export interface SlotItem {
  readonly id: string;
  readonly priority: Priority;
  readonly createdAt: number;
  /** Breaks ties in creation time before the id (the broadcast's id: what was booked first stays first). */
  readonly order?: string;
  readonly durationMs: number;
}

export interface PlacedItem {
  readonly id: string;
  readonly startsAt: number;
  readonly endsAt: number;
}

export interface SlotPacking {
  /** Back to back from the slot's start, in playing order. */
  readonly placed: readonly PlacedItem[];
  /** Ids that did not fit in the slot's air time, in playing order. */
  readonly unplaced: readonly string[];
  /** Air time used by the placed items, in seconds. */
  readonly usedS: number;
  /** How far all the items together exceed the slot's air time, in seconds (0 when they fit). */
  readonly overflowS: number;
}

/**
 * Air time a slot can hold, in seconds: its maximum air time (rural rules: 45 min), and never more
 * than the slot's own length. A slot whose end is not after its start runs across midnight.
 * @example slotCapacityS({ name: 'morning', start: '05:00', end: '06:00', maxAirTimeS: 2700 }) // → 2700
 */
export const slotCapacityS = (slot: Slot): number => {
  const length = minutesOf(slot.end) - minutesOf(slot.start);
  return Math.min(slot.maxAirTimeS, (length > 0 ? length : length + 1440) * 60);
};

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Playing order in a slot: priority rank first (highest first), then creation order, then id. */
export const orderForSlot = <T extends SlotItem>(items: readonly T[]): readonly T[] =>
  [...items].sort(
    (a, b) =>
      priorityRank(b.priority) - priorityRank(a.priority) ||
      a.createdAt - b.createdAt ||
      compare(a.order ?? a.id, b.order ?? b.id) ||
      compare(a.id, b.id),
  );

/**
 * Lay a slot's items back to back from `slotStartMs` in playing order. Items stop at the first one
 * that would pass the slot's air time, so a later, shorter item never jumps the queue.
 * @example
 * packSlot([{ id: 'a', priority: 'normal', createdAt: 1, durationMs: 60_000 },
 *           { id: 'b', priority: 'priority', createdAt: 2, durationMs: 30_000 }], morning, t0)
 * // → placed b at t0 … t0+30 s, then a at t0+30 s … t0+90 s; usedS 90, overflowS 0
 */
export const packSlot = (items: readonly SlotItem[], slot: Slot, slotStartMs: number): SlotPacking => {
  const capacityMs = slotCapacityS(slot) * 1000;
  const placed: PlacedItem[] = [];
  const unplaced: string[] = [];
  let cursor = slotStartMs;
  let totalMs = 0;
  for (const item of orderForSlot(items)) {
    totalMs += item.durationMs;
    if (unplaced.length === 0 && cursor + item.durationMs - slotStartMs <= capacityMs) {
      placed.push({ id: item.id, startsAt: cursor, endsAt: cursor + item.durationMs });
      cursor += item.durationMs;
    } else {
      unplaced.push(item.id);
    }
  }
  return {
    placed,
    unplaced,
    usedS: (cursor - slotStartMs) / 1000,
    overflowS: Math.max(0, totalMs - capacityMs) / 1000,
  };
};

/**
 * Refuse a candidate that would make the slot's items exceed its air time (`slot_overflow`); the
 * message says by how much, in minutes and seconds. On success, the air time left after it.
 * @example
 * checkSlotFits([{ durationMs: 44 * 60_000 }], { durationMs: 2 * 60_000 + 5_000 }, morning)
 * // → error: "… sẽ vượt 1 phút 5 giây …"
 */
export const checkSlotFits = (
  existing: readonly { readonly durationMs: number }[],
  candidate: { readonly durationMs: number },
  slot: Slot,
): Result<{ readonly usedS: number; readonly remainingS: number }> => {
  const capacityMs = slotCapacityS(slot) * 1000;
  const usedMs = existing.reduce((sum, item) => sum + item.durationMs, 0);
  const afterMs = usedMs + candidate.durationMs;
  if (afterMs <= capacityMs) {
    return ok({ usedS: afterMs / 1000, remainingS: (capacityMs - afterMs) / 1000 });
  }
  const over = formatDuration(afterMs - capacityMs);
  const cap = formatDuration(capacityMs);
  const used = formatDuration(usedMs);
  const own = formatDuration(candidate.durationMs);
  return err({
    code: 'slot_overflow',
    field: 'slot',
    message: `Khung giờ "${slot.label ?? slot.name}" (${slot.start}–${slot.end}) chỉ được phát tối đa ${cap.vi}; đã xếp ${used.vi}, thêm bản tin này (${own.vi}) sẽ vượt ${over.vi}. Hãy rút ngắn bản tin, chọn ngày khác hoặc đặt một giờ phát riêng.`,
    messageEn: `Slot "${slot.name}" (${slot.start}–${slot.end}) holds at most ${cap.en} of air time; ${used.en} is booked, and this item (${own.en}) would exceed it by ${over.en}. Shorten it, choose another date or give it its own time.`,
    details: {
      slot: slot.name,
      maxAirTimeS: capacityMs / 1000,
      usedS: usedMs / 1000,
      requestedS: candidate.durationMs / 1000,
      overS: Math.ceil((afterMs - capacityMs) / 1000),
    },
  });
};
