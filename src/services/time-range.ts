import type { RequestContext } from '../domain/actor.js';
import { invalid } from '../domain/errors.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  DEFAULT_TIME_ZONE,
  instantMs,
  localToUtc,
  parseLocalDate,
  ZONED_TIME,
} from '../domain/schedule/index.js';

export const DAY_MS = 86_400_000;
/** Longest range a playback or coverage request may span; longer reports are several requests. */
export const MAX_RANGE_DAYS = 400;

/** The actor's commune's time zone. */
export async function timeZoneOf(r: Pick<Repositories, 'communes'>, communeId: string): Promise<string> {
  return (await r.communes.findCommune(communeId))?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** Parses `from`/`to`: an ISO instant with its offset, or a local date meaning the commune's midnight. */
function instant(field: string, value: string, timeZone: string): string {
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
