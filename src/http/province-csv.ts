import type { Context } from 'hono';
import { PRIORITY_LABEL_VI } from '../domain/schedule/types.js';
import type { ProvinceAirTime, ProvinceRollup } from '../services/reports.service.js';
import { csvResponse, toCsv, type CsvOptions } from './csv.js';

const ROLLUP_HEADERS = {
  keys: [
    'commune_id',
    'commune',
    'commune_code',
    'receivers_online',
    'receivers_total',
    'scheduled',
    'expected',
    'played',
    'failed',
    'missed',
    'offline',
    'rate',
    // Added after the others, so that programs reading columns by position keep working.
    'interrupted',
  ],
  vi: [
    'Mã xã',
    'Xã',
    'Mã số xã',
    'Cụm loa trực tuyến',
    'Tổng số cụm loa',
    'Đã lên lịch',
    'Lượt cần phát',
    'Đã phát',
    'Phát lỗi',
    'Bị lỡ',
    'Mất kết nối',
    'Tỉ lệ phát',
    'Bị dừng giữa chừng',
  ],
} as const;

const AIR_TIME_HEADERS = {
  keys: ['commune_id', 'commune', 'month', 'category', 'level', 'airings', 'air_time_s'],
  vi: ['Mã xã', 'Xã', 'Tháng', 'Loại tin', 'Mức', 'Lượt phát', 'Thời lượng (phút)'],
} as const;

/**
 * The province's roll-up as a spreadsheet (the API's `Accept: text/csv` and the page's downloads): one
 * row per commune; with Vietnamese headers, for people, a last row "Toàn tỉnh" adds them up (programs
 * get the communes alone, so that summing a column counts each once).
 */
export function rollupCsv(c: Context, rollup: ProvinceRollup, options: CsvOptions): Response {
  const rows: (string | number | null)[][] = rollup.communes.map((r) => [
    r.communeId,
    r.communeName,
    r.communeCode,
    r.receivers.online,
    r.receivers.total,
    r.scheduled,
    r.expected,
    r.played,
    r.failed,
    r.missed,
    r.offline,
    r.rate,
    r.interrupted,
  ]);
  if (options.header === 'vi') {
    const t = rollup.total;
    rows.push([
      null,
      'Toàn tỉnh',
      null,
      t.receivers.online,
      t.receivers.total,
      t.scheduled,
      t.expected,
      t.played,
      t.failed,
      t.missed,
      t.offline,
      t.rate,
      t.interrupted,
    ]);
  }
  const excel = options.dialect.separator === ';' ? '-excel' : '';
  return csvResponse(
    c,
    toCsv(ROLLUP_HEADERS[options.header], rows, options.dialect),
    `province-rollup-${rollup.from}-${rollup.to}${excel}.csv`,
  );
}

/**
 * Air time per commune, month, category and level as a spreadsheet: seconds for programs, minutes with
 * one decimal for people, and the level in Vietnamese with Vietnamese headers.
 */
export function airTimeCsv(c: Context, airTime: ProvinceAirTime, options: CsvOptions): Response {
  const vi = options.header === 'vi';
  const rows = airTime.communes.map((r) => [
    r.communeId,
    r.communeName,
    r.month,
    r.category,
    vi ? PRIORITY_LABEL_VI[r.priority] : r.priority,
    r.airings,
    vi ? Math.round(r.airTimeMs / 6000) / 10 : Math.round(r.airTimeMs / 1000),
  ]);
  const excel = options.dialect.separator === ';' ? '-excel' : '';
  return csvResponse(
    c,
    toCsv(AIR_TIME_HEADERS[options.header], rows, options.dialect),
    `province-air-time-${airTime.from}-${airTime.to}${excel}.csv`,
  );
}
