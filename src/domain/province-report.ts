import { sumAirings, type AiringCounts } from './receiver/coverage-report.js';
import { onlineWindowMs } from './receiver/health.js';
import { addDays, localToUtc } from './schedule/time-zone.js';
import { priorityRank, type LocalDate, type Priority } from './schedule/types.js';

/**
 * What the province reads about its communes (báo cáo tỉnh): receivers online, coverage counted per
 * receiver by the communes' own rule, air time per month, and the state of every device. The numbers
 * come from the same kernel rules as the commune reports; only the grouping is the province's.
 */

/** A day (`YYYY-MM-DD`) or a month (`YYYY-MM`) on one commune's wall clock, as UTC instants [from, to). */
export interface LocalPeriod {
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The periods of the communes that keep one time zone: the database counts an airing in the period its
 * start falls in on that zone's clock, so that 06:00 in Vietnam (23:00 UTC the day before) is on its
 * own day, for every commune of a province whatever its zone.
 */
export interface ZonePeriods {
  readonly timeZone: string;
  /** Contiguous, oldest first. */
  readonly periods: readonly LocalPeriod[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const monthOf = (date: LocalDate) => date.slice(0, 7);
const firstOfNextMonth = (date: LocalDate): LocalDate => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/**
 * The local days or months from `from` to `to` (both dates included) in `timeZone`, each as UTC
 * instants. Months are cut at the range's ends, so that "this month" up to today counts no day after.
 * @example localPeriods('Asia/Ho_Chi_Minh', '2026-11-30', '2026-12-01', 'month')
 * // → [{ label: '2026-11', from: '2026-11-29T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z' },
 * //    { label: '2026-12', from: '2026-11-30T17:00:00.000Z', to: '2026-12-01T17:00:00.000Z' }]
 */
export function localPeriods(
  timeZone: string,
  from: LocalDate,
  to: LocalDate,
  unit: 'day' | 'month',
): readonly LocalPeriod[] {
  const end = addDays(to, 1);
  const periods: LocalPeriod[] = [];
  for (let start = from; start < end;) {
    const next = unit === 'day' ? addDays(start, 1) : firstOfNextMonth(start);
    const stop = next < end ? next : end;
    periods.push({
      label: unit === 'day' ? start : monthOf(start),
      from: iso(localToUtc(start, '00:00', timeZone)),
      to: iso(localToUtc(stop, '00:00', timeZone)),
    });
    start = stop;
  }
  return periods;
}

/** The periods of each time zone among `timeZones` (the zones of a province's communes). */
export function zonePeriods(
  timeZones: readonly string[],
  from: LocalDate,
  to: LocalDate,
  unit: 'day' | 'month',
): readonly ZonePeriods[] {
  return [...new Set(timeZones)].sort().map((timeZone) => ({
    timeZone,
    periods: localPeriods(timeZone, from, to, unit),
  }));
}

/** One commune of the province over a period: its boxes now, and its coverage as its own report counts it. */
export interface CommuneRollup extends AiringCounts {
  readonly communeId: string;
  readonly communeName: string;
  readonly communeCode: string;
  /** Enabled receivers, and how many of them sent a heartbeat within the online window. */
  readonly receivers: { readonly online: number; readonly total: number };
  /**
   * Occurrences scheduled in the period (cancelled ones left out), whatever became of them, in the hamlets
   * the commune still has: a deleted hamlet leaves its own report, and so leaves this.
   */
  readonly scheduled: number;
}

/** The province's line under the communes: their boxes and airings added up, rate recomputed. */
export function rollupTotal(
  rows: readonly CommuneRollup[],
): AiringCounts & Pick<CommuneRollup, 'receivers' | 'scheduled'> {
  return {
    receivers: {
      online: rows.reduce((n, r) => n + r.receivers.online, 0),
      total: rows.reduce((n, r) => n + r.receivers.total, 0),
    },
    scheduled: rows.reduce((n, r) => n + r.scheduled, 0),
    ...sumAirings(rows),
  };
}

/** Sources of air time that are not an announcement of the commune: a relay of national radio. */
export const RELAY_CATEGORY = 'relay';

/**
 * Air time of one commune in one local month, for one category (announcements.category, or `relay`)
 * and one level: the occurrences that aired (a box reported starting them) and their length.
 */
export interface AirTimeRow {
  readonly communeId: string;
  readonly month: string;
  readonly category: string;
  readonly priority: Priority;
  readonly airings: number;
  readonly airTimeMs: number;
}

/** Air time of the whole province in one month, for one category and one level. */
export type AirTimeTotal = Omit<AirTimeRow, 'communeId'>;

/**
 * The communes' air time added up per month, category and level; by month, then category, then level
 * from normal to emergency.
 * @example airTimeTotals([{ communeId: 'a', month: '2026-11', category: 'y-te', priority: 'normal', airings: 2, airTimeMs: 60_000 },
 *   { communeId: 'b', month: '2026-11', category: 'y-te', priority: 'normal', airings: 1, airTimeMs: 30_000 }])
 * // → [{ month: '2026-11', category: 'y-te', priority: 'normal', airings: 3, airTimeMs: 90_000 }]
 */
export function airTimeTotals(rows: readonly AirTimeRow[]): readonly AirTimeTotal[] {
  const totals = new Map<string, { -readonly [K in keyof AirTimeTotal]: AirTimeTotal[K] }>();
  for (const r of rows) {
    const key = `${r.month}\u0000${r.category}\u0000${r.priority}`;
    const t = totals.get(key);
    if (t) {
      t.airings += r.airings;
      t.airTimeMs += r.airTimeMs;
    } else {
      totals.set(key, {
        month: r.month,
        category: r.category,
        priority: r.priority,
        airings: r.airings,
        airTimeMs: r.airTimeMs,
      });
    }
  }
  return [...totals.values()].sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      a.category.localeCompare(b.category) ||
      priorityRank(a.priority) - priorityRank(b.priority),
  );
}

/** How a device stands now, as the province's export says it. */
export const DEVICE_STATES = ['online', 'offline', 'disabled', 'never_seen'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** A receiver as the province's information-source system reads it. */
export interface DeviceRecord {
  readonly receiverId: string;
  readonly receiverName: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly createdAt: string;
  readonly disabledAt: string | null;
  readonly lastSeenAt: string | null;
  /** The first heartbeat of its current online stretch, when known. */
  readonly onlineSince: string | null;
  readonly agentVersion: string | null;
}

/**
 * Its state and since when: online since the first heartbeat of its current stretch; offline since its
 * last heartbeat stopped keeping it online (one online window after it, the receiver list's own rule);
 * disabled since it was disabled; never seen since it was made.
 * @example deviceState({ lastSeenAt: '2026-11-27T01:00:00.000Z', … }, Date.parse('2026-11-27T01:05:00Z'))
 * // → { state: 'offline', since: '2026-11-27T01:02:00.000Z' }
 */
export function deviceState(
  d: Pick<DeviceRecord, 'disabledAt' | 'lastSeenAt' | 'onlineSince' | 'createdAt'>,
  nowMs: number,
): { readonly state: DeviceState; readonly since: string | null } {
  if (d.disabledAt) return { state: 'disabled', since: d.disabledAt };
  if (!d.lastSeenAt) return { state: 'never_seen', since: d.createdAt };
  const offlineAt = Date.parse(d.lastSeenAt) + onlineWindowMs();
  return offlineAt >= nowMs
    ? { state: 'online', since: d.onlineSince }
    : { state: 'offline', since: iso(offlineAt) };
}

/** Coverage of one commune on one local day: the export's playback statistics. */
export interface CommuneDay extends AiringCounts {
  readonly communeId: string;
  readonly date: LocalDate;
  readonly scheduled: number;
}
