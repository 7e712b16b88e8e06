import { Hono, type Context } from 'hono';
import {
  BULLETIN_LEVELS,
  BulletinScheduleSchema,
  TextBulletinSchema,
  type BulletinPlace,
} from '../../../domain/bulletin.js';
import type { RequestContext } from '../../../domain/actor.js';
import { LoaError } from '../../../domain/errors.js';
import { isAllowed } from '../../../domain/policy.js';
import {
  DEFAULT_TIME_ZONE,
  iso,
  localToUtc,
  parseLocalDate,
  parseLocalTime,
} from '../../../domain/schedule/index.js';
import { gate } from '../../middleware/gate.js';
import { bulletinMessages } from '../bulletin-messages.js';
import { communeOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, Table } from '../ui.js';
import { Choices, Csrf, FormError, TextArea, TextField } from '../form-fields.js';
import { shownAt } from './province-tokens.js';
import { DeliveryState, renderBulletinInbox, type InboxOptions } from './bulletin-inbox-view.js';

/**
 * An instant from a date and a time typed on a commune's clock, or each one's refusal under the field
 * named for it: without a picker (an old browser, no JavaScript) they arrive as typed, "30/11" or "9h".
 */
function typedInstant(
  p: PageContext,
  typed: { readonly date: string; readonly time: string },
  fields: { readonly date: string; readonly time: string },
  timeZone: string,
): { readonly at: string } | { readonly problem: FormProblem } {
  const date = parseLocalDate(typed.date, fields.date);
  const time = parseLocalTime(typed.time, fields.time);
  if (date.ok && time.ok) return { at: iso(localToUtc(typed.date, typed.time, timeZone)) };
  const problems: Record<string, string> = {};
  for (const [name, r] of [
    [fields.date, date],
    [fields.time, time],
  ] as const) {
    if (!r.ok) problems[name] = p.lang === 'vi' ? r.error.message : r.error.messageEn;
  }
  return { problem: { general: p.m.fixBelow, fields: problems, status: 400 } };
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
    // The province admin reads the bulletins; making and sending them is the province officer's.
    const issues = isAllowed(ctx.actor, 'bulletin.issue');
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
                    ) : !issues ? (
                      <span class="meta">{bm.notSent}</span>
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
        {issues ? (
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
                options={[
                  ['all', bm.wholeProvince] as const,
                  ...communes.map((x) => [x.id, x.name] as const),
                ]}
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
                error={opts.problem?.fields.answerByTime}
              />
              <button type="submit">{bm.create}</button>
            </form>
          </Section>
        ) : null}
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
    const deadline = one(form, 'answerByDate')
      ? typedInstant(
          p,
          { date: one(form, 'answerByDate'), time: one(form, 'answerByTime') || '17:00' },
          { date: 'answerBy', time: 'answerByTime' },
          DEFAULT_TIME_ZONE,
        )
      : undefined;
    if (deadline && 'problem' in deadline) {
      return renderProvince(c, { values: form, problem: deadline.problem });
    }
    const answerBy = deadline?.at;
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

  const renderInbox = (c: Context, opts: InboxOptions = {}) => renderBulletinInbox(deps, c, opts);

  /** The inbox landed on one bulletin's card, with a notice. */
  const onCard = (id: string, notice: string) => `${paths.inbox}?tb=${notice}#b-${encodeURIComponent(id)}`;

  /**
   * A refused "Xếp lịch" that found the bulletin scheduled — the same person's double click or form sent
   * again over a slow link, or another officer at the same moment — got what was asked: the bulletin airs
   * once, and its card says when. The person would read the refusal as a failure and press again. Not so
   * for a declined bulletin, nor for a refusal of the booking itself.
   */
  async function scheduledAlready(ctx: RequestContext, id: string, error: unknown) {
    if (!(error instanceof LoaError) || error.status !== 409) return undefined;
    const { delivery } = await services.bulletins.inboxItem(ctx, id);
    if (delivery.decision !== 'scheduled') return undefined;
    return delivery.decidedBy === ctx.actor.id ? 'scheduled' : 'scheduledByOther';
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
    let when: { at: string } | { slot: { name: string; date: string } } = {
      slot: { name: one(form, 'slot'), date },
    };
    if (one(form, 'kind') === 'at') {
      const typed = typedInstant(
        p,
        { date, time: one(form, 'time') || '00:00' },
        { date: 'date', time: 'at' },
        commune.timeZone,
      );
      if ('problem' in typed) return renderInbox(c, { failed: { id, values: form, problem: typed.problem } });
      when = typed;
    }
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
      const done = await scheduledAlready(ctx, id, error);
      if (done) return c.redirect(onCard(id, done), 303);
      return renderInbox(c, { failed: { id, values: form, problem: problemOf(error, p.lang) } });
    }
    return c.redirect(onCard(id, 'scheduled'), 303);
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
