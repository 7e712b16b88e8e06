import { cronRuns, normalizeCron, validateCron } from './cron.js';
import { formatDateVi, formatLocalEn, formatLocalVi, localToUtc, parseLocalDate } from './time-zone.js';
import {
  err,
  ok,
  type CommuneRules,
  type Start,
  type Priority,
  type Result,
  type TimeWindow,
  type When,
} from './types.js';

export interface ExpandContext {
  /**
   * Give `now` when checking a new broadcast: a time already past is refused with `past`. The
   * materialiser leaves it out and simply gets nothing for broadcasts that are over.
   */
  readonly now?: number;
  /** Emergency recurrences may fire more often than every 15 minutes. */
  readonly priority?: Priority;
}

type RecurrenceWhen = Extract<When, { kind: 'recurrence' }>;
type WeeklySlotWhen = Extract<When, { kind: 'weekly-slot' }>;

/** Weekday names as cadres say them, 0 = Sunday as in cron. */
export const WEEKDAYS_VI = [
  'Chủ nhật',
  'Thứ hai',
  'Thứ ba',
  'Thứ tư',
  'Thứ năm',
  'Thứ sáu',
  'Thứ bảy',
] as const;
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** How a refusal names a series: its cron expression, or its slot and weekdays. */
interface SeriesName {
  readonly vi: string;
  readonly en: string;
}

const inWindow = (ms: number, window: TimeWindow): boolean => ms >= window.from && ms < window.to;

const pastError = (field: string, vi: string, en: string): Result<never> =>
  err({ code: 'past', field, message: vi, messageEn: en, details: {} });

const expandAt = (
  at: number,
  rules: CommuneRules,
  window: TimeWindow,
  now?: number,
): Result<readonly Start[]> => {
  if (now !== undefined && at < now) {
    const tz = rules.timeZone;
    return pastError(
      'at',
      `Thời điểm ${formatLocalVi(at, tz)} đã qua. Hãy chọn một thời điểm sau bây giờ (${formatLocalVi(now, tz)}).`,
      `${formatLocalEn(at, tz)} is in the past. Choose a time after now (${formatLocalEn(now, tz)}).`,
    );
  }
  return ok(inWindow(at, window) ? [{ startsAt: at }] : []);
};

const unknownSlot = (name: string, rules: CommuneRules, field: string): Result<never> => {
  const known = rules.slots.map((s) => s.name);
  return err({
    code: 'unknown_slot',
    field,
    message: `Xã chưa có khung giờ "${name}". Hãy chọn một trong các khung giờ: ${known.join(', ') || '(chưa có khung giờ nào)'}.`,
    messageEn: `The commune has no slot "${name}". Choose one of: ${known.join(', ') || '(none defined)'}.`,
    details: { known },
  });
};

const expandSlot = (
  name: string,
  date: string,
  rules: CommuneRules,
  window: TimeWindow,
  now?: number,
): Result<readonly Start[]> => {
  const slot = rules.slots.find((s) => s.name === name);
  if (!slot) return unknownSlot(name, rules, 'slot.name');
  const parsed = parseLocalDate(date, 'slot.date');
  if (!parsed.ok) return parsed;
  const startsAt = localToUtc(date, slot.start, rules.timeZone);
  // Packing places items from the slot's start, so a slot already begun cannot take a new one.
  if (now !== undefined && startsAt < now) {
    return pastError(
      'slot.date',
      `Khung giờ "${slot.label ?? slot.name}" (${slot.start}–${slot.end}) ngày ${formatDateVi(date)} đã bắt đầu hoặc đã qua. Hãy chọn ngày sau.`,
      `Slot "${slot.name}" (${slot.start}–${slot.end}) on ${date} has already begun or passed. Choose a later date.`,
    );
  }
  return ok(inWindow(startsAt, window) ? [{ startsAt, slot: slot.name }] : []);
};

