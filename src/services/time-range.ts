import type { RequestContext } from '../domain/actor.js';
import { invalid } from '../domain/errors.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  DEFAULT_TIME_ZONE,
  formatDateVi,
  instantMs,
  localToUtc,
  parseLocalDate,
  ZONED_TIME,
} from '../domain/schedule/index.js';

export const DAY_MS = 86_400_000;
/** Longest range a playback or coverage request may span; longer reports are several requests. */
export const MAX_RANGE_DAYS = 400;

/**
 * The days a report may name. Nothing aired before 2000, and `Date` reads years 0–99 as 1900–1999; the
 * last day's next one, where a range that includes it ends, must still have a four-digit year.
 */
export const REPORT_DAYS = { first: '2000-01-01', last: '9999-12-30' } as const;

/**
 * The refusal of a date (or a time starting with one, as written) outside `REPORT_DAYS`, in English and
 * Vietnamese; undefined for a day inside them and for text that starts with no date.
 * @example outsideReportDays('0050-01-01')?.message
 * // → 'Báo cáo chỉ có cho các ngày từ 01/01/2000 đến 30/12/9999; ngày 01/01/0050 nằm ngoài khoảng đó.'
 */
export function outsideReportDays(value: string): { message: string; messageEn: string } | undefined {
  const day = /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0];
  if (!day || (day >= REPORT_DAYS.first && day <= REPORT_DAYS.last)) return undefined;
  return {
    messageEn: `Reports cover the days from ${REPORT_DAYS.first} to ${REPORT_DAYS.last} (got ${JSON.stringify(value)}).`,
    message: `Báo cáo chỉ có cho các ngày từ ${formatDateVi(REPORT_DAYS.first)} đến ${formatDateVi(REPORT_DAYS.last)}; ngày ${formatDateVi(day)} nằm ngoài khoảng đó.`,
  };
}

/** The actor's commune's time zone. */
export async function timeZoneOf(r: Pick<Repositories, 'communes'>, communeId: string): Promise<string> {
  return (await r.communes.findCommune(communeId))?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** Parses `from`/`to`: an ISO instant with its offset, or a local date meaning the commune's midnight. */
function instant(field: string, value: string, timeZone: string): string {
  const outside = outsideReportDays(value);
  if (outside) throw invalid(field, outside.messageEn, outside.message);
  // A day that is not on the calendar is no instant either: both refuse it.
  const ms = parseLocalDate(value).ok
    ? localToUtc(value, '00:00', timeZone)
    : ZONED_TIME.test(value)
      ? instantMs(value)
      : NaN;
  if (!Number.isFinite(ms)) {
    throw invalid(
      field,
      `${field} must be an ISO 8601 time with an offset, e.g. 2026-11-27T06:00:00+07:00, or a date YYYY-MM-DD (got ${JSON.stringify(value)}).`,
      `${field} phải là thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-27T06:00:00+07:00, hoặc ngày YYYY-MM-DD.`,
    );
  }
  return new Date(ms).toISOString();
}

/** A report's time range from the query, with defaults, checked: `to` after `from`, at most 400 days. */
export async function timeRange(
  r: Pick<Repositories, 'communes'>,
  ctx: RequestContext,
  q: { from?: string | undefined; to?: string | undefined },
  defaults: { fromMs: number; toMs: number },
): Promise<{ from: string; to: string; timeZone: string }> {
  const timeZone = await timeZoneOf(r, ctx.actor.communeId);
  const from = q.from ? instant('from', q.from, timeZone) : new Date(defaults.fromMs).toISOString();
  const to = q.to ? instant('to', q.to, timeZone) : new Date(defaults.toMs).toISOString();
  if (from >= to)
    throw invalid('to', '`to` must be after `from`.', 'Thời điểm kết thúc phải sau thời điểm bắt đầu.');
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * DAY_MS) {
    throw invalid(
      'to',
      `Ask for at most ${MAX_RANGE_DAYS} days at a time.`,
      `Mỗi lần chỉ xem tối đa ${MAX_RANGE_DAYS} ngày.`,
    );
  }
  return { from, to, timeZone };
}
