import { Hono, type Context } from 'hono';
import { RejectionReasonSchema } from '../../../domain/announcement.js';
import { hasCommuneScope } from '../../../domain/actor.js';
import type { RequestContext } from '../../../domain/actor.js';
import { stillToCome } from '../../../domain/broadcast.js';
import { notFound } from '../../../domain/errors.js';
import { assertMayWithdraw, isAllowed, mayWithdraw } from '../../../domain/policy.js';
import { gate } from '../../middleware/gate.js';
import { sendAsset } from '../../send-asset.js';
import { communeOf, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, onceKeyOf, one, problemOf, readForm, type FormProblem } from '../forms.js';
import { checkInput } from '../input.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, approvalTone, notices, processingTone } from '../ui.js';
import { DetailPage, WithdrawPage, type DetailProps } from './announcement-detail.js';
import { shownIn, when } from './announcement-parts.js';
import { receivePageUpload, sourceFrom } from './page-upload.js';
import { readSend, readVariant, SendForm, type SendValues } from './send-form.js';

type Option = readonly [string, string];

async function sendOptions(deps: WebDeps, ctx: RequestContext, p: PageContext) {
  const commune = await communeOf(deps.services, ctx);
  const hamlets = await hamletsOf(deps.services, ctx);
  const codes = hasCommuneScope(ctx.actor.role)
    ? commune.settings.languages.map((l) => l.code)
    : [...new Set(hamlets.flatMap((h) => h.languages))];
  const languages: Option[] = codes.map((code) => [code, languageName(commune, code)]);
  const hamletOptions: Option[] = hasCommuneScope(ctx.actor.role)
    ? [['', p.m.wholeCommune], ...hamlets.map((h): Option => [h.id, h.name])]
    : hamlets.length > 1
      ? hamlets.map((h): Option => [h.id, h.name])
      : [];
  return { commune, hamlets, languages, hamletOptions };
}

