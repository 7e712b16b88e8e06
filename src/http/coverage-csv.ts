import type { Context } from 'hono';
import { utcToLocal } from '../domain/schedule/index.js';
import type { CoverageReport } from '../services/reports.service.js';
import { csvOptionsOf, csvResponse, toCsv, type CsvOptions } from './csv.js';

/** Which spreadsheet the file is for: column names and separator. */
export type CoverageCsvOptions = CsvOptions;

const HEADERS = {
  keys: [
    'level',
    'hamlet_id',
    'hamlet',
    'receiver_id',
    'receiver',
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
    'Cấp',
    'Mã thôn',
    'Thôn',
    'Mã cụm loa',
    'Cụm loa',
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

const LEVELS = {
  keys: { hamlet: 'hamlet', receiver: 'receiver' },
  vi: { hamlet: 'Thôn', receiver: 'Cụm loa' },
} as const;

/** The variant a request asks for (`csvOptionsOf`). */
export const coverageCsvOptions = csvOptionsOf;

/**
 * The coverage report as a spreadsheet (UTF-8 with a BOM, formula guard), named by the commune's own
 * dates: the API's `Accept: text/csv` answer and the report page's downloads are this one presenter.
 * One table with both levels: each hamlet's summary row (`level` = hamlet), then a row per receiver of
 * it (`level` = receiver), so a filter on the first column gives either list.
 */
export function coverageCsv(c: Context, report: CoverageReport, options: CoverageCsvOptions): Response {
  const level = LEVELS[options.header];
  const rows = report.hamlets.flatMap((h) => [
    [
      level.hamlet,
      h.hamletId,
      h.hamletName,
      null,
      null,
      h.scheduled,
      h.expected,
      h.played,
      h.failed,
      h.missed,
      h.offline,
      h.rate,
      h.interrupted,
    ],
    ...report.receivers
      .filter((r) => r.hamletId === h.hamletId)
      .map((r) => [
        level.receiver,
        h.hamletId,
        h.hamletName,
        r.receiverId,
        r.name,
        null,
        r.expected,
        r.played,
        r.failed,
        r.missed,
        r.offline,
        r.rate,
        r.interrupted,
      ]),
  ]);
  const csv = toCsv(HEADERS[options.header], rows, options.dialect);
  // `to` is exclusive, so the last day is the one before it.
  const day = (ms: number) => utcToLocal(ms, report.timeZone).date;
  const excel = options.dialect.separator === ';' ? '-excel' : '';
  const name = `coverage-${day(Date.parse(report.from))}-${day(Date.parse(report.to) - 1)}${excel}.csv`;
  return csvResponse(c, csv, name);
}
