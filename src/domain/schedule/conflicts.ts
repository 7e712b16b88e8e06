import { formatDateVi, utcToLocal } from './time-zone.js';
import { PRIORITY_LABEL_VI, err, ok, priorityRank, type Priority, type Result } from './types.js';

/** Something already booked on a hamlet's loudspeakers. */
export interface BookedItem {
  readonly id: string;
  readonly hamletId: string;
  readonly startsAt: number;
  readonly durationMs: number;
  readonly priority: Priority;
  readonly title: string;
}

export interface ConflictCandidate {
  readonly hamletId: string;
  readonly startsAt: number;
  readonly durationMs: number;
  readonly priority: Priority;
}

export interface Conflicts<T> {
  /** Items that block the candidate: same hamlet, overlapping, ranked at least as high. */
  readonly conflicts: readonly T[];
  /** Lower-ranked overlapping items the candidate would push aside. */
  readonly displaced: readonly T[];
}

const MAX_NAMED = 3;

/** Whether two airings share any instant; ranges are half-open, so back to back is no overlap. */
export const overlaps = (
  a: { readonly startsAt: number; readonly durationMs: number },
  b: { readonly startsAt: number; readonly durationMs: number },
): boolean =>
  // A zero-length item still occupies its start.
  a.startsAt < b.startsAt + Math.max(b.durationMs, 1) && b.startsAt < a.startsAt + Math.max(a.durationMs, 1);

/**
 * Split the hamlet's overlapping items into those that block the candidate and those it outranks.
 * In one hamlet nothing overlaps, unless the newcomer outranks; emergencies are never blocked.
 * @example
 * findConflicts([{ id: 'x', hamletId: 'un-ta', priority: 'normal', … }], { hamletId: 'un-ta', priority: 'priority', … })
 * // → { conflicts: [], displaced: [x] } when they overlap
 */
export const findConflicts = <T extends BookedItem>(
  existing: readonly T[],
  candidate: ConflictCandidate,
): Conflicts<T> => {
  const rank = priorityRank(candidate.priority);
  const clashing = existing.filter(
    (item) => item.hamletId === candidate.hamletId && overlaps(item, candidate),
  );
  const displaced = clashing.filter((item) => priorityRank(item.priority) < rank);
  const conflicts =
    candidate.priority === 'emergency' ? [] : clashing.filter((item) => priorityRank(item.priority) >= rank);
  return { conflicts, displaced };
};

/** An airing as a person reads it in a refusal: its title, priority and local times. */
const describeBooked = (
  item: Omit<BookedItem, 'id' | 'hamletId'>,
  timeZone: string,
): { vi: string; en: string } => {
  const start = utcToLocal(item.startsAt, timeZone);
  const end = utcToLocal(item.startsAt + item.durationMs, timeZone);
  return {
    vi: `"${item.title}" (${PRIORITY_LABEL_VI[item.priority]}, ${start.time}–${end.time} ngày ${formatDateVi(start.date)})`,
    en: `"${item.title}" (${item.priority}, ${start.date} ${start.time}–${end.time})`,
  };
};

/**
 * Up to three airings named for a refusal, and how many more there are.
 * @example
 * nameAirings(items, 'Asia/Ho_Chi_Minh').vi // → '"Họp dân" (thông thường, 19:00–19:05 ngày 01/12/2026) và 2 lượt khác'
 */
export const nameAirings = (
  items: readonly Omit<BookedItem, 'id' | 'hamletId'>[],
  timeZone: string,
): { vi: string; en: string } => {
  const named = items.slice(0, MAX_NAMED).map((item) => describeBooked(item, timeZone));
  const more = items.length - named.length;
  return {
    vi: named.map((n) => n.vi).join(', ') + (more > 0 ? ` và ${more} lượt khác` : ''),
    en: named.map((n) => n.en).join(', ') + (more > 0 ? ` and ${more} more` : ''),
  };
};

/**
 * `findConflicts`, as a result: a `conflict` error (409) naming the clashing items in local time, or
 * the items the candidate displaces.
 */
export const checkConflicts = <T extends BookedItem>(
  existing: readonly T[],
  candidate: ConflictCandidate,
  timeZone: string,
  field = 'at',
): Result<{ readonly displaced: readonly T[] }> => {
  const { conflicts, displaced } = findConflicts(existing, candidate);
  if (conflicts.length === 0) return ok({ displaced });
  const named = conflicts.slice(0, MAX_NAMED).map((item) => describeBooked(item, timeZone));
  const more = conflicts.length - named.length;
  const moreVi = more > 0 ? ` và ${more} bản tin khác` : '';
  const moreEn = more > 0 ? ` and ${more} more` : '';
  return err({
    code: 'conflict',
    field,
    message: `Trùng giờ với ${named.map((n) => n.vi).join(', ')}${moreVi} trên loa của cùng thôn. Hãy chọn giờ khác; chỉ bản tin có mức ưu tiên cao hơn mới được phát chen vào.`,
    messageEn: `Overlaps ${named.map((n) => n.en).join(', ')}${moreEn} on the same hamlet's loudspeakers. Choose another time; only a higher priority may take its place.`,
    details: { conflictIds: conflicts.map((item) => item.id) },
  });
};
