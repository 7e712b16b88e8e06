import { Hono, type Context } from 'hono';
import { RISK_LEVEL_COLOURS, type RiskLevel } from '../../../domain/disaster.js';
import { formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import type { DisasterEventView } from '../../../services/disaster.service.js';
import { LoaError } from '../../../domain/errors.js';
import { isAllowed } from '../../../domain/policy.js';
import type { CapQueueItem } from '../../../domain/ports/repositories.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { disasterMessages } from '../disaster-messages.js';
import { problemOf } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section } from '../ui.js';
import { Csrf } from '../form-fields.js';

/** The level with the decision's colour (QĐ 18/2021: light blue, light yellow, orange, red, purple). */
export function RiskLevelBadge({ p, level }: { p: PageContext; level: RiskLevel }) {
  const colour = RISK_LEVEL_COLOURS[level];
  return (
    <span
      class="risk-level"
      data-risk-level={String(level)}
      style={`background:${colour.background};color:${colour.text};padding:0.15em 0.6em;border-radius:0.3em;font-weight:bold;white-space:nowrap`}
    >
      {p.m.riskLevel(level)}
    </span>
  );
}

function EventCard({
  p,
  event,
  hamletName,
  timeZone,
}: {
  p: PageContext;
  event: DisasterEventView;
  hamletName: (id: string) => string;
  timeZone: string;
}) {
  const m = p.m;
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
  const top = event.bulletins[0];
  return (
    <article class="card" data-event={event.id}>
      <h3>
        {event.name} · {m.hazard[event.hazardType] ?? event.hazardType}{' '}
        {top ? <RiskLevelBadge p={p} level={top.riskLevel} /> : null}
      </h3>
      <ul class="list">
        {event.bulletins.map((b) => (
          <li data-bulletin={b.id}>
            <p>
              <strong>
                {m.bulletinNo(b.sequence)}: {b.title}
              </strong>{' '}
              <RiskLevelBadge p={p} level={b.riskLevel} />{' '}
              <Badge tone={b.endedAt ? 'muted' : 'ok'}>
                {b.endReason ? m.bulletinState[b.endReason] : m.bulletinState.onAir}
              </Badge>
            </p>
            <p class="meta">
              {m.issuedBy(b.agency, at(b.issuedAt))} · {m.repeatsEvery(b.everyHours)}
            </p>
            {b.airings.length > 0 ? (
              <div class="table-wrap">
                <table class="stack">
                  <thead>
                    <tr>
                      <th scope="col">{m.hamlet}</th>
                      <th scope="col">{m.lastAired}</th>
                      <th scope="col">{m.nextAiring}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {b.airings.map((a) => (
                      <tr data-hamlet={a.hamletId}>
                        <td data-label={m.hamlet}>{hamletName(a.hamletId)}</td>
                        <td data-label={m.lastAired} data-last-aired>
                          {a.lastAiredAt ? at(a.lastAiredAt) : m.notAiredYet}
                        </td>
                        <td data-label={m.nextAiring}>{a.nextAt && !b.endedAt ? at(a.nextAt) : '–'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </article>
  );
}

/** The officer's queue of CAP alerts waiting for a decision: open (record, approve), air, or dismiss. */
function CapQueue({
  p,
  items,
  hamletName,
  timeZone,
  canAir,
}: {
  p: PageContext;
  items: readonly CapQueueItem[];
  hamletName: (id: string) => string;
  timeZone: string;
  canAir: boolean;
}) {
  const m = p.m;
  const at = (iso: string) => (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
  if (items.length === 0) return <p>{m.noCapQueue}</p>;
  return (
    <>
      <p class="meta">{m.capHint}</p>
      <ul class="list">
        {items.map((i) => (
          <li data-cap-item={i.id}>
            <p>
              <strong>{i.headline}</strong>
            </p>
            <p class="meta">
              {m.capFrom(i.sender, at(i.sent))} · {i.hamletIds.map(hamletName).join(', ')}
            </p>
            <p class="actions">
              {i.announcementId ? (
                <a class="button secondary" href={paths.announcement(i.announcementId)}>
                  {m.capOpen}
                </a>
              ) : null}
              {canAir ? (
                <>
                  <form method="post" action={paths.capAir(i.id)} class="inline">
                    <Csrf p={p} />
                    <button type="submit" class="danger">
                      {m.capAir}
                    </button>
                  </form>
                  <form method="post" action={paths.capDismiss(i.id)} class="inline">
                    <Csrf p={p} />
                    <button type="submit" class="secondary">
                      {m.capDismiss}
                    </button>
                  </form>
                </>
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** `/giam-sat/thien-tai`: active disaster events, their bulletins in the level's colour, and per hamlet when each last aired. */
export function disasterRoutes({ services }: WebDeps) {
  const app = new Hono();
  const render = async (
    c: Context,
    problem?: { readonly message: string; readonly status: 404 | 409 | 422 },
  ) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const [commune, hamlets, active, all, queue] = await Promise.all([
      communeOf(services, ctx),
      hamletsOf(services, ctx),
      services.disaster.listEvents(ctx, 'active'),
      services.disaster.listEvents(ctx),
      services.capAlerts.list(ctx, ['review']),
    ]);
    const names = new Map(hamlets.map((h) => [h.id, h.name]));
    // A hamlet head sees the airings of her own hamlets.
    const visible = (e: DisasterEventView): DisasterEventView => ({
      ...e,
      bulletins: e.bulletins.map((b) => ({ ...b, airings: b.airings.filter((a) => names.has(a.hamletId)) })),
    });
    const ended = all.filter((e) => e.status === 'ended').slice(0, 10);
    const card = (e: DisasterEventView) => (
      <EventCard
        p={p}
        event={visible(e)}
        hamletName={(id) => names.get(id) ?? id}
        timeZone={commune.timeZone}
      />
    );
    return sendPage(
      c,
      <Layout
        p={p}
        title={p.m.disasterTitle}
        refreshS={60}
        notice={
          {
            capAired: p.m.capAired,
            capDismissed: p.m.capDismissed,
            bulletinIssued: disasterMessages(p.lang).issued,
          }[c.req.query('tb') ?? '']
        }
      >
        {isAllowed(ctx.actor, 'broadcast.emergency') ? (
          <p class="actions">
            <a class="button danger" href={paths.disasterIssue}>
              {disasterMessages(p.lang).issueLink}
            </a>
          </p>
        ) : null}
        {problem ? (
          <p class="warning" role="alert">
            {problem.message}
          </p>
        ) : null}
        <Section title={p.m.capQueue} id="cap">
          <CapQueue
            p={p}
            items={queue}
            hamletName={(id) => names.get(id) ?? id}
            timeZone={commune.timeZone}
            canAir={isAllowed(ctx.actor, 'broadcast.emergency')}
          />
        </Section>
        <Section title={p.m.disasterActive} id="active">
          {active.length === 0 ? <p>{p.m.noDisasterEvents}</p> : active.map(card)}
        </Section>
        {ended.length > 0 ? (
          <Section title={p.m.disasterEnded} id="ended">
            {ended.map(card)}
          </Section>
        ) : null}
      </Layout>,
      problem?.status ?? 200,
    );
  };
  app.get(paths.disaster, gate('broadcast.read'), (c) => render(c));
  for (const [path, act, notice] of [
    ['/giam-sat/thien-tai/cap/:id/phat', 'airItem', 'capAired'],
    ['/giam-sat/thien-tai/cap/:id/bo-qua', 'dismissItem', 'capDismissed'],
  ] as const) {
    app.post(path, gate('broadcast.emergency'), async (c) => {
      try {
        await services.capAlerts[act](signedIn(c), c.req.param('id'));
        return seeOther(c, paths.disaster, notice);
      } catch (error) {
        const message = problemOf(error, pageContext(c).lang).general ?? '';
        const status =
          error instanceof LoaError && (error.status === 404 || error.status === 409) ? error.status : 422;
        return render(c, { message, status });
      }
    });
  }
  return app;
}
