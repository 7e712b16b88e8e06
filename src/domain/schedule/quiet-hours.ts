import { formatDuration } from './format.js';
import { addDays, formatLocalEn, formatLocalVi, localToUtc, minutesOf, utcToLocal } from './time-zone.js';
import { err, ok, type CommuneRules, type Priority, type Result } from './types.js';

const crossesMidnight = (start: number, end: number): boolean => end < start;

/**
 * Whether instant `ms` falls in the commune's quiet hours (giờ nghỉ ngơi), start inclusive, end
 * exclusive; a window such as 21:30–05:30 runs across midnight. Equal start and end means none.
 */
export const isInQuietHours = (ms: number, rules: CommuneRules): boolean => {
  const start = minutesOf(rules.quietHours.start);
  const end = minutesOf(rules.quietHours.end);
  if (start === end) return false;
  const t = minutesOf(utcToLocal(ms, rules.timeZone).time);
  return crossesMidnight(start, end) ? t >= start || t < end : t >= start && t < end;
};

/** The quiet windows, as UTC intervals in day order, that could touch `[from, to)`. */
const quietIntervals = (
  from: number,
  to: number,
  rules: CommuneRules,
): readonly (readonly [number, number])[] => {
  const { start, end } = rules.quietHours;
  const crosses = crossesMidnight(minutesOf(start), minutesOf(end));
  const tz = rules.timeZone;
  const intervals: (readonly [number, number])[] = [];
  // Start a day early: last night's window may still be open in the morning. Stop at the first window
  // that opens at or after `to`: it and the later ones cannot touch (one reading of the clock less than
  // stopping at the local date of `to`, and the dispatcher checks every airing it places).
  for (let d = addDays(utcToLocal(from, tz).date, -1); ; d = addDays(d, 1)) {
    const opens = localToUtc(d, start, tz);
    if (opens >= to) return intervals;
    intervals.push([opens, localToUtc(crosses ? addDays(d, 1) : d, end, tz)]);
  }
};

/**
 * Refuse a non-emergency item that starts in quiet hours or runs into them (`quiet_hours`, 422).
 * Emergencies ignore quiet hours under the grassroots radio rules. `field` names the input in the
 * error (`at`, `recurrence.cron`).
 * @example
 * // rules: Asia/Ho_Chi_Minh, quiet 21:30–05:30
 * checkQuietHours(Date.parse('2026-12-01T14:20:00Z'), 15 * 60_000, 'normal', rules)
 * // 21:20 local for 15 min → error quiet_hours
 */
export const checkQuietHours = (
  startsAt: number,
  durationMs: number,
  priority: Priority,
  rules: CommuneRules,
  field = 'at',
): Result<true> => {
  const { start, end } = rules.quietHours;
  if (priority === 'emergency' || minutesOf(start) === minutesOf(end)) return ok(true);
  // An instant item still occupies its start.
  const endsAt = Math.max(startsAt + durationMs, startsAt + 1);
  const hit = quietIntervals(startsAt, endsAt, rules).find(([qs, qe]) => startsAt < qe && qs < endsAt);
  if (!hit) return ok(true);
  const tz = rules.timeZone;
  const details = {
    quietStart: start,
    quietEnd: end,
    startsAt,
    localStart: `${utcToLocal(startsAt, tz).date} ${utcToLocal(startsAt, tz).time}`,
  };
  if (startsAt >= hit[0]) {
    return err({
      code: 'quiet_hours',
      field,
      message: `Không thể phát lúc ${formatLocalVi(startsAt, tz)} vì đang trong giờ nghỉ ngơi (${start}–${end}); giờ này loa chỉ phát tin khẩn cấp. Hãy chọn giờ từ ${end} đến trước ${start}.`,
      messageEn: `Cannot air at ${formatLocalEn(startsAt, tz)}: it is within quiet hours (${start}–${end}), when only emergencies play. Choose a time from ${end} to before ${start}.`,
      details,
    });
  }
  const length = formatDuration(durationMs);
  return err({
    code: 'quiet_hours',
    field,
    message: `Bản tin bắt đầu lúc ${formatLocalVi(startsAt, tz)}, dài ${length.vi}, sẽ phát lấn vào giờ nghỉ ngơi (${start}–${end}). Hãy cho bắt đầu sớm hơn để kết thúc trước ${start}, hoặc rút ngắn bản tin.`,
    messageEn: `Starting at ${formatLocalEn(startsAt, tz)} and lasting ${length.en}, it would run into quiet hours (${start}–${end}). Start earlier so that it ends by ${start}, or shorten it.`,
    details,
  });
};

/**
 * The end of the quiet window that an item from `startsAt` lasting `durationMs` starts in or runs
 * into, or null when it touches none: the earliest a refused item could start again.
 * @example
 * // quiet 21:30–05:30 in Vietnam: an item at 21:20 for 15 min runs into it → 05:30 the next morning
 * quietEndAfter(Date.parse('2026-12-01T14:20:00Z'), 15 * 60_000, rules) // → Date.parse('2026-12-01T22:30:00Z')
 */
export const quietEndAfter = (startsAt: number, durationMs: number, rules: CommuneRules): number | null => {
  const { start, end } = rules.quietHours;
  if (minutesOf(start) === minutesOf(end)) return null;
  const endsAt = Math.max(startsAt + durationMs, startsAt + 1);
  const hit = quietIntervals(startsAt, endsAt, rules).find(([qs, qe]) => startsAt < qe && qs < endsAt);
  return hit ? hit[1] : null;
};
