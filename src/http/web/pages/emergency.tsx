import { Hono, type Context } from 'hono';
import { localToUtc, parseLocalDate, parseLocalTime, utcToLocal } from '../../../domain/schedule/index.js';
import { BroadcastRequestSchema, type BroadcastRequest } from '../../../domain/broadcast.js';
import { gate } from '../../middleware/gate.js';
import { checkInput } from '../input.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Choices, Csrf, FormError, Layout, SelectField, TextField } from '../ui.js';

const fieldMap = {
  announcementId: 'announcementId',
  hamletIds: 'hamletIds',
  at: 'atTime',
  priority: 'announcementId',
};

/** The emergency request from the form; the service decides everything else (scope, content, repeats). */
function requestFrom(
  form: FormValues,
  timeZone: string,
  p: PageContext,
): { req: BroadcastRequest } | { fields: Record<string, string> } {
  const m = p.m;
  const fields: Record<string, string> = {};
  const announcementId = one(form, 'announcementId');
  if (!announcementId) fields.announcementId = m.required;
  const hamlets = many(form, 'hamletIds');
  if (hamlets.length === 0) fields.hamletIds = m.required;
  let at: string | undefined;
  if (one(form, 'start') === 'at') {
    const date = parseLocalDate(one(form, 'atDate'), 'atDate');
    const time = parseLocalTime(one(form, 'atTime'), 'atTime');
    if (!date.ok) fields.atDate = p.lang === 'vi' ? date.error.message : date.error.messageEn;
    if (!time.ok) fields.atTime = p.lang === 'vi' ? time.error.message : time.error.messageEn;
    if (date.ok && time.ok)
      at = new Date(localToUtc(one(form, 'atDate'), one(form, 'atTime'), timeZone)).toISOString();
  }
  if (Object.keys(fields).length > 0) return { fields };
  // The use case's own schema, as the API's POST /api/v1/broadcasts checks it.
  const checked = checkInput(
    BroadcastRequestSchema,
    {
      announcementId,
      hamletIds: hamlets.includes('all') ? 'all' : hamlets,
      priority: 'emergency',
      ...(at && { at }),
      ...(one(form, 'repeat') === 'bulletin' && { repeat: { everyHours: 2 } }),
    },
    p,
    { controlOf: (path) => fieldMap[String(path[0]) as keyof typeof fieldMap] ?? 'announcementId' },
  );
  return checked.ok ? { req: checked.value } : { fields: checked.problem.fields };
}

