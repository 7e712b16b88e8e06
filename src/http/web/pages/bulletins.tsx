import { Hono, type Context } from 'hono';
import {
  BULLETIN_LEVELS,
  BULLETIN_PLACES,
  BulletinScheduleSchema,
  TextBulletinSchema,
  type BulletinPlace,
  type DeliveryStatus,
} from '../../../domain/bulletin.js';
import { DEFAULT_TIME_ZONE, iso, localToUtc } from '../../../domain/schedule/index.js';
import type { DeliveryView } from '../../../services/bulletin-inbox.js';
import { gate } from '../../middleware/gate.js';
import { bulletinMessages, type BulletinMessages } from '../bulletin-messages.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { Choices, Csrf, FormError, TextArea, TextField } from '../form-fields.js';
import { shownAt } from './province-tokens.js';

const statusTone: Readonly<Record<DeliveryStatus, 'ok' | 'warn' | 'bad' | 'info' | 'muted'>> = {
  received: 'info',
  scheduled: 'warn',
  declined: 'bad',
  aired: 'ok',
  no_answer: 'bad',
};

/** What one commune did with a bulletin, as a cell: the status and what explains it. */
function DeliveryState({
  bm,
  d,
  at,
}: {
  bm: BulletinMessages;
  d: DeliveryView;
  at: (iso: string) => string;
}) {
  return (
    <>
      <Badge tone={statusTone[d.status]}>{bm.statuses[d.status]}</Badge>
      {d.firstAiringAt ? <span class="meta">{` · ${bm.scheduledFor(at(d.firstAiringAt))}`}</span> : null}
      {d.airedReceivers > 0 ? <span class="meta">{` · ${bm.airedBy(d.airedReceivers)}`}</span> : null}
      {d.declineReason ? <p class="meta">{bm.declinedBecause(d.declineReason)}</p> : null}
      {d.slotPlace ? <p class="meta">{bm.places[d.slotPlace]}</p> : null}
    </>
  );
}

/**
 * Bulletins from the province, two presenters over the bulletins service: the province officer's page
 * (`/tinh/ban-tin`: make, send, and watch each commune's status and each box's proof) and the commune
 * office's inbox (`/ban-tin`: schedule, decline with a reason, order a priority bulletin).
 */
