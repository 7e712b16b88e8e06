import type { Announcement, Variant } from '../../../domain/announcement.js';
import type { Airing } from '../../../domain/broadcast.js';
import type { Commune } from '../../../domain/commune.js';
import type { FormProblem } from '../forms.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, Layout, Section, approvalTone, processingTone } from '../ui.js';
import { Csrf } from '../form-fields.js';
import { Waveform } from '../waveform.js';
import {
  AiringsTable,
  DecisionForms,
  Player,
  TechnicalDetails,
  TypedText,
  when,
} from './announcement-parts.js';
import { VariantForm, type SendValues } from './send-form.js';

type Option = readonly [string, string];

const signatureOf = (a: Announcement) =>
  `${a.status}:${a.variants.map((v) => `${v.language}=${v.status}`).join(',')}`;
const finished = (v: Variant) => v.status === 'ready' || v.status === 'failed';

function VariantView({
  p,
  announcementId,
  v,
  languageLabel,
  served,
}: {
  p: PageContext;
  announcementId: string;
  v: Variant;
  languageLabel: string;
  /**
   * Whether `/media/…` still serves its audio: not once the content is withdrawn or refused. The staff
   * still listen, through the page's own address behind their session.
   */
  served: boolean;
}) {
  const m = p.m;
  const audio = v.audio;
  return (
    <div class="card" data-language={v.language}>
      <h3>
        {m.variantFor(languageLabel)} <Badge tone={processingTone[v.status]}>{m.status[v.status]}</Badge>
      </h3>
      <TypedText p={p} v={v} languageLabel={languageLabel} />
      {audio ? (
        <>
          <Waveform peaks={audio.peaks} label={`${m.waveform}: ${languageLabel}`} />
          {served ? (
            <Player p={p} audio={audio} label={languageLabel} />
          ) : (
            <>
              <Player
                p={p}
                audio={audio}
                label={languageLabel}
                src={paths.variantAudio(announcementId, v.id, audio.format)}
              />
              <p class="meta" data-audio-withdrawn>
                {m.audioNotServed}
              </p>
            </>
          )}
          <TechnicalDetails p={p} audio={audio} />
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

export interface DetailProps {
  readonly p: PageContext;
  readonly a: Announcement;
  readonly commune: Commune;
  readonly airings: readonly Airing[];
  readonly now: number;
  readonly languageLabel: (code: string) => string;
  readonly hamletName: string;
  readonly variantLanguages: readonly Option[];
  /** What the signed-in person may do here, as the policy says. */
  readonly may: { readonly create: boolean; readonly decide: boolean; readonly withdraw: boolean };
  readonly variant?: { values: SendValues; problem?: FormProblem | undefined } | undefined;
  readonly reject?: { reason: string; problem: FormProblem } | undefined;
  /** Why the office's decision from this page was not made: the announcement changed meanwhile. */
  readonly refused?: string | undefined;
  readonly notice?: string | undefined;
  /** What the upload script does with a recording in the browser (`WebDeps.browserAudio`). */
  readonly browserAudio?: 'process' | 'shrink' | undefined;
}

/**
 * An announcement's page: its state, each version (typed text, player, technical details), where and
 * when it airs and whether it played, and what the person may do: decide (the office), withdraw (its
 * author or the office), retry, add a language.
 */
export function DetailPage(props: DetailProps) {
  const { p, a, commune, may } = props;
  const m = p.m;
  const live = !a.variants.every(finished);
  const open = a.withdrawnAt === null;
  const scripts = ['send.js', 'toggle.js', 'compose.js'];
  return (
    <Layout
      p={p}
      title={a.title}
      scripts={live ? ['status.js', ...scripts] : scripts}
      refreshS={live ? 5 : undefined}
      notice={props.notice}
    >
      <dl class="facts">
        <dt>{m.processing}</dt>
        <dd>
          <Badge tone={processingTone[a.status]}>{m.status[a.status]}</Badge>
        </dd>
        <dt>{m.approvalLabel}</dt>
        <dd>
          <Badge tone={approvalTone[a.approval]}>{m.approval[a.approval]}</Badge>{' '}
          {open ? null : <Badge tone="muted">{m.withdrawn}</Badge>}
        </dd>
        <dt>{m.category}</dt>
        <dd>{m.categories[a.category] ?? a.category}</dd>
        <dt>{m.hamlet}</dt>
        <dd>{props.hamletName}</dd>
        <dt>{m.author}</dt>
        <dd>{a.authorName}</dd>
        <dt>{m.created}</dt>
        <dd>{when(a.createdAt, commune.timeZone, p)}</dd>
      </dl>
      {a.withdrawnAt ? (
        <p class="warning">{m.withdrawnAt(when(a.withdrawnAt, commune.timeZone, p))}</p>
      ) : null}
      {a.approval === 'rejected' && a.approvalReason ? (
        <p class="warning">
          {m.rejectedReason} {a.approvalReason}
        </p>
      ) : null}
      {live ? (
        <div
          class="card"
          data-poll={`/api/v1/announcements/${encodeURIComponent(a.id)}`}
          data-labels={JSON.stringify(m.status)}
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
      {/* First what the author asks most: where and when it airs, and whether it played. */}
      <Section title={m.airings} id="airings">
        <AiringsTable p={p} airings={props.airings} commune={commune} now={props.now} />
      </Section>
      {a.variants.map((v) => (
        <VariantView
          p={p}
          announcementId={a.id}
          v={v}
          languageLabel={props.languageLabel(v.language)}
          served={open && a.approval !== 'rejected' && v.approval !== 'rejected'}
        />
      ))}
      {may.decide && open ? (
        <Section title={m.decision} id="decision">
          <DecisionForms
            p={p}
            a={a}
            approveAction={paths.decideApprove(a.id)}
            rejectAction={paths.decideReject(a.id)}
            reject={props.reject}
            refused={props.refused}
          />
        </Section>
      ) : null}
      {may.withdraw && open ? (
        <Section title={m.withdraw} id="withdraw">
          <p class="meta">{m.withdrawHint}</p>
          <a class="button danger" href={paths.withdraw(a.id)}>
            {m.withdraw}
          </a>
        </Section>
      ) : null}
      {may.create && open && a.variants.some((v) => v.status === 'failed') ? (
        <form method="post" action={paths.retry(a.id)}>
          <Csrf p={p} />
          <button type="submit">{m.retry}</button>
        </form>
      ) : null}
      {/* Refused content takes no new version until the office approves it again (assertTakesVersions). */}
      {may.create && open && a.approval !== 'rejected' && props.variantLanguages.length > 0 ? (
        <Section title={m.addVariant} id="variant">
          <VariantForm
            p={p}
            announcementId={a.id}
            values={props.variant?.values ?? { language: props.variantLanguages[0]?.[0] }}
            errors={props.variant?.problem?.fields ?? {}}
            general={props.variant?.problem?.general}
            languages={props.variantLanguages}
            audio={{ mode: props.browserAudio ?? 'shrink', targets: commune.settings.audio }}
          />
        </Section>
      ) : null}
    </Layout>
  );
}

/**
 * The confirmation step before a withdrawal: what will happen, and the airings still to come that will
 * be cancelled, each named by hamlet and time. Only the button posts; "back" goes to the announcement.
 */
export function WithdrawPage({
  p,
  a,
  commune,
  coming,
}: {
  p: PageContext;
  a: Announcement;
  commune: Commune;
  coming: readonly Airing[];
}) {
  const m = p.m;
  return (
    <Layout p={p} title={m.withdrawTitle(a.title)}>
      <section aria-labelledby="withdraw-h">
        <h2 id="withdraw-h">{m.confirmation}</h2>
        <p>{m.withdrawText}</p>
        <p data-coming-count>
          <strong>{m.withdrawCount(coming.length)}</strong>
        </p>
        {coming.length > 0 ? (
          <ul data-coming>
            {coming.map((o) => (
              <li>
                {o.hamletName} · {when(o.startsAt, commune.timeZone, p)}
              </li>
            ))}
          </ul>
        ) : null}
        <form method="post" action={paths.withdraw(a.id)} class="actions">
          <Csrf p={p} />
          <button type="submit" class="danger">
            {m.confirmWithdraw}
          </button>
          <a class="button secondary" href={paths.announcement(a.id)}>
            {m.backToAnnouncement}
          </a>
        </form>
      </section>
    </Layout>
  );
}