export function emergencyRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  async function options(c: Context) {
    const ctx = signedIn(c);
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    const approval = commune.settings.approvalRequired ? ('approved' as const) : undefined;
    const ready = (await services.announcements.list(ctx, { status: 'ready', approval, limit: 200 })).items;
    return { ctx, commune, hamlets, ready };
  }

  async function renderForm(c: Context, values: FormValues, problem?: FormProblem) {
    const { commune, hamlets, ready } = await options(c);
    const p = pageContext(c);
    const m = p.m;
    const { repeatCount, repeatIntervalMin } = commune.settings.emergency;
    return sendPage(
      c,
      <Layout p={p} title={m.emergencyTitle} scripts={['toggle.js']}>
        <p class="warning">{m.emergencyIntro}</p>
        <section aria-label={m.emergencyTitle}>
          {ready.length === 0 ? <p>{m.noReadyAnnouncements}</p> : null}
          <form method="post" action={paths.emergency} novalidate>
            <Csrf p={p} />
            <input type="hidden" name="step" value="review" />
            <FormError message={problem?.general} />
            <SelectField
              name="announcementId"
              label={m.announcement}
              value={one(values, 'announcementId')}
              options={ready.map((a) => [a.id, a.title] as const)}
              error={problem?.fields.announcementId}
            />
            <Choices
              type="checkbox"
              name="hamletIds"
              label={m.hamlets}
              options={[['all', m.allHamlets] as const, ...hamlets.map((h) => [h.id, h.name] as const)]}
              checked={many(values, 'hamletIds')}
              error={problem?.fields.hamletIds}
            />
            <Choices
              type="radio"
              name="start"
              label={m.startAt}
              options={[
                ['now', m.now],
                ['at', m.whenAt],
              ]}
              checked={[one(values, 'start') || 'now']}
            />
            <div class="two" data-show-if="start=at">
              <TextField
                name="atDate"
                type="date"
                label={m.date}
                value={one(values, 'atDate')}
                error={problem?.fields.atDate}
              />
              <TextField
                name="atTime"
                type="time"
                label={m.time}
                value={one(values, 'atTime')}
                error={problem?.fields.atTime}
              />
            </div>
            <Choices
              type="radio"
              name="repeat"
              label={m.repeat}
              options={[
                ['default', m.repeatDefault(repeatCount, repeatIntervalMin)],
                ['bulletin', m.repeatBulletin],
              ]}
              checked={[one(values, 'repeat') || 'default']}
            />
            <button type="submit" class="danger">
              {m.continue}
            </button>
          </form>
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  app.use(paths.emergency, gate('broadcast.emergency'));

  app.get(paths.emergency, async (c) => {
    const { commune } = await options(c);
    const today = utcToLocal(clock.now().getTime(), commune.timeZone).date;
    return renderForm(c, { start: 'now', repeat: 'default', atDate: today });
  });

  // Two steps: "review" shows what will air where and asks again; "confirm" schedules it.
  app.post(paths.emergency, async (c) => {
    const { ctx, commune, hamlets, ready } = await options(c);
    const p = pageContext(c);
    const m = p.m;
    const form = await readForm(c);
    const built = requestFrom(form, commune.timeZone, p);
    if ('fields' in built)
      return renderForm(c, form, { general: m.fixBelow, fields: built.fields, status: 400 });
    if (one(form, 'step') !== 'confirm' || one(form, 'edit')) {
      if (one(form, 'edit')) return renderForm(c, form);
      const title = ready.find((a) => a.id === built.req.announcementId)?.title ?? built.req.announcementId;
      const targets =
        built.req.hamletIds === 'all' ? hamlets : hamlets.filter((h) => built.req.hamletIds.includes(h.id));
      const { repeatCount, repeatIntervalMin } = commune.settings.emergency;
      const start = built.req.at ? `${one(form, 'atTime')} ${one(form, 'atDate')}` : m.now;
      return sendPage(
        c,
        <Layout p={p} title={m.confirmTitle}>
          <p class="warning" role="alert">
            {m.confirmText}
          </p>
          <dl class="facts">
            <dt>{m.announcement}</dt>
            <dd>{title}</dd>
            <dt>{m.hamlets}</dt>
            <dd>{targets.map((h) => h.name).join(', ')}</dd>
            <dt>{m.startAt}</dt>
            <dd>{start}</dd>
            <dt>{m.repeat}</dt>
            <dd>{built.req.repeat ? m.repeatBulletin : m.repeatDefault(repeatCount, repeatIntervalMin)}</dd>
          </dl>
          <form method="post" action={paths.emergency}>
            <Csrf p={p} />
            <input type="hidden" name="step" value="confirm" />
            {Object.entries(form)
              .filter(([k]) => k !== '_csrf' && k !== 'step')
              .flatMap(([k, v]) => [v].flat().map((value) => <input type="hidden" name={k} value={value} />))}
            <div class="actions">
              <button type="submit" class="danger">
                {m.confirm}
              </button>
              <button type="submit" name="edit" value="1" class="secondary">
                {m.back}
              </button>
            </div>
          </form>
        </Layout>,
      );
    }
    try {
      await services.broadcasts.schedule(ctx, built.req);
    } catch (error) {
      return renderForm(c, form, problemOf(error, p.lang, fieldMap));
    }
    return seeOther(c, paths.monitor, 'emergency');
  });

  return app;
}
