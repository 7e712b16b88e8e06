import type { BroadcastWhen } from '../../../domain/broadcast.js';
import type { Commune } from '../../../domain/commune.js';
import { formatDateVi, utcToLocal } from '../../../domain/schedule/index.js';
import type { PageContext } from '../page.js';

// Cadres count the week from Monday; cron counts from Sunday (0).
const mondayFirst = (days: readonly number[]) => [...days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));

// What the schedule page itself writes for "every week at a time": minute, hour and some weekdays.
const weeklyCron = /^(\d{1,2}) (\d{1,2}) \* \* ([0-6](?:,[0-6])*)$/;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A series in a few words, as the schedule shows it under each of its airings, e.g.
 * "Hằng tuần · Thứ bảy · Buổi chiều → 31/12" or "Hằng tuần · Thứ hai, Thứ năm · 06:30 → 10 lần";
 * an expression the page did not write is shown as it is. Null for what does not repeat.
 */
export function seriesLabel(when: BroadcastWhen, commune: Commune, p: PageContext): string | null {
  const r = when.recurrence;
  if (!r) return when.repeat && 'everyHours' in when.repeat ? p.m.repeating : null;
  const m = p.m;
  const end =
    r.until !== undefined
      ? ` ${m.untilDay(shortDate(Date.parse(r.until) - 1, commune.timeZone, p))}`
      : r.count !== undefined
        ? ` ${m.untilDay(m.timesCount(r.count))}`
        : '';
  const days = (list: readonly number[]) =>
    mondayFirst(list)
      .map((d) => m.weekdays[d])
      .join(', ');
  if (r.slot !== undefined) {
    const slot = commune.settings.slots.find((s) => s.name === r.slot);
    return `${m.weekly} · ${days(r.weekdays ?? [])} · ${slot?.label ?? r.slot}${end}`;
  }
  const cron = (r.cron ?? '').trim().split(/\s+/).join(' ');
  const weekly = weeklyCron.exec(cron);
  if (!weekly) return `${m.repeating} · ${cron}${end}`;
  const time = `${pad(Number(weekly[2]))}:${pad(Number(weekly[1]))}`;
  return `${m.weekly} · ${days(weekly[3]!.split(',').map(Number))} · ${time}${end}`;
}

/** A day as short as the schedule needs it: `31/12` in Vietnamese, `12-31` in English. */
function shortDate(ms: number, timeZone: string, p: PageContext): string {
  const date = utcToLocal(ms, timeZone).date;
  return p.lang === 'vi' ? formatDateVi(date).slice(0, 5) : date.slice(5);
}