export function announcementRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderSend(c: Context, values: SendValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const { languages, hamletOptions, commune } = await sendOptions(deps, ctx, p);
    return sendPage(
      c,
      <Layout p={p} title={p.m.sendTitle} scripts={['send.js', 'toggle.js', 'compose.js']}>
        <section aria-label={p.m.sendTitle}>
          <SendForm
            p={p}
            values={{ language: languages[0]?.[0], ...values }}
            errors={problem?.fields ?? {}}
            general={problem?.general}
            languages={languages}
            hamlets={hamletOptions}
            audio={{ mode: deps.browserAudio ?? 'shrink', targets: commune.settings.audio }}
          />
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  async function renderDetail(
    c: Context,
    id: string,
    forms: Pick<DetailProps, 'variant' | 'reject' | 'refused'> = {},
    status: 200 | 400 | 403 | 404 | 409 | 422 = 200,
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const a = await services.announcements.get(ctx, id);
    const [commune, hamlets, airings] = await Promise.all([
      communeOf(services, ctx),
      hamletsOf(services, ctx),
      services.announcements.airings(ctx, id),
    ]);
    const hamlet = hamlets.find((h) => h.id === a.hamletId);
    const present = new Set(a.variants.map((v) => v.language));
    const codes = hamlet ? hamlet.languages : commune.settings.languages.map((l) => l.code);
    const tb = c.req.query('tb') ?? '';
    const cancelled = Number(/^\d{1,6}$/.exec(c.req.query('huy') ?? '')?.[0] ?? 0);
    const notice = tb === 'withdrawn' ? p.m.withdrawnNotice(cancelled) : notices(p.m)[tb];
    return sendPage(
      c,
      <DetailPage
        p={p}
        a={a}
        commune={commune}
        browserAudio={deps.browserAudio}
        airings={airings}
        now={deps.clock.now().getTime()}
        languageLabel={(code) => languageName(commune, code)}
        hamletName={hamlet?.name ?? (a.hamletId ? a.hamletId : p.m.wholeCommune)}
        variantLanguages={codes
          .filter((code) => !present.has(code))
          .map((code): Option => [code, languageName(commune, code)])}
        may={{
          create: isAllowed(ctx.actor, 'announcement.create', [a.hamletId]),
          decide: isAllowed(ctx.actor, 'announcement.approve', [a.hamletId]),
          withdraw: mayWithdraw(ctx.actor, a),
        }}
        {...forms}
        notice={notice}
      />,
      forms.variant?.problem?.status ?? forms.reject?.problem.status ?? status,
    );
  }

  app.use(paths.send, gate('announcement.create'));

  app.get(paths.send, (c) => renderSend(c, {}));

  // Without JavaScript: the form posts here and the recording streams to disk as in the API.
  app.post(paths.send, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    await using upload = await receivePageUpload(c, deps.media, deps.uploadLimitBytes);
    const values = upload.fields as SendValues;
    const read = readSend(upload.fields, p);
    if (!read.ok) return renderSend(c, values, read.problem);
    const source = sourceFrom(upload, read.value.source, p.m);
    if ('problem' in source) return renderSend(c, values, source.problem);
    try {
      const created = await services.announcements.create(
        ctx,
        read.value.meta,
        source.source,
        onceKeyOf(upload.fields),
      );
      return seeOther(c, paths.announcement(created.id));
    } catch (error) {
      return renderSend(c, values, uploadProblem(error, p));
    }
  });

  app.get(paths.mine, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const page = await services.announcements.list(ctx, { mine: true, newestFirst: true, limit: 100 });
    const commune = await communeOf(services, ctx);
    const items = [...page.items].sort((x, y) => y.createdAt.localeCompare(x.createdAt));
    return sendPage(
      c,
      <Layout p={p} title={p.m.mineTitle}>
        <p>
          <a class="button" href={paths.send}>
            {p.m.nav.send}
          </a>
        </p>
        <section aria-label={p.m.mineTitle}>
          {items.length === 0 ? <p>{p.m.noAnnouncements}</p> : null}
          <ul class="list">
            {items.map((a) => (
              <li>
                <a href={paths.announcement(a.id)}>
                  <strong>{a.title}</strong>
                </a>
                <div class="actions">
                  <Badge tone={processingTone[a.status]}>{p.m.status[a.status]}</Badge>
                  <Badge tone={approvalTone[a.approval]}>{p.m.approval[a.approval]}</Badge>
                  {a.withdrawnAt ? <Badge tone="muted">{p.m.withdrawn}</Badge> : null}
                </div>
                <p class="meta">
                  {when(a.createdAt, commune.timeZone, p)} ·{' '}
                  {a.variants.map((v) => languageName(commune, v.language)).join(', ')}
                </p>
              </li>
            ))}
          </ul>
        </section>
      </Layout>,
    );
  });

  app.get('/thong-bao/:id', (c) => renderDetail(c, c.req.param('id')));

  // The office listens to any version of what it may see, withdrawn or refused too (whose audio `/media`
  // no longer serves): it may approve refused content again, and judges it by ear. Behind the session,
  // scoped as the page is, and kept by no cache.
  app.get('/thong-bao/:id/am-thanh/:file{[^/]+\\.(mp3|opus)}', async (c) => {
    const a = await services.announcements.get(signedIn(c), c.req.param('id'));
    const file = c.req.param('file');
    const cut = file.lastIndexOf('.');
    const [variantId, ext] = [file.slice(0, cut), file.slice(cut + 1)];
    const v = a.variants.find((x) => x.id === variantId);
    const audio = [v?.audio, v?.opus].find((x) => x?.format === ext);
    const gone = () => {
      throw notFound('Audio', file, 'âm thanh');
    };
    const size = audio ? await deps.media.sizeOfAsset(audio.sha256, ext) : null;
    if (!audio || size === null) return gone();
    return sendAsset(c, deps.media, { sha256: audio.sha256, ext, size }, 'private, no-store', gone);
  });

  app.post('/thong-bao/:id/xu-ly-lai', async (c) => {
    const ctx = signedIn(c);
    const id = c.req.param('id');
    await services.announcements.retry(ctx, id);
    return seeOther(c, paths.announcement(id), 'queuedAgain');
  });

  app.post('/thong-bao/:id/ban-dich', async (c) => {
    const ctx = signedIn(c);
    const id = c.req.param('id');
    const p = pageContext(c);
    // Refuse before reading a large body when the announcement is not the user's to change.
    await services.announcements.assertMayAddVariant(ctx, id);
    await using upload = await receivePageUpload(c, deps.media, deps.uploadLimitBytes);
    const values = upload.fields as SendValues;
    const read = readVariant(upload.fields, p);
    if (!read.ok) return renderDetail(c, id, { variant: { values, problem: read.problem } });
    const source = sourceFrom(upload, read.value.source, p.m);
    if ('problem' in source) return renderDetail(c, id, { variant: { values, problem: source.problem } });
    try {
      await services.announcements.addVariant(ctx, id, read.value.meta.language, source.source);
      return seeOther(c, paths.announcement(id));
    } catch (error) {
      return renderDetail(c, id, { variant: { values, problem: uploadProblem(error, p) } });
    }
  });

  // The office decides from the announcement's own page as from the queue, and comes back to it.
  app.post('/thong-bao/:id/duyet', gate('announcement.approve'), async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      await services.announcements.decide(
        signedIn(c),
        id,
        'approved',
        null,
        many(form, 'variantId'),
        shownIn(form),
      );
    } catch (error) {
      // Someone decided meanwhile (409): said on the page. Anything else (not hers, gone) as any page says it.
      const problem = problemOf(error, pageContext(c).lang);
      if (problem.status !== 409) throw error;
      return renderDetail(c, id, { refused: problem.general }, 409);
    }
    return seeOther(c, paths.announcement(id), 'approved');
  });

  app.post('/thong-bao/:id/tu-choi', gate('announcement.approve'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const form = await readForm(c);
    const reason = one(form, 'reason');
    const input = checkInput(RejectionReasonSchema, { reason }, p);
    if (!input.ok) return renderDetail(c, id, { reject: { reason, problem: input.problem } });
    try {
      const decided = await services.announcements.decide(
        ctx,
        id,
        'rejected',
        input.value.reason,
        undefined,
        shownIn(form),
      );
      return seeOther(
        c,
        paths.announcement(id),
        decided.cancelledOccurrences > 0 ? 'rejectedOffAir' : 'rejected',
      );
    } catch (error) {
      return renderDetail(c, id, { reject: { reason, problem: problemOf(error, p.lang) } });
    }
  });

  // Withdrawing asks first: the confirmation names the airings still to come that it will cancel.
  app.get('/thong-bao/:id/rut-lai', gate('announcement.withdraw'), async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const id = c.req.param('id');
    const a = await services.announcements.get(ctx, id);
    if (a.withdrawnAt) return seeOther(c, paths.announcement(id));
    assertMayWithdraw(ctx.actor, a);
    const now = deps.clock.now().getTime();
    const [commune, airings] = await Promise.all([
      communeOf(services, ctx),
      services.announcements.airings(ctx, id),
    ]);
    return sendPage(
      c,
      <WithdrawPage p={p} a={a} commune={commune} coming={airings.filter((o) => stillToCome(o, now))} />,
    );
  });

  app.post('/thong-bao/:id/rut-lai', gate('announcement.withdraw'), async (c) => {
    const id = c.req.param('id');
    const done = await services.announcements.withdraw(signedIn(c), id);
    return seeOther(c, `${paths.announcement(id)}?huy=${done.cancelledOccurrences}`, 'withdrawn');
  });

  return app;
}

/** A refused upload: messages without a field of their own (format, size, damage) belong to the file. */
function uploadProblem(error: unknown, p: PageContext): FormProblem {
  const problem = problemOf(error, p.lang);
  if (Object.keys(problem.fields).length > 0 || problem.status === 403 || problem.status === 404)
    return problem;
  return { ...problem, fields: { file: problem.general } };
}
