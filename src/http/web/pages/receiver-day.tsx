import { Hono } from 'hono';
import { addDays, utcToLocal } from '../../../domain/schedule/index.js';
import type { ReceiverDay } from '../../../services/monitoring.service.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { problemOf, type FormProblem } from '../forms.js';
import { pageContext, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section } from '../ui.js';
import { FormError, TextField } from '../form-fields.js';
import { clockTime, PlaybackState } from './playback-table.js';

/** Online and offline stretches of the day, as local times; the day's end reads 24:00. */
function Spans({ p, day, timeZone }: { p: PageContext; day: ReceiverDay; timeZone: string }) {
  const m = p.m;
  const hhmm = (iso: string) => (iso === day.to ? '24:00' : utcToLocal(Date.parse(iso), timeZone).time);
  if (day.spans.length === 0) return <p class="meta">{m.none}</p>;
  return (
    <ul class="list" data-spans>
      {day.spans.map((s) => (
        <li>
          <span class="span-time">{`${hhmm(s.from)}–${hhmm(s.to)}`}</span>{' '}
          <Badge tone={s.online ? 'ok' : 'bad'}>{s.online ? m.onlineSpan : m.offlineSpan}</Badge>
        </li>
      ))}
    </ul>
  );
}

/** What the box did with each occurrence of its hamlet that day. */
function Items({ p, day, timeZone }: { p: PageContext; day: ReceiverDay; timeZone: string }) {
  const m = p.m;
  if (day.items.length === 0) return <p>{m.nothingThatDay}</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">{m.time}</th>
            <th scope="col">{m.announcement}</th>
            <th scope="col">{m.state}</th>
            <th scope="col">{m.startedAt}</th>
            <th scope="col">{m.endedAt}</th>
            <th scope="col">{m.audioHash}</th>
          </tr>
        </thead>
        <tbody>
          {day.items.map(({ occurrence: o, playback: r }) => (
            <tr data-occurrence={o.id}>
              <td data-label={m.time}>{utcToLocal(Date.parse(o.startsAt), timeZone).time}</td>
              <th scope="row">
                <a href={paths.occurrencePlayback(o.id)}>{o.title}</a>
              </th>
              <td data-label={m.state}>
                <PlaybackState p={p} r={r} />
              </td>
              <td class="time" data-label={m.startedAt}>
                {r.startedAt ? clockTime(r.startedAt, timeZone) : m.none}
              </td>
              <td class="time" data-label={m.endedAt}>
                {r.endedAt ? clockTime(r.endedAt, timeZone) : m.none}
              </td>
              <td data-label={m.audioHash}>
                {r.sha256s.length > 0 ? r.sha256s.map((h) => <code class="hash">{h}</code>) : m.none}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `/giam-sat/cum-loa/:id?ngay=YYYY-MM-DD`: one receiver's day, from its heartbeats and its reports. */
export function receiverDayRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  app.get('/giam-sat/cum-loa/:id', gate('playback.read'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const m = p.m;
    const id = c.req.param('id');
    const date = c.req.query('ngay') || (await services.monitoring.today(ctx));
    const [commune, hamlets] = await Promise.all([communeOf(services, ctx), hamletsOf(services, ctx)]);
    let day: ReceiverDay | undefined;
    let problem: FormProblem | undefined;
    try {
      day = await services.monitoring.receiverDay(ctx, id, date);
    } catch (error) {
      problem = problemOf(error, p.lang, { date: 'ngay' });
      // Only a bad date is shown on the form; a missing or forbidden receiver is the error page.
      if (!problem.fields.ngay) throw error;
    }
    const tz = commune.timeZone;
    const valid = day !== undefined;
    const name = day?.receiver.name ?? id;
    return sendPage(
      c,
      <Layout p={p} title={m.receiverDayTitle(name)}>
        {day ? (
          <dl class="facts">
            <dt>{m.hamlet}</dt>
            <dd>{hamlets.find((h) => h.id === day.receiver.hamletId)?.name ?? day.receiver.hamletId}</dd>
          </dl>
        ) : null}
        <form method="get" action={paths.receiverDay(id)}>
          <FormError message={problem?.general} />
          <TextField name="ngay" type="date" label={m.date} value={date} error={problem?.fields.ngay} />
          <div class="actions">
            <button type="submit">{m.show}</button>
            {valid ? (
              <>
                <a class="button secondary" href={paths.receiverDay(id, addDays(date, -1))}>
                  {m.prevDay}
                </a>
                <a class="button secondary" href={paths.receiverDay(id, addDays(date, 1))}>
                  {m.nextDay}
                </a>
              </>
            ) : null}
          </div>
        </form>
        {day ? (
          <>
            <Section title={m.connection} id="connection">
              <Spans p={p} day={day} timeZone={tz} />
            </Section>
            <Section title={m.playbackThatDay} id="items">
              <Items p={p} day={day} timeZone={tz} />
            </Section>
          </>
        ) : null}
      </Layout>,
      valid ? 200 : 400,
    );
  });

  return app;
}