const checkBounds = (r: RecurrenceWhen): Result<true> => {
  if (r.count !== undefined && r.until !== undefined) {
    return err({
      code: 'count_and_until',
      field: 'recurrence',
      message:
        'Chỉ chọn một cách kết thúc lịch lặp: theo số lần phát hoặc theo ngày kết thúc, không chọn cả hai.',
      messageEn: 'End a recurrence either after a number of runs or at an end time, not both.',
      details: {},
    });
  }
  if (r.count !== undefined && !(Number.isInteger(r.count) && r.count >= 1)) {
    return err({
      code: 'invalid_count',
      field: 'recurrence.count',
      message: `Số lần phát phải là số nguyên từ 1 trở lên (đang là ${r.count}).`,
      messageEn: `The number of runs must be a whole number of at least 1 (got ${r.count}).`,
      details: { value: r.count },
    });
  }
  if (r.until !== undefined && r.until < r.from) {
    return err({
      code: 'until_before_from',
      field: 'recurrence.until',
      message:
        'Thời điểm kết thúc lịch lặp đang trước thời điểm bắt đầu. Hãy chọn ngày kết thúc sau ngày bắt đầu.',
      messageEn: 'The recurrence ends before it starts. Choose an end after the start.',
      details: { from: r.from, until: r.until },
    });
  }
  return ok(true);
};

// What the schedule page writes for "every week at a time": minute, hour and some weekdays.
const WEEKLY_CRON = /^(\d{1,2}) (\d{1,2}) \* \* ([0-6](?:,[0-6])*)$/;

/**
 * A recurrence as a refusal names it: a weekly one at a time, as the page asks for it, in words (a hamlet
 * head never typed its cron expression); any other by its expression.
 * @example cronName('0 7 * * 1,4').vi // → 'hằng tuần vào Thứ hai, Thứ năm, lúc 07:00'
 */
const cronName = (cron: string): SeriesName => {
  const weekly = WEEKLY_CRON.exec(normalizeCron(cron));
  if (!weekly) return { vi: `"${cron}"`, en: `"${cron}"` };
  const time = `${weekly[2]!.padStart(2, '0')}:${weekly[1]!.padStart(2, '0')}`;
  const days = [...new Set(weekly[3]!.split(',').map(Number))].sort((a, b) => a - b);
  return {
    vi: `hằng tuần vào ${days.map((d) => WEEKDAYS_VI[d]).join(', ')}, lúc ${time}`,
    en: `every ${days.map((d) => WEEKDAYS_EN[d]).join(', ')} at ${time}`,
  };
};

const expandRecurrence = (
  r: RecurrenceWhen,
  rules: CommuneRules,
  window: TimeWindow,
  context: ExpandContext,
  name: SeriesName = cronName(r.cron),
): Result<readonly Start[]> => {
  const bounds = checkBounds(r);
  if (!bounds.ok) return bounds;
  const tz = rules.timeZone;
  const checked = validateCron(r.cron, {
    allowFrequent: context.priority === 'emergency',
    timeZone: tz,
    referenceMs: r.from,
  });
  if (!checked.ok) return checked;
  const cron = checked.value;
  const { now } = context;
  // RFC 5545 §3.3.10: UNTIL is inclusive, a run exactly at the end time still airs.
  const beyondEnd = (run: number): boolean => r.until !== undefined && run > r.until;

  const first = cronRuns(cron, tz, r.from).next();
  if (first.done || beyondEnd(first.value)) {
    return err({
      code: 'no_occurrences',
      field: 'recurrence.until',
      message: `Lịch lặp ${name.vi} không có lần phát nào từ ${formatLocalVi(r.from, tz)} đến ${formatLocalVi(r.until ?? r.from, tz)}. Hãy kéo dài thời gian kết thúc hoặc sửa lịch lặp.`,
      messageEn: `Recurrence ${name.en} has no run between ${formatLocalEn(r.from, tz)} and ${formatLocalEn(r.until ?? r.from, tz)}. Extend the end or change the recurrence.`,
      details: {},
    });
  }

  const starts: number[] = [];
  let anyNotPast = now === undefined;
  if (r.count !== undefined) {
    // The count runs from `from`, whatever the window: the window only limits what is materialised.
    let seen = 0;
    for (const run of cronRuns(cron, tz, r.from)) {
      if (seen++ >= r.count) break;
      if (now !== undefined && run >= now) anyNotPast = true;
      if (run >= window.to && anyNotPast) break;
      if (inWindow(run, window)) starts.push(run);
    }
  } else {
    if (now !== undefined) {
      const next = cronRuns(cron, tz, Math.max(r.from, now)).next();
      anyNotPast = !next.done && !beyondEnd(next.value);
    }
    for (const run of cronRuns(cron, tz, Math.max(r.from, window.from))) {
      if (run >= window.to || beyondEnd(run)) break;
      starts.push(run);
    }
  }
  if (!anyNotPast) {
    return pastError(
      r.until !== undefined ? 'recurrence.until' : 'recurrence.count',
      'Mọi lần phát của lịch lặp này đều đã qua. Hãy chọn thời điểm bắt đầu, ngày kết thúc hoặc số lần phát sao cho còn lần phát sau bây giờ.',
      'Every run of this recurrence is in the past. Move its start, end or count so that some run is still ahead.',
    );
  }
  return ok(starts.map((startsAt) => ({ startsAt })));
};

