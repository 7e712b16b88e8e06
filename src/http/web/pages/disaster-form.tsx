import { Hono, type Context } from 'hono';
import { notAirableReason, type Announcement } from '../../../domain/announcement.js';
import {
  BulletinRequestSchema,
  DISASTER_CATEGORY,
  DisasterEventRequestSchema,
  RISK_LEVELS,
  type BulletinRequest,
  type DisasterEventRequest,
  type RiskLevel,
} from '../../../domain/disaster.js';
import {
  formatLocalEn,
  formatLocalVi,
  localToUtc,
  parseLocalDate,
  parseLocalTime,
  utcToLocal,
} from '../../../domain/schedule/index.js';
import type { DisasterEventView } from '../../../services/disaster.service.js';
import type { ReceivedUpload } from '../../upload.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { disasterMessages, type DisasterMessages } from '../disaster-messages.js';
import { many, one, onceKeyOf, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Csrf, OnceKey } from '../form-fields.js';
import { Badge, Layout, processingTone } from '../ui.js';
import { RiskLevelBadge } from './disaster.js';
import { readContent } from './emergency-form.js';
import { receivePageUpload, sourceFrom } from './page-upload.js';
import { renderDisasterForm } from './disaster-form-view.js';

/** Room for a checkbox per hamlet beside the form's other fields in one multipart post. */
const MAX_FORM_FIELDS = 80;

/** The choices that travel from the form to the confirmation (the content is stored by then). */
const carried = [
  'announcementId',
  'event',
  'eventName',
  'hazardType',
  'riskLevel',
  'agency',
  'issuedDate',
  'issuedTime',
  'hamletIds',
] as const;

/** The use case's fields → this form's controls. */
const fieldMap = {
  name: 'eventName',
  hazardType: 'hazardType',
  riskLevel: 'riskLevel',
  agency: 'agency',
  issuedAt: 'issuedTime',
  hamletIds: 'hamletIds',
  announcementId: 'text',
  title: 'title',
  text: 'text',
  voice: 'voice',
  language: 'language',
};

type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fields: Record<string, string> };

interface BulletinChoice {
  /** The event chosen, or the one to open first. */
  readonly event: { readonly id: string } | { readonly open: DisasterEventRequest };
  readonly request: BulletinRequest;
}

/**
 * The bulletin from the form, for content `announcementId`, checked with the use case's own schemas (the
 * ones `POST /api/v1/disaster/events` and `…/bulletins` use); the issue time is read on the commune's clock.
 */
function bulletinFrom(
  form: FormValues,
  timeZone: string,
  p: PageContext,
  dm: DisasterMessages,
  announcementId: string,
): Checked<BulletinChoice> {
  const fields: Record<string, string> = {};
  const controlOf = (path: readonly PropertyKey[]) =>
    fieldMap[String(path[0]) as keyof typeof fieldMap] ?? String(path[0]);
  const eventId = one(form, 'event') || 'new';
  let open: DisasterEventRequest | undefined;
  if (eventId === 'new') {
    const checked = checkInput(
      DisasterEventRequestSchema,
      { name: one(form, 'eventName'), hazardType: one(form, 'hazardType') },
      p,
      { controlOf },
    );
    if (checked.ok) open = checked.value;
    else Object.assign(fields, checked.problem.fields);
  }
  const level = Number(one(form, 'riskLevel'));
  if (!RISK_LEVELS.includes(level as RiskLevel)) fields.riskLevel = dm.pickLevel;
  const date = parseLocalDate(one(form, 'issuedDate'), 'issuedDate');
  const time = parseLocalTime(one(form, 'issuedTime'), 'issuedTime');
  if (!date.ok) fields.issuedDate = p.lang === 'vi' ? date.error.message : date.error.messageEn;
  if (!time.ok) fields.issuedTime = p.lang === 'vi' ? time.error.message : time.error.messageEn;
  const hamlets = many(form, 'hamletIds');
  if (hamlets.length === 0) fields.hamletIds = p.m.required;
  const checked = checkInput(
    BulletinRequestSchema,
    {
      announcementId: announcementId || undefined,
      riskLevel: level,
      ...(one(form, 'hazardType') && { hazardType: one(form, 'hazardType') }),
      agency: one(form, 'agency'),
      issuedAt:
        date.ok && time.ok
          ? new Date(localToUtc(one(form, 'issuedDate'), one(form, 'issuedTime'), timeZone)).toISOString()
          : undefined,
      hamletIds: hamlets.includes('all') ? 'all' : hamlets,
    },
    p,
    { controlOf },
  );
  if (!checked.ok)
    for (const [k, v] of Object.entries(checked.problem.fields))
      if (!fields[k] && k !== 'issuedTime') fields[k] = v;
  if (Object.keys(fields).length > 0 || !checked.ok) return { ok: false, fields };
  return { ok: true, value: { event: open ? { open } : { id: eventId }, request: checked.value } };
}

