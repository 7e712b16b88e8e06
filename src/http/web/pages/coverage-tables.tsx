import type { AiringCounts } from '../../../domain/receiver/coverage-report.js';
import type { CoverageRow } from '../../../services/reports.service.js';
import type { ReceiverCoverage } from '../../../domain/receiver/coverage-report.js';
import { formatNumber } from '../commune.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge } from '../ui.js';

/** A count with a word and a colour; a zero stays plain so that problems stand out. */
function Count({ n, tone, label }: { n: number; tone: 'ok' | 'bad' | 'warn' | 'info'; label: string }) {
  return n > 0 ? <Badge tone={tone}>{`${n} ${label.toLowerCase()}`}</Badge> : <span class="meta">0</span>;
}

/** The airing columns shared by the hamlet and the receiver tables, in one order. */
export function AiringCells({ p, c }: { p: PageContext; c: AiringCounts }) {
  const m = p.m;
  return (
    <>
      <td data-label={m.expectedCount} class="num">
        {c.expected}
      </td>
      <td data-label={m.playedCount}>
        <Count n={c.played} tone="ok" label={m.playedCount} />
      </td>
      <td data-label={m.failedCount}>
        <Count n={c.failed} tone="bad" label={m.failedCount} />
      </td>
      <td data-label={m.missedCount}>
        <Count n={c.missed} tone="warn" label={m.missedCount} />
      </td>
      <td data-label={m.offlineCount}>
        <Count n={c.offline} tone="bad" label={m.offlineCount} />
      </td>
      <td class="num" data-label={m.rate}>
        {c.rate === null ? m.none : `${formatNumber(c.rate * 100, p.lang, 0)} %`}
      </td>
      {/* After the rate: these are not among the airings expected. */}
      <td data-label={m.interruptedCount}>
        <Count n={c.interrupted} tone="info" label={m.interruptedCount} />
      </td>
    </>
  );
}

export function AiringHeadings({ p }: { p: PageContext }) {
  const m = p.m;
  return (
    <>
      <th scope="col" class="num">
        {m.expectedCount}
      </th>
      <th scope="col">{m.playedCount}</th>
      <th scope="col">{m.failedCount}</th>
      <th scope="col">{m.missedCount}</th>
      <th scope="col">{m.offlineCount}</th>
      <th scope="col" class="num">
        {m.rate}
      </th>
      <th scope="col">{m.interruptedCount}</th>
    </>
  );
}

/**
 * Coverage per hamlet: its occurrences, and its boxes' airings (each box expected to air an item
 * counts once), so three boxes offline out of six show as 50 %, not as "played".
 */
export function CoverageTable({
  p,
  rows,
  caption,
}: {
  p: PageContext;
  rows: readonly CoverageRow[];
  caption: string;
}) {
  const m = p.m;
  return (
    <div class="table-wrap">
      <table class="stack" data-coverage="hamlets">
        <caption class="meta">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.hamlet}</th>
            <th scope="col">{m.scheduledCount}</th>
            <AiringHeadings p={p} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-hamlet={r.hamletId}>
              <th scope="row">{r.hamletName}</th>
              <td data-label={m.scheduledCount}>
                <Count n={r.scheduled} tone="info" label={m.scheduledCount} />
              </td>
              <AiringCells p={p} c={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Coverage per receiver; a name opens the box's day log (the report's last day). */
export function ReceiverCoverageTable({
  p,
  rows,
  hamletName,
  date,
}: {
  p: PageContext;
  rows: readonly ReceiverCoverage[];
  hamletName: (id: string) => string;
  date: string;
}) {
  const m = p.m;
  return (
    <div class="table-wrap">
      <table class="stack" data-coverage="receivers">
        <thead>
          <tr>
            <th scope="col">{m.receivers}</th>
            <AiringHeadings p={p} />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-receiver={r.receiverId}>
              <th scope="row">
                <a href={paths.receiverDay(r.receiverId, date)}>{r.name}</a>
                <br />
                <span class="meta">{hamletName(r.hamletId)}</span>
              </th>
              <AiringCells p={p} c={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
