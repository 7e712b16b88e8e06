import type { Context } from 'hono';
import { utcToLocal } from '../domain/schedule/index.js';
import type { CoverageReport } from '../services/reports.service.js';
import { toCsv } from './csv.js';

/**
 * The coverage report as a spreadsheet (UTF-8 with a BOM, formula guard), named by the commune's own
 * dates: the API's `Accept: text/csv` answer and the report page's download are this one presenter.
 */
export function coverageCsv(c: Context, report: CoverageReport): Response {
  const csv = toCsv(
    ['hamlet_id', 'hamlet', 'scheduled', 'played', 'failed', 'missed', 'rate'],
    report.hamlets.map((h) => [h.hamletId, h.hamletName, h.scheduled, h.played, h.failed, h.missed, h.rate]),
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