export function bulletinPageRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderProvince(c: Context, opts: { values?: FormValues; problem?: FormProblem } = {}) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const bm = bulletinMessages[p.lang];
    const [bulletins, communes] = await Promise.all([
      services.bulletins.list(ctx),
      services.communes.list(ctx),
    ]);
    const at = (v: string) => shownAt(p, v, DEFAULT_TIME_ZONE);
    const values = opts.values ?? {};
    const notice = { created: bm.created, sent: bm.sentNotice }[c.req.query('tb') ?? ''];
    return sendPage(
      c,
      <Layout p={p} title={bm.provinceTitle} notice={notice}>
        <p class="meta">{bm.provinceIntro}</p>
        <Section title={bm.provinceTitle} id="bulletins">
          {bulletins.length === 0 ? (
            <p class="meta">{bm.noBulletins}</p>
          ) : (
            <Table headings={[bm.title, bm.level, bm.status, bm.communes]}>
              {bulletins.map((b) => (
                <tr data-bulletin={b.id}>
                  <th scope="row">
                    <a href={paths.bulletin(b.id)}>{b.title}</a>
                  </th>
                  <td data-label={bm.level}>{bm.levels[b.level]}</td>
                  <td data-label={bm.status}>
                    {b.sentAt ? (
                      bm.sentAt(at(b.sentAt))
                    ) : (
                      <form method="post" action={paths.sendBulletin(b.id)} class="inline">
                        <Csrf p={p} />
                        <span class="meta">{`${bm.notSent} · `}</span>
                        <button type="submit" aria-label={`${bm.send}: ${b.title}`}>
                          {bm.send}
                        </button>
                      </form>
                    )}
                  </td>
                  <td data-label={bm.communes}>
                    <ul class="list">
                      {b.deliveries.map((d) => (
                        <li data-commune={d.communeId} data-status={d.status}>
                          {`${d.communeName}: `}
                          <DeliveryState bm={bm} d={d} at={at} />
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
        <Section title={bm.create} id="new">
          <form method="post" action={paths.bulletins} novalidate>
            <Csrf p={p} />
            <FormError message={opts.problem?.general} />
            <TextField
              name="title"
              label={bm.title}
              value={one(values, 'title')}
              required
              maxlength={200}
              error={opts.problem?.fields.title}
            />
            <TextArea
              name="text"
              label={bm.text}
              hint={bm.textHint}
              value={one(values, 'text')}
              error={opts.problem?.fields.text}
            />
            <Choices
              name="level"
              type="radio"
              label={bm.level}
              options={BULLETIN_LEVELS.map((l) => [l, bm.levels[l]] as const)}
              checked={[one(values, 'level') || 'normal']}
              error={opts.problem?.fields.level}
            />
            <Choices
              name="communeIds"
              type="checkbox"
              label={bm.communes}
              options={[['all', bm.wholeProvince] as const, ...communes.map((x) => [x.id, x.name] as const)]}
              checked={opts.values ? many(values, 'communeIds') : ['all']}
              error={opts.problem?.fields.communeIds}
            />
            <TextField
              name="answerByDate"
              type="date"
              label={`${bm.answerBy} — ${bm.answerByDate}`}
              value={one(values, 'answerByDate')}
              error={opts.problem?.fields.answerBy}
            />
            <TextField
              name="answerByTime"
              type="time"
              label={`${bm.answerBy} — ${bm.answerByTime}`}
              value={one(values, 'answerByTime') || '17:00'}
            />
            <button type="submit">{bm.create}</button>
          </form>
        </Section>
      </Layout>,
      opts.problem?.status ?? 200,
    );
  }

  const issue = gate('bulletin.issue');
  app.get(paths.bulletins, gate('province.read'), (c) => renderProvince(c));

  app.post(paths.bulletins, issue, async (c) => {
    const p = pageContext(c);
    const form = await readForm(c);
    const chosen = many(form, 'communeIds');
    const date = one(form, 'answerByDate');
    const answerBy = date
      ? iso(localToUtc(date, one(form, 'answerByTime') || '17:00', DEFAULT_TIME_ZONE))
      : undefined;
    const input = checkInput(
      TextBulletinSchema,
      {
        title: one(form, 'title'),
        language: 'vi',
        category: 'general',
        text: one(form, 'text'),
        level: one(form, 'level'),
        communeIds: chosen.includes('all') ? 'all' : chosen,
        ...(answerBy && { answerBy }),
      },
      p,
    );
    if (!input.ok) return renderProvince(c, { values: form, problem: input.problem });
    const { text, voice, level, communeIds, answerBy: by, ...meta } = input.value;
    try {
      await services.bulletins.create(
        signedIn(c),
        { level, communeIds, ...(by !== undefined && { answerBy: by }) },
        meta,
        { kind: 'text', text, voice },
      );
    } catch (error) {
      return renderProvince(c, { values: form, problem: problemOf(error, p.lang) });
    }
    return seeOther(c, paths.bulletins, 'created');
  });

  app.post('/tinh/ban-tin/:id/gui', issue, async (c) => {
    const p = pageContext(c);
    try {
      await services.bulletins.send(signedIn(c), c.req.param('id'));
    } catch (error) {
      return renderProvince(c, { problem: problemOf(error, p.lang) });
    }
    return seeOther(c, paths.bulletin(c.req.param('id')), 'sent');
  });

  app.get('/tinh/ban-tin/:id', gate('province.read'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const bm = bulletinMessages[p.lang];
    const { bulletin, receivers } = await services.bulletins.proof(ctx, c.req.param('id'));
    const at = (v: string) => shownAt(p, v, DEFAULT_TIME_ZONE);
    const names = new Map(bulletin.deliveries.map((d) => [d.communeId, d.communeName]));
    return sendPage(
      c,
      <Layout
        p={p}
        title={bulletin.title}
        refreshS={bulletin.level === 'emergency' ? 10 : undefined}
        notice={c.req.query('tb') === 'sent' ? bm.sentNotice : undefined}
      >
        <p>
          <Badge tone={bulletin.level === 'emergency' ? 'bad' : 'info'}>{bm.levels[bulletin.level]}</Badge>{' '}
          <span class="meta">{bulletin.sentAt ? bm.sentAt(at(bulletin.sentAt)) : bm.notSent}</span>
        </p>
        <Section title={bm.status} id="deliveries">
          <Table headings={[bm.commune, bm.status]}>
            {bulletin.deliveries.map((d) => (
              <tr data-commune={d.communeId} data-status={d.status}>
                <th scope="row">{d.communeName}</th>
                <td data-label={bm.status}>
                  <DeliveryState bm={bm} d={d} at={at} />
                </td>
              </tr>
            ))}
          </Table>
        </Section>
        <Section title={bm.proof} id="proof">
          {bulletin.level === 'emergency' ? <p class="meta">{bm.refreshHint}</p> : null}
          <Table headings={[bm.receiver, bm.commune, bm.hamlet, bm.status]}>
            {receivers.map((r) => (
              <tr data-receiver={r.receiverId}>
                <th scope="row">{r.receiverName}</th>
                <td data-label={bm.commune}>{names.get(r.communeId) ?? r.communeId}</td>
                <td data-label={bm.hamlet}>{r.hamletName}</td>
                <td data-label={bm.status}>
                  {r.completedAt ? (
                    <Badge tone="ok">{`${bm.completed} ${at(r.completedAt)}`}</Badge>
                  ) : r.startedAt ? (
                    <Badge tone="ok">{`${bm.started} ${at(r.startedAt)}`}</Badge>
                  ) : r.failedAt ? (
                    <Badge tone="bad">{`${bm.failed} ${at(r.failedAt)}`}</Badge>
                  ) : (
                    <Badge tone="muted">{bm.waiting}</Badge>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </Section>
        <p>
          <a class="button secondary" href={paths.bulletins}>
            {bm.provinceTitle}
          </a>
        </p>
      </Layout>,
    );
  });

  async function renderInbox(
    c: Context,
    opts: { failed?: { id: string; values: FormValues; problem: FormProblem } } = {},
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const bm = bulletinMessages[p.lang];
    const [items, commune, hamlets] = await Promise.all([
      services.bulletins.inbox(ctx),
      communeOf(services, ctx),
      hamletsOf(services, ctx),
    ]);
    const at = (v: string) => shownAt(p, v, commune.timeZone);
    const notice = {
      scheduled: bm.scheduledNotice,
      declined: bm.declinedNotice,
      ordered: bm.orderedNotice,
    }[c.req.query('tb') ?? ''];
    const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
    return sendPage(
      c,
      <Layout p={p} title={bm.inboxTitle} notice={notice}>
        <p class="meta">{bm.inboxIntro}</p>
        {items.length === 0 ? <p class="meta">{bm.noInbox}</p> : null}
        {items.map(({ bulletin, delivery, status }) => {
          const failed = opts.failed?.id === bulletin.id ? opts.failed : undefined;
          const values = failed?.values ?? {};
          const d = { ...delivery, status };
          return (
            <Section title={bulletin.title} id={`b-${bulletin.id}`}>
              <p data-bulletin={bulletin.id} data-status={status}>
                <Badge tone={bulletin.level === 'emergency' ? 'bad' : 'info'}>
                  {bm.levels[bulletin.level]}
                </Badge>{' '}
                <DeliveryState bm={bm} d={d} at={at} />
                {bulletin.answerBy ? (
                  <span class="meta">{` · ${bm.deadline(at(bulletin.answerBy))}`}</span>
                ) : null}
              </p>
              <FormError message={failed?.problem.general} />
              <p>
                <a href={paths.announcement(delivery.announcementId)}>{bm.addVersion}</a>
              </p>
              {bulletin.level === 'normal' && delivery.decision === 'received' ? (
                <>
                  <details open={failed !== undefined && one(values, 'action') === 'schedule'}>
                    <summary>{bm.schedule}</summary>
                    <form method="post" action={paths.scheduleBulletin(bulletin.id)} novalidate>
                      <Csrf p={p} />
                      <input type="hidden" name="action" value="schedule" />
                      <Choices
                        name="hamletIds"
                        type="checkbox"
                        label={bm.hamlets}
                        options={[
                          ['all', bm.allHamlets] as const,
                          ...hamlets.map((h) => [h.id, h.name] as const),
                        ]}
                        checked={failed ? many(values, 'hamletIds') : ['all']}
                        error={failed?.problem.fields.hamletIds}
                      />
                      <Choices
                        name="kind"
                        type="radio"
                        label={bm.when}
                        options={[
                          ['at', bm.atTime],
                          ['slot', bm.inSlot],
                        ]}
                        checked={[one(values, 'kind') || 'slot']}
                      />
                      <TextField
                        name="date"
                        type="date"
                        label={bm.date}
                        value={one(values, 'date') || today}
                        error={failed?.problem.fields.date}
                      />
                      <TextField
                        name="time"
                        type="time"
                        label={bm.time}
                        value={one(values, 'time') || '09:00'}
                        error={failed?.problem.fields.at}
                      />
                      <Choices
                        name="slot"
                        type="radio"
                        label={bm.slot}
                        options={commune.settings.slots.map(
                          (s) => [s.name, `${s.label} (${s.start})`] as const,
                        )}
                        checked={[one(values, 'slot') || (commune.settings.slots[0]?.name ?? '')]}
                        error={failed?.problem.fields.slot}
                      />
                      <button type="submit">{bm.schedule}</button>
                    </form>
                  </details>
                  <details open={failed !== undefined && one(values, 'action') === 'decline'}>
                    <summary>{bm.decline}</summary>
                    <form method="post" action={paths.declineBulletin(bulletin.id)} novalidate>
                      <Csrf p={p} />
                      <input type="hidden" name="action" value="decline" />
                      <TextField
                        name="reason"
                        id={`reason-${bulletin.id}`}
                        label={bm.reason}
                        hint={bm.reasonHint}
                        value={one(values, 'reason')}
                        maxlength={500}
                        error={failed?.problem.fields.reason}
                        autofocus={!!failed?.problem.fields.reason}
                      />
                      <button type="submit" class="danger">
                        {bm.decline}
                      </button>
                    </form>
                  </details>
                </>
              ) : null}
              {bulletin.level === 'priority' && delivery.broadcastIds.length > 0 ? (
                <form method="post" action={paths.orderBulletin(bulletin.id)} class="inline">
                  <Csrf p={p} />
                  <Choices
                    name="place"
                    id={`place-${bulletin.id}`}
                    type="radio"
                    label={bm.order}
                    options={BULLETIN_PLACES.map((x) => [x, bm.places[x]] as const)}
                    checked={[delivery.slotPlace ?? 'after_commune_priority']}
                  />
                  <button type="submit">{bm.order}</button>
                </form>
              ) : null}
            </Section>
          );
        })}
      </Layout>,
      opts.failed?.problem.status ?? 200,
    );
  }

  const answer = gate('bulletin.answer');
  app.get(paths.inbox, answer, (c) => renderInbox(c));

  app.post('/ban-tin/:id/xep-lich', answer, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const commune = await communeOf(services, ctx);
    const hamlets = many(form, 'hamletIds');
    const date = one(form, 'date');
    const when =
      one(form, 'kind') === 'at'
        ? {
            at: /^\d{4}-\d{2}-\d{2}$/.test(date)
              ? iso(localToUtc(date, one(form, 'time') || '00:00', commune.timeZone))
              : date,
          }
        : { slot: { name: one(form, 'slot'), date } };
    const input = checkInput(
      BulletinScheduleSchema,
      { hamletIds: hamlets.includes('all') ? 'all' : hamlets, ...when },
      p,
      { controlOf: (path) => (path[0] === 'slot' ? 'date' : String(path[0] ?? 'form')) },
    );
    if (!input.ok) return renderInbox(c, { failed: { id, values: form, problem: input.problem } });
    try {
      await services.bulletins.schedule(ctx, id, input.value);
    } catch (error) {
      return renderInbox(c, { failed: { id, values: form, problem: problemOf(error, p.lang) } });
    }
    return seeOther(c, paths.inbox, 'scheduled');
  });

  app.post('/ban-tin/:id/tu-choi', answer, async (c) => {
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      await services.bulletins.decline(signedIn(c), id, one(form, 'reason'));
    } catch (error) {
      return renderInbox(c, { failed: { id, values: form, problem: problemOf(error, p.lang) } });
    }
    return seeOther(c, paths.inbox, 'declined');
  });

  app.post('/ban-tin/:id/thu-tu', answer, async (c) => {
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const place = one(form, 'place') as BulletinPlace;
    try {
      await services.bulletins.reorder(signedIn(c), id, place);
    } catch (error) {
      return renderInbox(c, { failed: { id, values: form, problem: problemOf(error, p.lang) } });
    }
    return seeOther(c, paths.inbox, 'ordered');
  });

  return app;
}
