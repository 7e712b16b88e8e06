import { invalid } from '../domain/errors.js';
import { parseLocalDate } from '../domain/schedule/index.js';
import type { LocalDate } from '../domain/schedule/types.js';

/** Local dates from and to, both included: what the province's reports are asked for. */
export interface LocalRange {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

const daysBetween = (from: LocalDate, to: LocalDate) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/**
 * The range asked for, with defaults, checked: two calendar dates, `to` not before `from`, at most
 * `maxDays` days. Refusals name the field, in English and Vietnamese.
 * @example localRange({ from: '2026-11-01' }, { from: '2026-11-01', to: '2026-11-27' }, 366)
 * // → { from: '2026-11-01', to: '2026-11-27' }
 */
export function localRange(
  q: { readonly from?: string | undefined; readonly to?: string | undefined },
  fallback: LocalRange,
  maxDays: number,
): LocalRange {
  const from = q.from ?? fallback.from;
  const to = q.to ?? fallback.to;
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    const parsed = parseLocalDate(value, field);
    if (!parsed.ok) throw invalid(field, parsed.error.messageEn, parsed.error.message);
  }
  if (to < from)
    throw invalid('to', '`to` must not be before `from`.', 'Ngày kết thúc không được trước ngày bắt đầu.');
  if (daysBetween(from, to) + 1 > maxDays) {
    throw invalid(
      'to',
      `Ask for at most ${maxDays} days at a time.`,
      `Mỗi lần chỉ xem tối đa ${maxDays} ngày.`,
    );
  }
  return { from, to };
}
