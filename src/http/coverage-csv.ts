import type { Context } from 'hono';
import { utcToLocal } from '../domain/schedule/index.js';
import type { CoverageReport } from '../services/reports.service.js';
import { toCsv } from './csv.js';

/**
 * The coverage report as a spreadsheet (UTF-8 with a BOM, formula guard), named by the commune's own
 * dates: the API's `Accept: text/csv` answer and the report page's download are this one presenter.
 * One table with both levels: each hamlet's summary row (`level` = hamlet), then a row per receiver of
 * it (`level` = receiver), so a filter on the first column gives either list.
 */
export function coverageCsv(c: Context, report: CoverageReport): Response {
  const rows = report.hamlets.flatMap((h) => [
    [
      'hamlet',
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
    ],
    ...report.receivers
      .filter((r) => r.hamletId === h.hamletId)
      .map((r) => [
        'receiver',
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
      ]),
  ]);
  const csv = toCsv(
    [
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
    ],
    rows,
  );
  // `to` is exclusive, so the last day is the one before it.
  const day = (ms: number) => utcToLocal(ms, report.timeZone).date;
  const name = `coverage-${day(Date.parse(report.from))}-${day(Date.parse(report.to) - 1)}.csv`;
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
  });
}