/** The choices made so far, as hidden fields: the next post carries them on. */
function Carried({ values }: { values: FormValues }) {
  return (
    <>
      {carried.flatMap((name) =>
        many(values, name).map((v) => <input type="hidden" name={name} value={v} />),
      )}
    </>
  );
}

/**
 * `/giam-sat/thien-tai/ban-tin`: an officer issues a disaster bulletin from the page — the event (one on
 * the air or a new one), hazard, risk level in its colour, issuing agency and time, the text to read or a
 * recording, the hamlets. The next step shows the audio being processed, then asks for the confirmation;
 * the bulletin goes on the air through the same use case as `POST /api/v1/disaster/events/{id}/bulletins`.
 */
export function disasterFormRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  const renderForm = (c: Context, values: FormValues, problem?: FormProblem) =>
    renderDisasterForm(services, c, values, problem);

  /** The confirmation's address: the choices in the query, so the page can reload while audio processes. */
  function confirmAt(c: Context, form: FormValues, announcementId: string) {
    const query = new URLSearchParams();
    for (const name of carried)
      for (const v of name === 'announcementId' ? [announcementId] : many(form, name))
        if (v) query.append(name, v);
    return c.redirect(`${paths.disasterIssueConfirm}?${query.toString()}`, 303);
  }

  /** The form's post: everything checked first, then the content stored (approved by this act). */
  async function review(c: Context, form: FormValues, upload: ReceivedUpload) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const dm = disasterMessages(p.lang);
    const commune = await communeOf(services, ctx);
    const content = readContent(form, p, upload.file?.filename ?? null);
    const bulletin = bulletinFrom(form, commune.timeZone, p, dm, 'pending');
    const fields = { ...(!content.ok && content.fields), ...(!bulletin.ok && bulletin.fields) };
    if (!content.ok || !bulletin.ok)
      return renderForm(c, form, { general: p.m.fixBelow, fields, status: 400 });
    if (content.value.kind === 'existing') return confirmAt(c, form, content.value.announcementId);
    const source = sourceFrom(upload, content.value.source, p.m);
    if ('problem' in source) return renderForm(c, form, source.problem);
    try {
      const created = await services.announcements.createForEmergency(
        ctx,
        { ...content.value.meta, category: DISASTER_CATEGORY },
        source.source,
      );
      return confirmAt(c, form, created.id);
    } catch (error) {
      return renderForm(c, form, problemOf(error, p.lang, fieldMap));
    }
  }

  app.use(paths.disasterIssue, gate('broadcast.emergency'));
  app.use(`${paths.disasterIssue}/*`, gate('broadcast.emergency'));

  app.get(paths.disasterIssue, async (c) => {
    const ctx = signedIn(c);
    const [commune, events] = await Promise.all([
      communeOf(services, ctx),
      services.disaster.listEvents(ctx, 'active'),
    ]);
    const local = utcToLocal(clock.now().getTime(), commune.timeZone);
    const latest: DisasterEventView | undefined = events[0];
    return renderForm(c, {
      event: latest?.id ?? 'new',
      hazardType: latest ? '' : 'storm',
      // The level is chosen each time: a bulletin's level carried over unseen would misinform.
      agency: latest?.bulletins[0]?.agency ?? '',
      issuedDate: local.date,
      issuedTime: local.time.slice(0, 5),
      content: 'text',
      hamletIds: 'all',
    });
  });

  app.post(paths.disasterIssue, async (c) => {
    await using upload = await receivePageUpload(c, deps.media, deps.uploadLimitBytes, {
      maxFields: MAX_FORM_FIELDS,
    });
    // Awaited here, so the upload is disposed of only after the use case has taken it over.
    return await review(c, upload.values, upload);
  });

  app.get(paths.disasterIssueConfirm, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const dm = disasterMessages(p.lang);
    const values: FormValues = c.req.queries();
    const [commune, hamlets, events] = await Promise.all([
      communeOf(services, ctx),
      hamletsOf(services, ctx),
      services.disaster.listEvents(ctx, 'active'),
    ]);
    const built = bulletinFrom(values, commune.timeZone, p, dm, one(values, 'announcementId'));
    if (!built.ok) return renderForm(c, values, { general: p.m.fixBelow, fields: built.fields, status: 400 });
    const a = await services.announcements.get(ctx, one(values, 'announcementId'));
    const { request, event } = built.value;
    const eventName = 'open' in event ? event.open.name : (events.find((e) => e.id === event.id)?.name ?? '');
    const targets =
      request.hamletIds === 'all' ? hamlets : hamlets.filter((h) => request.hamletIds.includes(h.id));
    const why = notAirableReason(a);
    const facts = (
      <Facts
        p={p}
        dm={dm}
        a={a}
        eventName={eventName}
        request={request}
        hamletNames={targets.map((h) => h.name)}
        issued={(p.lang === 'vi' ? formatLocalVi : formatLocalEn)(
          Date.parse(request.issuedAt),
          commune.timeZone,
        )}
      />
    );
    const back = (
      <button type="submit" name="edit" value="1" class="secondary">
        {p.m.back}
      </button>
    );
    return sendPage(
      c,
      <Layout
        p={p}
        title={why === 'processing' ? p.m.preparingTitle : dm.confirmTitle}
        {...(why === 'processing' && { scripts: ['status.js'], refreshS: 5 })}
      >
        {why === 'processing' ? (
          <div
            class="card"
            data-poll={`/api/v1/announcements/${encodeURIComponent(a.id)}`}
            data-labels={JSON.stringify(p.m.status)}
            data-signature={`${a.status}:${a.variants.map((v) => `${v.language}=${v.status}`).join(',')}`}
          >
            <p aria-live="polite">{p.m.preparingText}</p>
            {facts}
          </div>
        ) : why ? (
          <>
            <p class="form-error" role="alert">
              {p.m.notAirable} {p.m.notOfferedWhy[why]}
              {why === 'failed' && a.error ? ` (${a.error})` : ''}
            </p>
            {facts}
          </>
        ) : (
          <>
            <p class="warning" role="alert">
              {dm.confirmText}
            </p>
            {facts}
            {a.variants
              .filter((v) => v.audio && v.approval === 'approved')
              .map((v) => (
                <audio
                  controls
                  preload="none"
                  src={`/media/${v.audio!.sha256}.${v.audio!.format}`}
                  aria-label={`${p.m.listen}: ${a.title}`}
                ></audio>
              ))}
          </>
        )}
        <form method="post" action={paths.disasterIssueConfirm}>
          <Csrf p={p} />
          <Carried values={values} />
          <OnceKey />
          <div class="actions">
            {why ? null : (
              <button type="submit" class="danger">
                {dm.issue}
              </button>
            )}
            {back}
          </div>
        </form>
      </Layout>,
    );
  });

  app.post(paths.disasterIssueConfirm, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const dm = disasterMessages(p.lang);
    let form = await readForm(c);
    // Back to the form with the content just made chosen, so nothing is typed or recorded twice: to edit,
    // and after any refusal below.
    form = { ...form, content: 'existing' };
    if (one(form, 'edit')) return renderForm(c, form);
    const commune = await communeOf(services, ctx);
    const built = bulletinFrom(form, commune.timeZone, p, dm, one(form, 'announcementId'));
    if (!built.ok) return renderForm(c, form, { general: p.m.fixBelow, fields: built.fields, status: 400 });
    try {
      const { event } = built.value;
      // The content first: another commune's (404) or content that cannot air opens no event.
      const content = await services.announcements.get(ctx, built.value.request.announcementId);
      const why = notAirableReason(content);
      if (why)
        return renderForm(c, form, {
          general: `${p.m.notAirable} ${p.m.notOfferedWhy[why]}`,
          fields: {},
          status: 422,
        });
      // Posted twice under the page's one-time key, the second finds the first's event and bulletin.
      const once = onceKeyOf(form);
      const eventId =
        'open' in event ? (await services.disaster.createEvent(ctx, event.open, once)).id : event.id;
      // A refusal below keeps the event just opened, so that sending again does not open a second one.
      form = { ...form, event: eventId };
      const issued = await services.disaster.addBulletin(ctx, eventId, built.value.request, once);
      // On the edge the header is a processing node's job first: the page says the bulletin waits.
      return seeOther(c, paths.disaster, issued.state === 'on_air' ? 'bulletinIssued' : 'bulletinWaiting');
    } catch (error) {
      return renderForm(c, form, problemOf(error, p.lang, fieldMap));
    }
  });

  return app;
}

