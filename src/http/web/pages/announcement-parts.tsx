import type { Announcement, AudioInfo, Variant } from '../../../domain/announcement.js';
import { decisionShown, judgeable } from '../../../domain/announcement-decision.js';
import type { Airing } from '../../../domain/broadcast.js';
import type { Commune } from '../../../domain/commune.js';
import { hasOwnVoice } from '../../../domain/ports/tts.js';
import { formatDuration, formatLocalEn, formatLocalVi } from '../../../domain/schedule/index.js';
import { formatNumber } from '../commune.js';
import { one, type FormProblem, type FormValues } from '../forms.js';
import type { DecisionPrecondition } from '../../../services/announcement-decisions.js';
import type { PageContext } from '../page.js';
import { Badge, occurrenceTone } from '../ui.js';
import { Csrf, FormError, TextArea } from '../form-fields.js';

/** A stored instant as local date and time in the commune's zone, in the page's language. */
export function when(iso: string, timeZone: string, p: PageContext): string {
  return (p.lang === 'vi' ? formatLocalVi : formatLocalEn)(Date.parse(iso), timeZone);
}

/**
 * A player with the stored duration beside it: on 3G `preload="none"` fetches nothing before play, and
 * the duration measured at processing is what the file holds (a browser shows 0:00 until it loads).
 * `src` defaults to the public `/media` address.
 */
export function Player({
  p,
  audio,
  label,
  src,
}: {
  p: PageContext;
  audio: AudioInfo;
  label: string;
  src?: string | undefined;
}) {
  return (
    <div class="player">
      <audio
        controls
        preload="none"
        src={src ?? `/media/${audio.sha256}.${audio.format}`}
        aria-label={`${p.m.listen}: ${label}`}
      ></audio>
      <span class="meta" data-duration>
        {formatDuration(audio.durationMs)[p.lang]}
      </span>
    </div>
  );
}

/**
 * A text version's typed text and voice, and, for a language without a voice of its own, the note that
 * a Vietnamese voice reads it.
 */
export function TypedText({ p, v, languageLabel }: { p: PageContext; v: Variant; languageLabel: string }) {
  if (v.sourceKind !== 'text' || v.text === null) return null;
  const m = p.m;
  return (
    <>
      <p class="meta">
        {m.typedText} · {m.voice}: {m.voices[v.voice ?? 'vi'] ?? v.voice}
      </p>
      <blockquote class="typed-text" data-typed-text>
        {v.text}
      </blockquote>
      {hasOwnVoice(v.language) ? null : (
        <p class="warning" data-voice-note>
          {m.variantNoOwnVoice(languageLabel)}
        </p>
      )}
    </>
  );
}

/** Loudness before and after, true peak and range: for whoever checks the processing, folded away. */
export function TechnicalDetails({ p, audio }: { p: PageContext; audio: AudioInfo }) {
  const m = p.m;
  return (
    <details class="tech">
      <summary>{m.technicalDetails}</summary>
      <dl class="facts">
        <dt>{m.loudness}</dt>
        <dd data-loudness>
          {m.loudnessBeforeAfter(
            audio.sourceLufs === null ? m.none : `${formatNumber(audio.sourceLufs, p.lang)} LUFS`,
            `${formatNumber(audio.integratedLufs, p.lang)} LUFS`,
          )}
        </dd>
        <dt>{m.truePeak}</dt>
        <dd>{`${formatNumber(audio.truePeakDbtp, p.lang)} dBTP`}</dd>
        <dt>{m.loudnessRange}</dt>
        <dd>{`${formatNumber(audio.lraLu, p.lang)} LU`}</dd>
      </dl>
    </details>
  );
}

/** What the decision forms posted of the decision they showed: the service refuses one made since. */
export const shownIn = (form: FormValues): DecisionPrecondition => ({
  decisionShown: one(form, 'decision') || undefined,
});

/**
 * The office's two answers on one announcement, as forms that work without JavaScript: approve what it
 * can judge (unless all of that is approved) and reject with a reason (unless it is rejected).
 */
export function DecisionForms(props: {
  p: PageContext;
  a: Announcement;
  approveAction: string;
  rejectAction: string;
  reject?: { reason: string; problem: FormProblem } | undefined;
  /** Why a decision sent from this page was not made (someone decided meanwhile): shown above both. */
  refused?: string | undefined;
}) {
  const { p, a } = props;
  const m = p.m;
  // What the page shows is what is approved: a version added meanwhile, or not heard yet, waits. The
  // forms carry the decision shown, so one made over another officer's decision made since is refused.
  const seen = a.variants.filter(judgeable);
  const shown = decisionShown(a);
  return (
    <>
      <FormError message={props.refused} />
      <div class="two">
        {a.approval !== 'approved' && seen.some((v) => v.approval !== 'approved') ? (
          <form method="post" action={props.approveAction}>
            <Csrf p={p} />
            <input type="hidden" name="decision" value={shown} />
            {seen.map((v) => (
              <input type="hidden" name="variantId" value={v.id} />
            ))}
            <button type="submit" aria-label={`${m.approve}: ${a.title}`}>
              {m.approve}
            </button>
          </form>
        ) : a.approval !== 'approved' ? (
          <p class="meta" data-approve-later>
            {m.approveWhenHeard}
          </p>
        ) : null}
        {a.approval !== 'rejected' ? (
          <form method="post" action={props.rejectAction} novalidate>
            <Csrf p={p} />
            <input type="hidden" name="decision" value={shown} />
            <FormError message={props.reject?.problem.general} />
            <TextArea
              name="reason"
              id={`reason-${a.id}`}
              label={m.rejectReason}
              rows={2}
              maxlength={500}
              required
              value={props.reject?.reason}
              error={props.reject?.problem.fields.reason}
            />
            <button type="submit" class="danger" aria-label={`${m.reject}: ${a.title}`}>
              {m.reject}
            </button>
          </form>
        ) : null}
      </div>
    </>
  );
}

/**
 * Where and when the announcement airs and whether it played, one row per hamlet and time; a scheduled
 * airing whose time is running now shows as playing.
 */
export function AiringsTable({
  p,
  airings,
  commune,
  now,
}: {
  p: PageContext;
  airings: readonly Airing[];
  commune: Commune;
  now: number;
}) {
  const m = p.m;
  if (airings.length === 0) return <p data-airings-empty>{m.noAirings}</p>;
  const slotLabel = (name: string | null) => commune.settings.slots.find((s) => s.name === name)?.label;
  return (
    <>
      <div class="table-wrap">
        <table class="stack" data-airings>
          <thead>
            <tr>
              <th scope="col">{m.hamlet}</th>
              <th scope="col">{m.when}</th>
              <th scope="col">{m.state}</th>
            </tr>
          </thead>
          <tbody>
            {airings.map((a) => {
              const start = Date.parse(a.startsAt);
              const status =
                a.status === 'scheduled' && start <= now && now < start + a.durationMs ? 'playing' : a.status;
              const slot = slotLabel(a.slotName);
              return (
                <tr>
                  <th scope="row">{a.hamletName}</th>
                  <td data-label={m.when}>
                    {when(a.startsAt, commune.timeZone, p)}
                    {slot ? ` (${slot})` : ''}
                  </td>
                  <td data-label={m.state}>
                    <Badge tone={occurrenceTone[status]}>{m.occurrence[status]}</Badge>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="meta">{m.airingsNote}</p>
    </>
  );
}
