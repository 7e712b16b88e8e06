import { Hono, type Context } from 'hono';
import type { RequestContext } from '../../../domain/actor.js';
import { utcToLocal } from '../../../domain/schedule/index.js';
import type { ReceiverView } from '../../../services/receivers.service.js';
import type { ReceivedUpload } from '../../upload.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, onceKeyOf, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Layout, notices } from '../ui.js';
import { carried, EmergencyForm, fieldMap, readContent, requestFrom } from './emergency-form.js';
import { ReviewPage } from './emergency-review.js';
import { SentPage } from './emergency-sent.js';
import { receivePageUpload, sourceFrom } from './page-upload.js';

/** Room for a checkbox per hamlet beside the form's other fields in one multipart post. */
const MAX_FORM_FIELDS = 80;

/** The review step's address: the choices in the query, so the page can reload while audio processes. */
function reviewUrl(values: FormValues, announcementId: string): string {
  const query = new URLSearchParams();
  for (const name of carried) {
    const given = name === 'announcementId' ? [announcementId] : [values[name] ?? []].flat();
    for (const v of given) if (v) query.append(name, v);
  }
  return `${paths.emergencyReview}?${query.toString()}`;
}

/** Every receiver the user may see, for the online counts per hamlet. */
async function allReceivers(deps: WebDeps, ctx: RequestContext): Promise<ReceiverView[]> {
  const found: ReceiverView[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.services.receivers.list(ctx, { limit: 200, ...(cursor && { cursor }) });
    found.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found;
}

/**
 * The commune office's emergency, from scratch in one form: type a text (or send a recording, or pick
 * content that can air) and pick hamlets; content created here is approved by that act. The next step
 * shows the audio processing in place, then what will air where with the boxes online now, and asks
 * again; after "Xác nhận phát" the page follows which boxes have started.
 */
export function emergencyRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  async function renderForm(c: Context, values: FormValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const [commune, hamlets, recent] = await Promise.all([
      communeOf(services, ctx),
      hamletsOf(services, ctx),
      services.announcements.list(ctx, { withdrawn: false, newestFirst: true, limit: 200 }),
    ]);
    const { repeatCount, repeatIntervalMin } = commune.settings.emergency;
    const announcements = [...recent.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return sendPage(
      c,
      <Layout p={p} title={p.m.emergencyTitle} scripts={['toggle.js', 'compose.js']}>
        <p class="warning">{p.m.emergencyIntro}</p>
        <section aria-label={p.m.emergencyTitle}>
          <EmergencyForm
            p={p}
            values={values}
            problem={problem}
            hamlets={hamlets}
            announcements={announcements}
            languages={commune.settings.languages.map(
              (l) => [l.code, languageName(commune, l.code)] as const,
            )}
            repeat={{ count: repeatCount, intervalMin: repeatIntervalMin }}
          />
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  /** The form's first post: check everything, store new content (approved), then review it. */
  async function review(c: Context, form: FormValues, upload: ReceivedUpload | undefined) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const commune = await communeOf(services, ctx);
    const content = readContent(form, p, upload?.file?.filename ?? null);
    const id = content.ok && content.value.kind === 'existing' ? content.value.announcementId : 'new';
    const where = requestFrom(form, commune.timeZone, p, id);
    const fields = { ...(!content.ok && content.fields), ...(!where.ok && where.fields) };
    if (!content.ok || !where.ok) return renderForm(c, form, { general: p.m.fixBelow, fields, status: 400 });
    if (content.value.kind === 'existing') return c.redirect(reviewUrl(form, id), 303);
    const chosen = content.value.source;
    const source = upload
      ? sourceFrom(upload, chosen, p.m)
      : chosen.kind === 'text'
        ? { source: { kind: 'text' as const, text: chosen.text, voice: chosen.voice } }
        : {
            problem: {
              general: p.m.fixBelow,
              fields: { file: p.m.needFileOrRecording },
              status: 400 as const,
            },
          };
    if ('problem' in source) return renderForm(c, form, source.problem);
    try {
      const created = await services.announcements.createForEmergency(ctx, content.value.meta, source.source);
      return c.redirect(reviewUrl(form, created.id), 303);
    } catch (error) {
      const problem = problemOf(error, p.lang, fieldMap);
      const own = Object.keys(problem.fields).length > 0 || problem.status === 403 || problem.status === 404;
      return renderForm(c, form, own ? problem : { ...problem, fields: { file: problem.general } });
    }
  }

  app.use(paths.emergency, gate('broadcast.emergency'));
  app.use(`${paths.emergency}/*`, gate('broadcast.emergency'));

  app.get(paths.emergency, async (c) => {
    const ctx = signedIn(c);
    const commune = await communeOf(services, ctx);
    const today = utcToLocal(clock.now().getTime(), commune.timeZone).date;
    return renderForm(c, { content: 'text', start: 'now', repeat: 'default', atDate: today });
  });

  // The form posts multipart (it may carry a recording); the review and back buttons post urlencoded.
  app.post(paths.emergency, async (c) => {
    if (c.req.header('content-type')?.startsWith('multipart/form-data')) {
      await using upload = await receivePageUpload(c, deps.media, deps.uploadLimitBytes, {
        maxFields: MAX_FORM_FIELDS,
      });
      // Awaited here, so the upload is disposed of only after the use case has taken it over.
      return await review(c, upload.values, upload);
    }
    const form = await readForm(c);
    if (one(form, 'edit')) return renderForm(c, form);
    if (one(form, 'step') !== 'confirm') return review(c, form, undefined);
    const ctx = signedIn(c);
    const p = pageContext(c);
    const commune = await communeOf(services, ctx);
    const built = requestFrom(form, commune.timeZone, p, one(form, 'announcementId'));
    if (!built.ok) return renderForm(c, form, { general: p.m.fixBelow, fields: built.fields, status: 400 });
    try {
      // Posted twice under the page's one-time key: the second finds the first's booking and follows it.
      const scheduled = await services.broadcasts.schedule(ctx, built.value, onceKeyOf(form));
      return seeOther(c, paths.emergencySent(scheduled.id), 'emergency');
    } catch (error) {
      return renderForm(c, form, problemOf(error, p.lang, fieldMap));
    }
  });

  app.get(paths.emergencyReview, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const values: FormValues = { ...c.req.queries(), content: 'existing' };
    const [commune, hamlets] = await Promise.all([communeOf(services, ctx), hamletsOf(services, ctx)]);
    const built = requestFrom(values, commune.timeZone, p, one(values, 'announcementId'));
    if (!built.ok) return renderForm(c, values, { general: p.m.fixBelow, fields: built.fields, status: 400 });
    const [announcement, receivers] = await Promise.all([
      services.announcements.get(ctx, built.value.announcementId!),
      allReceivers(deps, ctx),
    ]);
    const { repeatCount, repeatIntervalMin } = commune.settings.emergency;
    return sendPage(
      c,
      <ReviewPage
        p={p}
        values={values}
        announcement={announcement}
        request={built.value}
        hamlets={hamlets}
        receivers={receivers}
        repeat={{ count: repeatCount, intervalMin: repeatIntervalMin }}
      />,
    );
  });

  app.get('/giam-sat/khan-cap/da-gui/:id', async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const [reach, hamlets] = await Promise.all([
      services.monitoring.reach(ctx, c.req.param('id')),
      hamletsOf(services, ctx),
    ]);
    return sendPage(
      c,
      <SentPage
        p={p}
        reach={reach}
        hamletNames={Object.fromEntries(hamlets.map((h) => [h.id, h.name]))}
        notice={notices(p.m)[c.req.query('tb') ?? '']}
      />,
    );
  });

  return app;
}