/** What will air, where, with what level, as the officer confirms it. */
function Facts(props: {
  p: PageContext;
  dm: DisasterMessages;
  a: Announcement;
  eventName: string;
  request: BulletinRequest;
  hamletNames: readonly string[];
  issued: string;
}) {
  const { p, dm, a, request } = props;
  return (
    <dl class="facts">
      <dt>{dm.event}</dt>
      <dd>{props.eventName}</dd>
      <dt>{dm.riskLevel}</dt>
      <dd>
        <RiskLevelBadge p={p} level={request.riskLevel} />
      </dd>
      <dt>{dm.hazardType}</dt>
      <dd>{request.hazardType ? (p.m.hazard[request.hazardType] ?? request.hazardType) : '–'}</dd>
      <dt>{dm.agency}</dt>
      <dd>{request.agency}</dd>
      <dt>{dm.issuedTime}</dt>
      <dd>{props.issued}</dd>
      <dt>{p.m.announcement}</dt>
      <dd>{a.title}</dd>
      <dt>{p.m.processing}</dt>
      <dd>
        <Badge tone={processingTone[a.status]}>
          <span data-status-text>{p.m.status[a.status]}</span>
        </Badge>
      </dd>
      <dt>{p.m.hamlets}</dt>
      <dd>{props.hamletNames.join(', ')}</dd>
    </dl>
  );
}
