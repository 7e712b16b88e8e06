import { Hono, type Context } from 'hono';
import type { Commune } from '../../../domain/commune.js';
import {
  addDays,
  datesFrom,
  formatDateVi,
  parseLocalDate,
  utcToLocal,
} from '../../../domain/schedule/index.js';
import type { RequestContext } from '../../../domain/actor.js';
import { sumAirings } from '../../../domain/receiver/coverage-report.js';
import { RateChart, type DayRate } from '../chart.js';
import { coverageCsv, coverageCsvOptions } from '../../coverage-csv.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, formatNumber, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import type { PageContext } from '../page.js';
import { pageContext, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Layout, Section } from '../ui.js';
import { FormError, TextField } from '../form-fields.js';
import { MAX_RANGE_DAYS, outsideReportDays } from '../../../services/time-range.js';
import { CoverageTable, ReceiverCoverageTable } from './coverage-tables.js';

/** The longest range the page draws day by day; longer reports are one CSV away. */
const pageMaxDays = 92;

interface Range {
  readonly from: string;
  readonly to: string;
  readonly errors: Record<string, string>;
}

/**
 * `tu`/`den` from the address (local dates, both days included), defaulting to the last seven days, of at
 * most `maxDays` days: the page's, or the report's own for the CSV.
 */
function rangeOf(c: Context, commune: Commune, nowMs: number, p: PageContext, maxDays: number): Range {
  const today = utcToLocal(nowMs, commune.timeZone).date;
  const to = c.req.query('den') || today;
  const dayProblem = (value: string, field: string) => {
    const parsed = parseLocalDate(value, field);
    return outsideReportDays(value) ?? (parsed.ok ? undefined : parsed.error);
  };
  // A start worked out from a refused end would be refused for it (or be 1950 for 0050).
  const from = c.req.query('tu') || addDays(dayProblem(to, 'den') ? today : to, -6);
  const errors: Record<string, string> = {};
  for (const [field, value] of [
    ['tu', from],
    ['den', to],
  ] as const) {
    const problem = dayProblem(value, field);
    if (problem) errors[field] = p.lang === 'vi' ? problem.message : problem.messageEn;
  }
  if (!errors.tu && !errors.den) {
    if (from > to)
      errors.den =
        p.lang === 'vi' ? 'Ngày kết thúc phải sau ngày bắt đầu.' : 'The end must be after the start.';
    else if (Date.parse(to) - Date.parse(from) >= maxDays * 86_400_000) {
      const longerInCsv = maxDays < MAX_RANGE_DAYS;
      errors.den =
        p.lang === 'vi'
          ? `Mỗi lần ${longerInCsv ? 'xem' : 'tải'} tối đa ${maxDays} ngày${longerInCsv ? `; hãy tải CSV cho khoảng dài hơn (tối đa ${MAX_RANGE_DAYS} ngày)` : ''}.`
          : `At most ${maxDays} days at a time${longerInCsv ? `; download the CSV for a longer range (up to ${MAX_RANGE_DAYS} days)` : ''}.`;
    }
  }
  return { from, to, errors };
}

async function perDay(deps: WebDeps, ctx: RequestContext, from: string, to: string): Promise<DayRate[]> {
  return Promise.all(
    datesFrom(from, to).map(async (date) => {
      const report = await deps.services.reports.coverage(ctx, { from: date, to: addDays(date, 1) });
      const sum = sumAirings(report.hamlets);
      return { date, rate: sum.rate };
    }),
  );
}

export function coverageRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  app.get(paths.coverage, gate('report.read'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const commune = await communeOf(services, ctx);
    const range = rangeOf(c, commune, clock.now().getTime(), p, pageMaxDays);
    const ok = Object.keys(range.errors).length === 0;
    // A range too long to draw is still one to download.
    const csvOk =
      ok || Object.keys(rangeOf(c, commune, clock.now().getTime(), p, MAX_RANGE_DAYS).errors).length === 0;
    const report = ok
      ? await services.reports.coverage(ctx, { from: range.from, to: addDays(range.to, 1) })
      : undefined;
    const days = ok ? await perDay(deps, ctx, range.from, range.to) : [];
    const names = new Map((await hamletsOf(services, ctx)).map((h) => [h.id, h.name]));
    const label = (d: string) => (p.lang === 'vi' ? formatDateVi(d) : d);
    const query = `tu=${range.from}&den=${range.to}`;
    return sendPage(
      c,
      <Layout p={p} title={m.coverageTitle}>
        <section aria-label={m.coverageTitle}>
          <form method="get" action={paths.coverage}>
            <FormError message={ok ? undefined : m.fixBelow} />
            <div class="two">
              <TextField name="tu" type="date" label={m.from} value={range.from} error={range.errors.tu} />
              <TextField name="den" type="date" label={m.to} value={range.to} error={range.errors.den} />
            </div>
            <div class="actions">
              <button type="submit">{m.show}</button>
              {csvOk ? (
                <a class="button secondary" href={`${paths.coverageCsv}?${query}`} download>
                  {m.downloadCsv}
                </a>
              ) : null}
              {csvOk ? (
                <a class="button secondary" href={`${paths.coverageCsv}?${query}&sep=semicolon`} download>
                  {m.downloadCsvExcel}
                </a>
              ) : null}
            </div>
          </form>
        </section>
        {report ? (
          <>
            <Section title={`${label(range.from)} – ${label(range.to)}`} id="table">
              <CoverageTable p={p} rows={report.hamlets} caption={m.coverageTitle} />
              <p class="meta">{m.coverageRule}</p>
            </Section>
            <Section title={m.perReceiver} id="receivers">
              <ReceiverCoverageTable
                p={p}
                rows={report.receivers}
                hamletName={(id) => names.get(id) ?? id}
                date={range.to}
              />
            </Section>
            <Section title={m.perDay} id="chart">
              <RateChart
                days={days}
                noData={m.noData}
                label={`${m.perDay}: ${days
                  .map(
                    (d) =>
                      `${label(d.date)} ${d.rate === null ? m.noData : `${formatNumber(d.rate * 100, p.lang, 0)} %`}`,
                  )
                  .join('; ')}`}
              />
            </Section>
          </>
        ) : null}
      </Layout>,
      ok ? 200 : 400,
    );
  });

  // The same report and the same CSV presenter as the API's `Accept: text/csv`.
  app.get(paths.coverageCsv, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const commune = await services.communes.get(ctx);
    const range = rangeOf(c, commune, clock.now().getTime(), p, MAX_RANGE_DAYS);
    // Back to the page, which says what is wrong with the dates asked for.
    if (Object.keys(range.errors).length > 0)
      return c.redirect(`${paths.coverage}?${new URLSearchParams({ tu: range.from, den: range.to })}`, 303);
    return coverageCsv(
      c,
      await services.reports.coverage(ctx, { from: range.from, to: addDays(range.to, 1) }),
      coverageCsvOptions(c, 'vi'),
    );
  });

  return app;
}
