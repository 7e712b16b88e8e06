import { Hono, type Context } from 'hono';
import { PRIORITIES } from '../../../domain/schedule/types.js';
import { RELAY_CATEGORY, type AirTimeTotal } from '../../../domain/province-report.js';
import { formatDateVi } from '../../../domain/schedule/index.js';
import type { ProvinceAirTime, ProvinceRollup } from '../../../services/reports.service.js';
import { csvOptionsOf } from '../../csv.js';
import { gate } from '../../middleware/gate.js';
import { airTimeCsv, rollupCsv } from '../../province-csv.js';
import type { WebDeps } from '../deps.js';
import { problemOf, type FormProblem } from '../forms.js';
import { pageContext, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { provinceMessages, type ProvinceMessages } from '../province-messages.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { FormError, TextField } from '../form-fields.js';
import { bulletinMessages } from '../bulletin-messages.js';
import { AiringCells, AiringHeadings } from './coverage-tables.js';

/** `tu`/`den` of the address as the services' `from`/`to` (local dates; the service defaults them). */
const rangeQuery = (c: Context) => ({
  from: c.req.query('tu') || undefined,
  to: c.req.query('den') || undefined,
});

/** Air time as people say it: "2 giờ 5 phút", or seconds under a minute. */
function airTimeText(ms: number, p: PageContext, pm: ProvinceMessages): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return p.lang === 'vi' ? `${s} giây` : `${s} s`;
  const minutes = Math.round(s / 60);
  return pm.hoursMinutes(Math.floor(minutes / 60), minutes % 60);
}

