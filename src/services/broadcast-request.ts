import type { BroadcastRequest, BroadcastWhen } from '../domain/broadcast.js';
import { LoaError, invalid } from '../domain/errors.js';
import { instantMs, iso, type ScheduleError } from '../domain/schedule/index.js';

const statusOf: Record<ScheduleError['code'], 409 | 422> = {
  conflict: 409,
  invalid_cron: 422,
  cron_too_frequent: 422,
  cron_never_fires: 422,
  until_before_from: 422,
  count_and_until: 422,
  invalid_count: 422,
  no_occurrences: 422,
  unknown_slot: 422,
  no_weekdays: 422,
  invalid_date: 422,
  invalid_time: 422,
  quiet_hours: 422,
  slot_overflow: 422,
  past: 422,
};

/** A scheduling rule's refusal as the API's error, keeping the rule's field and details. */
export function fromScheduleError(error: ScheduleError, extra: Record<string, unknown> = {}): LoaError {
  return new LoaError(statusOf[error.code], error.code, error.messageEn, error.message, {
    errors: [{ field: error.field, message: error.messageEn, messageVi: error.message }],
    ...(error.details && { details: error.details }),
    ...extra,
  });
}

export function parseInstant(value: string, field: string): number {
  const ms = instantMs(value);
  if (Number.isNaN(ms)) {
    throw invalid(
      field,
      `${value} is not a real date and time.`,
      `Thời điểm ${value} không tồn tại. Hãy kiểm tra ngày tháng.`,
    );
  }
  return ms;
}

/**
 * The `when` of a request, checked and normalised for storing: exactly one way of timing it, instants
 * that exist (in UTC), repeats only for emergencies, and an emergency without a time airs now.
 */
export function normaliseWhen(req: BroadcastRequest, now: number): BroadcastWhen {
  const given = [req.at !== undefined, req.slot !== undefined, req.recurrence !== undefined].filter(
    Boolean,
  ).length;
  if (given > 1 || (given === 0 && req.priority !== 'emergency')) {
    throw invalid(
      'at',
      'Give exactly one of at, slot or recurrence.',
      'Hãy chọn đúng một cách hẹn giờ: giờ cụ thể, khung giờ hoặc lặp lại.',
    );
  }
  if (req.repeat && req.priority !== 'emergency') {
    throw invalid(
      'repeat',
      'Only emergencies repeat this way; use recurrence.',
      'Chỉ tin khẩn cấp mới lặp theo cách này; hãy dùng "lặp lại".',
    );
  }
  if (req.priority === 'emergency' && (req.slot || req.recurrence)) {
    throw invalid(
      'priority',
      'An emergency airs at a time (default: now), not in a slot or recurrence.',
      'Tin khẩn cấp phát ngay hoặc vào một giờ cụ thể, không xếp vào khung giờ.',
    );
  }
  if (req.at !== undefined || req.priority === 'emergency') {
    const at = req.at !== undefined ? parseInstant(req.at, 'at') : now;
    return { at: iso(at), ...(req.repeat && { repeat: req.repeat }) };
  }
  if (req.slot) return { slot: req.slot };
  const r = req.recurrence!;
  if ((r.cron === undefined) === (r.slot === undefined)) {
    throw invalid(
      'recurrence.cron',
      'A recurrence takes either cron or slot (with weekdays), not both and not neither.',
      'Lịch lặp cần đúng một trong hai: biểu thức lặp (cron) hoặc một khung giờ cùng các ngày trong tuần.',
    );
  }
  if ((r.slot === undefined) !== (r.weekdays === undefined)) {
    throw invalid(
      'recurrence.weekdays',
      'weekdays go with slot: the days of the week (0 = Sunday … 6 = Saturday) on which the slot airs.',
      'Lịch lặp theo khung giờ cần các ngày trong tuần (0 là Chủ nhật, 6 là Thứ bảy); lịch theo cron thì không.',
    );
  }
  return {
    recurrence: {
      ...(r.cron !== undefined && { cron: r.cron }),
      ...(r.slot !== undefined && { slot: r.slot, weekdays: [...new Set(r.weekdays)].sort((a, b) => a - b) }),
      from: iso(parseInstant(r.from, 'recurrence.from')),
      ...(r.until !== undefined && { until: iso(parseInstant(r.until, 'recurrence.until')) }),
      ...(r.count !== undefined && { count: r.count }),
    },
  };
}
