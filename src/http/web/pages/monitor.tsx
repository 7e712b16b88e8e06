import { Hono, type Context } from 'hono';
import { addDays, formatLocalEn, formatLocalVi, utcToLocal } from '../../../domain/schedule/index.js';
import type { PlaybackView } from '../../../services/monitoring.service.js';
import type { ReceiverView } from '../../../services/receivers.service.js';
import { RejectionReasonSchema } from '../../../domain/announcement.js';
import { gate } from '../../middleware/gate.js';
import { checkInput } from '../input.js';
import { communeOf, formatNumber, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { CommandInputSchema } from '../../../domain/receiver/command.js';
import { AlarmList, commandOfForm, RemoteControl } from './remote-control.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, notices, occurrenceTone, ReceiverState } from '../ui.js';
import { FormError } from '../form-fields.js';
import { shownIn } from './announcement-parts.js';
import { ApprovalItem } from './approval.js';
import { CoverageTable } from './coverage-tables.js';
import { airedCount } from './playback-table.js';

/** Today's airings, each linked to its page with every box's status: how many boxes aired it. */
function TodayList({
  p,
  items,
  hamletName,
  timeZone,
}: {
  p: PageContext;
  items: readonly PlaybackView[];
  hamletName: (id: string) => string;
  timeZone: string;
}) {
  const m = p.m;
  if (items.length === 0) return <p>{m.noOccurrencesToday}</p>;
  return (
    <ul class="list">
      {items.map((o) => (
        <li data-occurrence={o.id}>
          <a href={paths.occurrencePlayback(o.id)}>
            <strong>{`${utcToLocal(Date.parse(o.startsAt), timeZone).time} · ${o.title}`}</strong>
          </a>
          <p class="meta">
            {hamletName(o.hamletId)} · <Badge tone={occurrenceTone[o.status]}>{m.occurrence[o.status]}</Badge>{' '}
            · {m.airedOf(airedCount(o.receivers), o.receivers.length)}
          </p>
        </li>
      ))}
    </ul>
  );
}

function ReceiverTable({
  p,
  receivers,
  hamletName,
  timeZone,
}: {
  p: PageContext;
  receivers: readonly ReceiverView[];
  hamletName: (id: string) => string;
  timeZone: string;
}) {
  const m = p.m;
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">{m.receivers}</th>
            <th scope="col">{m.state}</th>
            <th scope="col">{m.lastSeen}</th>
            <th scope="col" class="num">
              {m.volume}
            </th>
            <th scope="col" class="num">
              {m.signal}
            </th>
          </tr>
        </thead>
        <tbody>
          {receivers.map((r) => (
            <tr>
              <th scope="row">
                <a href={paths.receiverDay(r.id)}>{r.name}</a>
                <br />
                <span class="meta">{hamletName(r.hamletId)}</span>
              </th>
              <td>
                <ReceiverState m={m} disabled={r.disabledAt !== null} online={r.health.online} />
              </td>
              <td data-label={m.lastSeen}>{r.lastSeenAt ? at(r.lastSeenAt) : m.never}</td>
              <td class="num" data-label={m.volume}>
                {r.health.volume === null ? m.none : `${r.health.volume} %`}
              </td>
              <td class="num" data-label={m.signal}>
                {r.health.signal === null ? m.none : `${r.health.signal} dBm`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function monitorRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  async function renderMonitor(
    c: Context,
    reject?: { id: string; reason: string; problem: FormProblem },
    control?: { values: FormValues; problem: FormProblem },
    refused?: string,
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    const names = new Map(hamlets.map((h) => [h.id, h.name]));
    const hamletName = (id: string | null) => (id ? (names.get(id) ?? id) : p.m.wholeCommune);
    const today = utcToLocal(clock.now().getTime(), commune.timeZone);
    const monday = addDays(today.date, -((today.weekday + 6) % 7));
    const pending = (await services.announcements.list(ctx, { approval: 'pending', limit: 100 })).items;
    const airingsAfter = c.req.query('sau');
    const [day, week, receivers, space, airings, alarms, commands] = await Promise.all([
      services.reports.coverage(ctx, { from: today.date, to: addDays(today.date, 1) }),
      services.reports.coverage(ctx, { from: monday, to: addDays(monday, 7) }),
      services.receivers.list(ctx, { limit: 200 }),
      services.monitoring.mediaSpace(),
      services.monitoring.playback(ctx, {
        from: today.date,
        to: addDays(today.date, 1),
        limit: 200,
        // A busy day has more airings than one page lists: "Xem tiếp" carries on from the last one shown.
        ...(airingsAfter && { cursor: airingsAfter }),
      }),
      services.receiverAlarms.listOpen(ctx),
      services.receiverCommands.listCommune(ctx, 20),
    ]);
    const receiverNames = new Map(
      receivers.items.map((r) => [r.id, `${r.name} · ${hamletName(r.hamletId)}`]),
    );
    const mb = (bytes: number) => formatNumber(Math.floor(bytes / 1_048_576), p.lang, 0);
    return sendPage(
      c,
      <Layout p={p} title={p.m.monitorTitle} notice={notices(p.m)[c.req.query('tb') ?? '']}>
        {space.low && space.freeBytes !== null ? (
          <p class="warning" role="alert" id="low-disk">
            {p.m.lowDisk(mb(space.freeBytes), mb(space.minFreeBytes))}
          </p>
        ) : null}
        <p class="actions">
          <a class="button danger" href={paths.emergency}>
            {p.m.emergencyTitle}
          </a>
          <a class="button secondary" href={paths.coverage}>
            {p.m.coverageTitle}
          </a>
          <a class="button secondary" href={paths.disaster}>
            {p.m.disasterTitle}
          </a>
        </p>
        <Section title={`${p.m.remote.alarmsTitle} (${alarms.length})`} id="alarms">
          <AlarmList
            p={p}
            alarms={alarms}
            receiverName={(id) => receiverNames.get(id) ?? id}
            timeZone={commune.timeZone}
          />
        </Section>
        <Section title={`${p.m.approvalQueue} (${pending.length})`} id="queue">
          {/* Above the queue: the announcement someone else decided has left it. */}
          <FormError message={refused} />
          {pending.length === 0 ? <p>{p.m.noPending}</p> : null}
          <ul class="list">
            {pending.map((a) => (
              <ApprovalItem
                p={p}
                a={a}
                hamletName={hamletName(a.hamletId)}
                timeZone={commune.timeZone}
                languageLabel={(code) => languageName(commune, code)}
                reject={reject?.id === a.id ? reject : undefined}
              />
            ))}
          </ul>
        </Section>
        <Section title={p.m.today} id="today">
          <CoverageTable p={p} rows={day.hamlets} caption={p.m.today} />
          <p class="meta">{p.m.coverageRule}</p>
        </Section>
        <Section title={p.m.todayPlayback} id="airings">
          <TodayList
            p={p}
            items={airings.items}
            hamletName={(id) => hamletName(id)}
            timeZone={commune.timeZone}
          />
          {airingsAfter || airings.nextCursor ? (
            <p class="actions">
              {airingsAfter ? <a href={`${paths.monitor}#airings`}>{p.m.fromStartOfDay}</a> : null}
              {airings.nextCursor ? (
                <a href={`${paths.monitor}?sau=${encodeURIComponent(airings.nextCursor)}#airings`}>
                  {p.m.laterAirings}
                </a>
              ) : null}
            </p>
          ) : null}
        </Section>
        <Section title={p.m.week} id="week">
          <CoverageTable p={p} rows={week.hamlets} caption={p.m.week} />
        </Section>
        <Section title={p.m.receivers} id="receivers">
          <ReceiverTable
            p={p}
            receivers={receivers.items}
            hamletName={(id) => hamletName(id)}
            timeZone={commune.timeZone}
          />
        </Section>
        <Section title={p.m.remote.title} id="remote">
          <RemoteControl
            p={p}
            receivers={receivers.items}
            hamlets={hamlets}
            commands={commands}
            timeZone={commune.timeZone}
            problem={control?.problem}
            values={control?.values}
            preselect={c.req.query('lenh')}
          />
        </Section>
      </Layout>,
      reject?.problem.status ?? control?.problem.status ?? (refused ? 409 : 200),
    );
  }

  const approver = gate('announcement.approve');

  app.get(paths.monitor, approver, (c) => renderMonitor(c));

  app.post('/giam-sat/duyet/:id', approver, async (c) => {
    const ctx = signedIn(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      await services.announcements.decide(ctx, id, 'approved', null, many(form, 'variantId'), shownIn(form));
    } catch (error) {
      // Someone decided meanwhile (409): said above the queue. Anything else as any page says it.
      const problem = problemOf(error, pageContext(c).lang);
      if (problem.status !== 409) throw error;
      return renderMonitor(c, undefined, undefined, problem.general);
    }
    return seeOther(c, paths.monitor, 'approved');
  });

  app.post(paths.remoteControl, gate('receiver.control'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const values = await readForm(c);
    const { target, input } = commandOfForm(values);
    const checked = checkInput(CommandInputSchema, input, p);
    if (!checked.ok) return renderMonitor(c, undefined, { values, problem: checked.problem });
    try {
      const [kind, id] = [target.slice(0, 2), target.slice(2)];
      if (kind === 'h:') await services.receiverCommands.issueToHamlet(ctx, id, checked.value);
      else await services.receiverCommands.issueToReceiver(ctx, id, checked.value);
      return seeOther(c, paths.monitor, 'commandSent');
    } catch (error) {
      return renderMonitor(c, undefined, {
        values,
        problem: problemOf(error, p.lang, { hamletId: 'target' }),
      });
    }
  });

  app.post('/giam-sat/tu-choi/:id', approver, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const reason = one(form, 'reason');
    const input = checkInput(RejectionReasonSchema, { reason }, p);
    if (!input.ok) return renderMonitor(c, { id, reason, problem: input.problem });
    try {
      const decided = await services.announcements.decide(
        ctx,
        id,
        'rejected',
        input.value.reason,
        undefined,
        shownIn(form),
      );
      return seeOther(c, paths.monitor, decided.cancelledOccurrences > 0 ? 'rejectedOffAir' : 'rejected');
    } catch (error) {
      return renderMonitor(c, { id, reason, problem: problemOf(error, p.lang) });
    }
  });

  return app;
}
