import { Hono, type Context } from 'hono';
import type { Announcement as AnnouncementRow, Variant as VariantRow } from '../../../domain/announcement.js';
import { hasCommuneScope } from '../../../domain/actor.js';
import { isAllowed } from '../../../domain/policy.js';
import { gate } from '../../middleware/gate.js';
import { formatDuration, formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import type { RequestContext } from '../../../domain/actor.js';
import { communeOf, formatNumber, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { problemOf, type FormProblem } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Csrf, Layout, Section, approvalTone, notices, processingTone } from '../ui.js';
import { Waveform } from '../waveform.js';
import { receivePageUpload, sourceFrom } from './page-upload.js';
import { readSend, readVariant, SendForm, VariantForm, type SendValues } from './send-form.js';

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

function when(iso: string, timeZone: string, p: PageContext): string {
  return (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
}

const signatureOf = (a: AnnouncementRow) =>
  `${a.status}:${a.variants.map((v) => `${v.language}=${v.status}`).join(',')}`;
const finished = (v: VariantRow) => v.status === 'ready' || v.status === 'failed';

function VariantView({ p, v, languageLabel }: { p: PageContext; v: VariantRow; languageLabel: string }) {
  const m = p.m;
  const audio = v.audio;
  return (
    <div class="card">
      <h3>
        {m.variantFor(languageLabel)} <Badge tone={processingTone[v.status]}>{m.status[v.status]}</Badge>
      </h3>
      {audio ? (
        <>
          <Waveform peaks={audio.peaks} label={`${m.waveform}: ${languageLabel}`} />
          <dl class="facts">
            <dt>{m.duration}</dt>
            <dd>{formatDuration(audio.durationMs)[p.lang]}</dd>
            <dt>{m.loudness}</dt>
            <dd data-loudness>
              {m.loudnessBeforeAfter(
                audio.sourceLufs === null ? m.none : `${formatNumber(audio.sourceLufs, p.lang)} LUFS`,
                `${formatNumber(audio.integratedLufs, p.lang)} LUFS`,
              )}
            </dd>
            <dt>{m.truePeak}</dt>
            <dd>{`${formatNumber(audio.truePeakDbtp, p.lang)} dBTP`}</dd>
          </dl>
          <audio
            controls
            preload="none"
            src={`/media/${audio.sha256}.${audio.format}`}
            aria-label={`${m.listen}: ${languageLabel}`}
          ></audio>
        </>
      ) : null}
      {v.status === 'failed' && v.error ? (
        <p class="form-error">
          {m.failedReason} {v.error}
        </p>
      ) : null}
      {v.status === 'queued' && v.error ? <p class="warning">{v.error}</p> : null}
    </div>
  );
}

interface DetailProps {
  readonly p: PageContext;
  readonly a: AnnouncementRow;
  readonly timeZone: string;
  readonly languageLabel: (code: string) => string;
  readonly hamletName: string;
  readonly variantLanguages: readonly Option[];
  readonly canCreate: boolean;
  readonly variant?: { values: SendValues; problem?: FormProblem | undefined };
  readonly notice?: string | undefined;
}

function DetailPage({
  p,
  a,
  timeZone,
  languageLabel,
  hamletName,
  variantLanguages,
  canCreate,
  variant,
  notice,
}: DetailProps) {
  const m = p.m;
  const live = !a.variants.every(finished);
  const labels = JSON.stringify(m.status);
  return (
    <Layout
      p={p}
      title={a.title}
      scripts={live ? ['status.js', 'send.js', 'toggle.js'] : ['send.js', 'toggle.js']}
      refreshS={live ? 5 : undefined}
      notice={notice}
    >
      <dl class="facts">
        <dt>{m.processing}</dt>
        <dd>
          <Badge tone={processingTone[a.status]}>{m.status[a.status]}</Badge>
        </dd>
        <dt>{m.approvalLabel}</dt>
        <dd>
          <Badge tone={approvalTone[a.approval]}>{m.approval[a.approval]}</Badge>
        </dd>
        <dt>{m.category}</dt>
        <dd>{m.categories[a.category] ?? a.category}</dd>
        <dt>{m.hamlet}</dt>
        <dd>{hamletName}</dd>
        <dt>{m.created}</dt>
        <dd>{when(a.createdAt, timeZone, p)}</dd>
      </dl>
      {a.approval === 'rejected' && a.approvalReason ? (
        <p class="warning">
          {m.rejectedReason} {a.approvalReason}
        </p>
      ) : null}
      {live ? (
        <div
          class="card"
          data-poll={`/api/v1/announcements/${encodeURIComponent(a.id)}`}
          data-labels={labels}
          data-signature={signatureOf(a)}
        >
          <p data-status-text aria-live="polite">
            {m.status[a.status]}
          </p>
          <p class="meta">
            {m.liveHint} <a href={paths.announcement(a.id)}>{m.reload}</a>
          </p>
        </div>
      ) : null}
      {a.variants.map((v) => (
        <VariantView p={p} v={v} languageLabel={languageLabel(v.language)} />
      ))}
      {canCreate && a.variants.some((v) => v.status === 'failed') ? (
        <form method="post" action={paths.retry(a.id)}>
          <Csrf p={p} />
          <button type="submit">{m.retry}</button>
        </form>
      ) : null}
      {canCreate && variantLanguages.length > 0 ? (
        <Section title={m.addVariant} id="variant">
          <VariantForm
            p={p}
            announcementId={a.id}
            values={variant?.values ?? { language: variantLanguages[0]?.[0] }}
            errors={variant?.problem?.fields ?? {}}
            general={variant?.problem?.general}
            languages={variantLanguages}
          />
        </Section>
      ) : null}
    </Layout>
  );
}

export function announcementRoutes(deps: WebDeps) {
  const { services } = deps;
  const app = new Hono();

  async function renderSend(c: Context, values: SendValues, problem?: FormProblem) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const { languages, hamletOptions } = await sendOptions(deps, ctx, p);
    return sendPage(
      c,
      <Layout p={p} title={p.m.sendTitle} scripts={['send.js', 'toggle.js']}>
        <section aria-label={p.m.sendTitle}>
          <SendForm
            p={p}
            values={{ language: languages[0]?.[0], ...values }}
            errors={problem?.fields ?? {}}
            general={problem?.general}
            languages={languages}
            hamlets={hamletOptions}
          />
        </section>
      </Layout>,
      problem?.status ?? 200,
    );
  }

  async function renderDetail(c: Context, id: string, variant?: DetailProps['variant']) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const a = await services.announcements.get(ctx, id);
    const commune = await communeOf(services, ctx);
    const hamlets = await hamletsOf(services, ctx);
    const hamlet = hamlets.find((h) => h.id === a.hamletId);
    const present = new Set(a.variants.map((v) => v.language));
    const codes = hamlet ? hamlet.languages : commune.settings.languages.map((l) => l.code);
    const notice = notices(p.m)[c.req.query('tb') ?? ''];
    return sendPage(
      c,
      <DetailPage
        p={p}
        a={a}
        timeZone={commune.timeZone}
        languageLabel={(code) => languageName(commune, code)}
        hamletName={hamlet?.name ?? (a.hamletId ? a.hamletId : p.m.wholeCommune)}
        variantLanguages={codes
          .filter((code) => !present.has(code))
          .map((code): Option => [code, languageName(commune, code)])}
        canCreate={isAllowed(ctx.actor, 'announcement.create', [a.hamletId])}
        variant={variant}
        notice={notice}
      />,
      variant?.problem?.status ?? 200,
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
      const created = await services.announcements.create(ctx, read.value.meta, source.source);
      return seeOther(c, paths.announcement(created.id));
    } catch (error) {
      return renderSend(c, values, uploadProblem(error, p));
    }
  });

  app.get(paths.mine, async (c) => {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const page = await services.announcements.list(ctx, { mine: true, limit: 100 });
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
    if (!read.ok) return renderDetail(c, id, { values, problem: read.problem });
    const source = sourceFrom(upload, read.value.source, p.m);
    if ('problem' in source) return renderDetail(c, id, { values, problem: source.problem });
    try {
      await services.announcements.addVariant(ctx, id, read.value.meta.language, source.source);
      return seeOther(c, paths.announcement(id));
    } catch (error) {
      return renderDetail(c, id, { values, problem: uploadProblem(error, p) });
    }
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
