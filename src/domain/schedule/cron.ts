import { Cron } from 'croner';
import {
  CRON_FIELDS,
  DEFAULT_TIME_ZONE,
  MIN_RECURRENCE_GAP_MIN,
  err,
  ok,
  type CronField,
  type Result,
} from './types.js';

export interface CronCheckOptions {
  /** Emergency repeats may fire as often as they need. */
  readonly allowFrequent: boolean;
  readonly timeZone?: string;
  /** Where the frequency sample starts; a fixed default keeps the check deterministic. */
  readonly referenceMs?: number;
  /** JSON path reported in errors. */
  readonly field?: string;
}

const DEFAULT_REFERENCE_MS = Date.UTC(2026, 0, 1);
// A 15-minute pattern has 96 runs a day, so this covers a whole day of the densest allowed pattern.
const SAMPLE_RUNS = 200;
// Every matching day has the same times, so runs spanning a week past the first also show
// weekday patterns and the gaps across midnight.
const SAMPLE_SPAN_MS = 8 * 86_400_000;
const MINUTE_MS = 60_000;

const FIELD_TEXT: Readonly<Record<CronField, { vi: string; en: string; rangeVi: string; rangeEn: string }>> =
  {
    minute: { vi: 'phút', en: 'minute', rangeVi: '0–59', rangeEn: '0–59' },
    hour: { vi: 'giờ', en: 'hour', rangeVi: '0–23', rangeEn: '0–23' },
    dayOfMonth: { vi: 'ngày trong tháng', en: 'day of month', rangeVi: '1–31', rangeEn: '1–31' },
    month: { vi: 'tháng', en: 'month', rangeVi: '1–12 hoặc JAN–DEC', rangeEn: '1–12 or JAN–DEC' },
    dayOfWeek: {
      vi: 'thứ trong tuần',
      en: 'day of week',
      rangeVi: '0–7 (0 và 7 là Chủ nhật) hoặc SUN–SAT',
      rangeEn: '0–7 (0 and 7 are Sunday) or SUN–SAT',
    },
  };

/** A paused croner job on the standard five fields; throws on bad syntax. */
const makeCron = (pattern: string, timeZone: string): Cron =>
  new Cron(pattern, { timezone: timeZone, paused: true, mode: '5-part' });

const parses = (pattern: string): boolean => {
  try {
    makeCron(pattern, 'UTC');
    return true;
  } catch {
    return false;
  }
};

/** Collapse whitespace so equal schedules compare equal. */
export const normalizeCron = (cron: string): string => cron.trim().split(/\s+/).join(' ');

const syntaxError = (cron: string, field: string): Result<never> => {
  const parts = cron.split(' ');
  if (!cron.startsWith('@') && parts.length !== CRON_FIELDS.length) {
    return err({
      code: 'invalid_cron',
      field,
      message: `Lịch lặp "${cron}" phải có đúng 5 trường cách nhau bởi dấu cách: phút giờ ngày tháng thứ. Ví dụ "0 6 * * *" là 06:00 hằng ngày.`,
      messageEn: `Recurrence "${cron}" must have exactly 5 space-separated fields: minute hour day-of-month month day-of-week, e.g. "0 6 * * *" for 06:00 daily.`,
      details: {},
    });
  }
  // Try each field alone, the others wild, to name the one that is wrong.
  const position =
    parts.length === CRON_FIELDS.length
      ? parts.findIndex((_, i) => !parses(parts.map((p, j) => (j === i ? p : '*')).join(' ')))
      : -1;
  const cronField = CRON_FIELDS[position];
  const value = parts[position];
  if (cronField === undefined || value === undefined) {
    return err({
      code: 'invalid_cron',
      field,
      message: `Lịch lặp "${cron}" không hợp lệ. Hãy dùng 5 trường phút giờ ngày tháng thứ, ví dụ "0 6 * * *" là 06:00 hằng ngày.`,
      messageEn: `Recurrence "${cron}" is not a valid cron expression; use minute hour day-of-month month day-of-week, e.g. "0 6 * * *".`,
      details: {},
    });
  }
  const text = FIELD_TEXT[cronField];
  return err({
    code: 'invalid_cron',
    field,
    message: `Lịch lặp "${cron}" sai ở trường thứ ${position + 1} (${text.vi}): "${value}". Trường ${text.vi} chỉ nhận ${text.rangeVi}.`,
    messageEn: `Recurrence "${cron}" has an invalid ${text.en} (field ${position + 1}): "${value}". The ${text.en} takes ${text.rangeEn}.`,
    details: { cronField, position: position + 1, value },
  });
};