function CommunesTable({ p, pm, rollup }: { p: PageContext; pm: ProvinceMessages; rollup: ProvinceRollup }) {
  const m = p.m;
  const t = rollup.total;
  return (
    <div class="table-wrap">
      <table class="stack" data-rollup="communes">
        <caption class="sr-only">{pm.coverageTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{pm.commune}</th>
            <th scope="col" class="num" title={pm.onlineHint}>
              {pm.receiversOnline}
            </th>
            <th scope="col" class="num">
              {m.scheduledCount}
            </th>
            <AiringHeadings p={p} />
          </tr>
        </thead>
        <tbody>
          {rollup.communes.map((r) => (
            <tr data-commune={r.communeId}>
              <th scope="row">{r.communeName}</th>
              <td class="num" data-label={pm.receiversOnline}>
                {pm.receiversOnlineNow(r.receivers.online, r.receivers.total)}
              </td>
              <td class="num" data-label={m.scheduledCount}>
                {r.scheduled}
              </td>
              <AiringCells p={p} c={r} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-commune="total">
            <th scope="row">{pm.wholeProvince}</th>
            <td class="num" data-label={pm.receiversOnline}>
              {pm.receiversOnlineNow(t.receivers.online, t.receivers.total)}
            </td>
            <td class="num" data-label={m.scheduledCount}>
              {t.scheduled}
            </td>
            <AiringCells p={p} c={t} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** Per month, a row per category with the air time of each level and their total. */
function AirTimeTable({
  p,
  pm,
  airTime,
}: {
  p: PageContext;
  pm: ProvinceMessages;
  airTime: ProvinceAirTime;
}) {
  const m = p.m;
  if (airTime.total.length === 0) return <p class="meta">{pm.noAirTime}</p>;
  const categoryName = (c: string) => (c === RELAY_CATEGORY ? pm.relay : (m.categories[c] ?? c));
  const monthName = (month: string) => (p.lang === 'vi' ? `${month.slice(5)}/${month.slice(0, 4)}` : month);
  const cell = (rows: readonly AirTimeTotal[]) => {
    const ms = rows.reduce((n, r) => n + r.airTimeMs, 0);
    const airings = rows.reduce((n, r) => n + r.airings, 0);
    return airings === 0 ? (
      <span class="meta">0</span>
    ) : (
      <>
        {airTimeText(ms, p, pm)} <span class="meta">({airings})</span>
      </>
    );
  };
  return (
    <div class="table-wrap">
      <table class="stack" data-rollup="air-time">
        <thead>
          <tr>
            <th scope="col">{pm.month}</th>
            <th scope="col">{pm.category}</th>
            {PRIORITIES.map((level) => (
              <th scope="col" class="num">
                {m.priority[level]}
              </th>
            ))}
            <th scope="col" class="num">
              {pm.total}
            </th>
          </tr>
        </thead>
        <tbody>
          {airTime.months.flatMap((month) => {
            const rows = airTime.total.filter((r) => r.month === month);
            const categories = [...new Set(rows.map((r) => r.category))];
            return categories.map((category) => {
              const mine = rows.filter((r) => r.category === category);
              return (
                <tr data-month={month} data-category={category}>
                  <th scope="row">{monthName(month)}</th>
                  <td data-label={pm.category}>{categoryName(category)}</td>
                  {PRIORITIES.map((level) => (
                    <td class="num" data-label={m.priority[level]} data-level={level}>
                      {cell(mine.filter((r) => r.priority === level))}
                    </td>
                  ))}
                  <td class="num" data-label={pm.total}>
                    {cell(mine)}
                  </td>
                </tr>
              );
            });
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The province's roll-up for its staff (`/tinh/bao-cao`): every commune's boxes online now and its
 * coverage over the chosen days, then air time per month by category and level; the same figures as
 * CSV (also for Excel set to Vietnam) and JSON. The services do the counting; this only shows it.
 */

/** The province's bulletins of the range: each one's level and every target commune's status now. */
function RollupBulletins({ p, rollup }: { p: PageContext; rollup: ProvinceRollup }) {
  const bm = bulletinMessages[p.lang];
  if (rollup.bulletins.length === 0) return <p class="meta">{bm.noBulletins}</p>;
  const names = new Map(rollup.communes.map((c) => [c.communeId, c.communeName]));
  return (
    <Table headings={[bm.title, bm.level, bm.communes]}>
      {rollup.bulletins.map((b) => (
        <tr data-bulletin={b.bulletinId}>
          <th scope="row">
            <a href={paths.bulletin(b.bulletinId)}>{b.title}</a>
          </th>
          <td data-label={bm.level}>{bm.levels[b.level]}</td>
          <td data-label={bm.communes}>
            <ul class="list">
              {b.communes.map((c) => (
                <li data-commune={c.communeId} data-status={c.status}>
                  {`${names.get(c.communeId) ?? c.communeId}: `}
                  <Badge
                    tone={
                      c.status === 'aired'
                        ? 'ok'
                        : c.status === 'declined' || c.status === 'no_answer'
                          ? 'bad'
                          : 'info'
                    }
                  >
                    {bm.statuses[c.status]}
                  </Badge>
                  {c.airedReceivers > 0 ? (
                    <span class="meta">{` · ${bm.airedBy(c.airedReceivers)}`}</span>
                  ) : null}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function provinceReportRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();
  const read = gate('province.read');

  app.get(paths.provinceReport, read, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const bm = bulletinMessages[p.lang];
    const pm = provinceMessages[p.lang];
    const m = p.m;
    const q = rangeQuery(c);
    let rollup: ProvinceRollup | undefined;
    let airTime: ProvinceAirTime | undefined;
    let problem: FormProblem | undefined;
    try {
      [rollup, airTime] = await Promise.all([
        services.reports.rollup(ctx, q),
        services.reports.airTime(ctx, q),
      ]);
    } catch (error) {
      problem = problemOf(error, p.lang, { from: 'tu', to: 'den' });
    }
    const from = rollup?.from ?? q.from ?? '';
    const to = rollup?.to ?? q.to ?? '';
    const query = `tu=${from}&den=${to}`;
    const label = (d: string) => (p.lang === 'vi' ? formatDateVi(d) : d);
    return sendPage(
      c,
      <Layout p={p} title={pm.reportTitle}>
        <section aria-label={pm.period}>
          <form method="get" action={paths.provinceReport}>
            <FormError
              message={
                problem ? (Object.keys(problem.fields).length > 0 ? m.fixBelow : problem.general) : undefined
              }
            />
            <div class="two">
              <TextField
                name="tu"
                type="date"
                label={m.from}
                value={from}
                error={problem?.fields.tu}
                autofocus={!!problem?.fields.tu}
              />
              <TextField
                name="den"
                type="date"
                label={m.to}
                value={to}
                error={problem?.fields.den}
                autofocus={!problem?.fields.tu && !!problem?.fields.den}
              />
            </div>
            <div class="actions">
              <button type="submit">{m.show}</button>
              {rollup ? (
                <>
                  <a class="button secondary" href={`${paths.provinceReportCsv}?${query}`} download>
                    {m.downloadCsv}
                  </a>
                  <a
                    class="button secondary"
                    href={`${paths.provinceReportCsv}?${query}&sep=semicolon`}
                    download
                  >
                    {m.downloadCsvExcel}
                  </a>
                  <a class="button secondary" href={`${paths.provinceReportJson}?${query}`} download>
                    {pm.downloadJson}
                  </a>
                </>
              ) : null}
            </div>
          </form>
        </section>
        {rollup && airTime ? (
          <>
            <Section title={`${pm.coverageTitle}: ${label(rollup.from)} – ${label(rollup.to)}`} id="communes">
              <CommunesTable p={p} pm={pm} rollup={rollup} />
              <p class="meta">{pm.coverageRule}</p>
            </Section>
            <Section title={bm.rollupTitle} id="bulletins">
              <RollupBulletins p={p} rollup={rollup} />
            </Section>
            <Section title={pm.airTimeTitle} id="air-time">
              <AirTimeTable p={p} pm={pm} airTime={airTime} />
              <p class="meta">{pm.airTimeRule}</p>
              <p class="actions">
                <a class="button secondary" href={`${paths.provinceAirTimeCsv}?${query}`} download>
                  {pm.downloadAirTimeCsv}
                </a>
                <a
                  class="button secondary"
                  href={`${paths.provinceAirTimeCsv}?${query}&sep=semicolon`}
                  download
                >
                  {m.downloadCsvExcel}
                </a>
              </p>
            </Section>
          </>
        ) : null}
      </Layout>,
      problem ? problem.status : 200,
    );
  });

  // The same reports and the same CSV presenter as the API's `Accept: text/csv`; Vietnamese headers.
  app.get(paths.provinceReportCsv, read, async (c) =>
    rollupCsv(c, await services.reports.rollup(signedIn(c), rangeQuery(c)), csvOptionsOf(c, 'vi')),
  );
  app.get(paths.provinceAirTimeCsv, read, async (c) =>
    airTimeCsv(c, await services.reports.airTime(signedIn(c), rangeQuery(c)), csvOptionsOf(c, 'vi')),
  );
  app.get(paths.provinceReportJson, read, async (c) => {
    const ctx = signedIn(c);
    const q = rangeQuery(c);
    const [rollup, airTime] = await Promise.all([
      services.reports.rollup(ctx, q),
      services.reports.airTime(ctx, q),
    ]);
    c.header(
      'Content-Disposition',
      `attachment; filename="province-report-${rollup.from}-${rollup.to}.json"`,
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ rollup, airTime });
  });

  return app;
}