/**
 * A standing slot every week on some weekdays: the slot's opening on each of those days, as a cron
 * expression on the commune's wall clock, so that counting, ending and the check for what is past are
 * the recurrence's own; each start carries the slot, and packing places it like any slot item.
 */
const expandWeeklySlot = (
  w: WeeklySlotWhen,
  rules: CommuneRules,
  window: TimeWindow,
  context: ExpandContext,
): Result<readonly Start[]> => {
  const slot = rules.slots.find((s) => s.name === w.slot);
  if (!slot) return unknownSlot(w.slot, rules, 'recurrence.slot');
  const days = [...new Set(w.weekdays)].filter((d) => Number.isInteger(d) && d >= 0 && d <= 6).sort();
  if (days.length === 0) {
    return err({
      code: 'no_weekdays',
      field: 'recurrence.weekdays',
      message: 'Hãy chọn ít nhất một ngày trong tuần (0 là Chủ nhật, 6 là Thứ bảy) cho lịch phát hằng tuần.',
      messageEn: 'Choose at least one weekday (0 = Sunday … 6 = Saturday) for a weekly series.',
      details: { weekdays: [...w.weekdays] },
    });
  }
  const [hour, minute] = slot.start.split(':').map(Number);
  const name = {
    vi: `hằng tuần vào ${days.map((d) => WEEKDAYS_VI[d]).join(', ')}, khung giờ "${slot.label ?? slot.name}" (${slot.start}–${slot.end})`,
    en: `every ${days.map((d) => WEEKDAYS_EN[d]).join(', ')} in slot "${slot.name}" (${slot.start}–${slot.end})`,
  };
  const runs = expandRecurrence(
    {
      kind: 'recurrence',
      cron: `${minute} ${hour} * * ${days.join(',')}`,
      from: w.from,
      ...(w.until !== undefined && { until: w.until }),
      ...(w.count !== undefined && { count: w.count }),
    },
    rules,
    window,
    context,
    name,
  );
  return runs.ok ? ok(runs.value.map(({ startsAt }) => ({ startsAt, slot: slot.name }))) : runs;
};

/**
 * The starts of `when` inside `window` (the rolling 7-day horizon), in UTC, evaluated on the
 * commune's wall clock. A slot start is the slot's opening time; packing decides the exact start.
 * @example
 * expandWhen({ kind: 'recurrence', cron: '0 6 * * *', from: Date.parse('2026-11-30T17:00:00Z'), count: 3 },
 *   rules, { from: Date.parse('2026-11-30T17:00:00Z'), to: Date.parse('2026-12-07T17:00:00Z') })
 * // → ok([{ startsAt: Date.parse('2026-11-30T23:00:00Z') }, … 12-01T23:00Z, 12-02T23:00Z])
 */
export const expandWhen = (
  when: When,
  rules: CommuneRules,
  window: TimeWindow,
  context: ExpandContext = {},
): Result<readonly Start[]> => {
  switch (when.kind) {
    case 'at':
      return expandAt(when.at, rules, window, context.now);
    case 'slot':
      return expandSlot(when.name, when.date, rules, window, context.now);
    case 'recurrence':
      return expandRecurrence(when, rules, window, context);
    case 'weekly-slot':
      return expandWeeklySlot(when, rules, window, context);
  }
};