/**
 * Check a cron expression (5 fields, evaluated in the commune's zone): syntax, that it fires at all,
 * and that consecutive runs are at least 15 minutes apart unless `allowFrequent`.
 * Returns the expression with its whitespace normalised.
 * @example validateCron('*\/5 * * * *', { allowFrequent: false }) // → error cron_too_frequent
 */
export const validateCron = (cron: string, options: CronCheckOptions): Result<string> => {
  const field = options.field ?? 'recurrence.cron';
  const pattern = normalizeCron(cron);
  let job: Cron;
  try {
    job = makeCron(pattern, options.timeZone ?? DEFAULT_TIME_ZONE);
  } catch {
    return syntaxError(pattern, field);
  }
  const reference = options.referenceMs ?? DEFAULT_REFERENCE_MS;
  let previous = job.nextRun(new Date(reference));
  if (!previous) {
    return err({
      code: 'cron_never_fires',
      field,
      message: `Lịch lặp "${pattern}" không bao giờ đến lượt phát (ví dụ ngày 30 tháng 2 không có). Hãy kiểm tra lại ngày và tháng.`,
      messageEn: `Recurrence "${pattern}" never fires (for instance, there is no 30 February). Check the day and the month.`,
      details: {},
    });
  }
  if (options.allowFrequent) return ok(pattern);
  const firstMs = previous.getTime();
  let minGapMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < SAMPLE_RUNS && minGapMs >= MIN_RECURRENCE_GAP_MIN * MINUTE_MS; i++) {
    const next = job.nextRun(previous);
    if (!next) break;
    minGapMs = Math.min(minGapMs, next.getTime() - previous.getTime());
    if (next.getTime() - firstMs > SAMPLE_SPAN_MS) break;
    previous = next;
  }
  if (minGapMs < MIN_RECURRENCE_GAP_MIN * MINUTE_MS) {
    const minGapMin = minGapMs / MINUTE_MS;
    return err({
      code: 'cron_too_frequent',
      field,
      message: `Lịch lặp "${pattern}" phát cách nhau chỉ ${minGapMin} phút; tin thông thường và ưu tiên phải cách nhau ít nhất ${MIN_RECURRENCE_GAP_MIN} phút. Hãy giãn lịch ra; lặp dày hơn chỉ dành cho tin khẩn cấp.`,
      messageEn: `Recurrence "${pattern}" fires only ${minGapMin} min apart; normal and priority broadcasts must be at least ${MIN_RECURRENCE_GAP_MIN} min apart. Space it out; denser repeats are for emergencies only.`,
      details: { minGapMin, limitMin: MIN_RECURRENCE_GAP_MIN },
    });
  }
  return ok(pattern);
};

/**
 * The runs of a valid cron expression at or after `fromMs`, in order, as UTC instants; evaluated on
 * the wall clock of `timeZone`. Lazy: the caller decides where to stop.
 */
export function* cronRuns(
  cron: string,
  timeZone: string,
  fromMs: number,
): Generator<number, void, undefined> {
  const job = makeCron(normalizeCron(cron), timeZone);
  // croner answers strictly after its reference and at whole seconds; step back to include fromMs.
  let run = job.nextRun(new Date(Math.ceil(fromMs / 1000) * 1000 - 1000));
  while (run) {
    if (run.getTime() >= fromMs) yield run.getTime();
    run = job.nextRun(run);
  }
}
