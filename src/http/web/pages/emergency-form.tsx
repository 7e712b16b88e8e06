import {
  AnnouncementMetaSchema,
  notAirableReason,
  SpeechSchema,
  type Announcement,
  type AnnouncementMeta,
} from '../../../domain/announcement.js';
import { BroadcastRequestSchema, type BroadcastRequest } from '../../../domain/broadcast.js';
import type { Hamlet } from '../../../domain/hamlet.js';
import { localToUtc, parseLocalDate, parseLocalTime } from '../../../domain/schedule/index.js';
import { many, one, type FormProblem, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Choices, Csrf, FormError, TextField } from '../form-fields.js';
import type { FormSource } from './send-form.js';
import { ContentFields } from './content-fields.js';

/** The service's fields → this form's controls. */
export const fieldMap = {
  announcementId: 'announcementId',
  hamletIds: 'hamletIds',
  at: 'atTime',
  priority: 'announcementId',
  title: 'title',
  text: 'text',
  voice: 'voice',
  language: 'language',
};

/** The form's choices that travel from step to step (the content itself is stored by then). */
export const carried = ['announcementId', 'hamletIds', 'start', 'atDate', 'atTime', 'repeat'] as const;

type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fields: Record<string, string> };

/**
 * The emergency request from the form, for content `announcementId`; the service decides the rest
 * (scope, content, repeats). Checked with the use case's own schema, as `POST /api/v1/broadcasts` is.
 */
export function requestFrom(
  form: FormValues,
  timeZone: string,
  p: PageContext,
  announcementId: string,
): Checked<BroadcastRequest> {
  const m = p.m;
  const fields: Record<string, string> = {};
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
  if (Object.keys(fields).length > 0) return { ok: false, fields };
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
  return checked.ok ? checked : { ok: false, fields: checked.problem.fields };
}

/** The first words of a text, as a title when none was typed: what the office reads in lists. */
function titleFrom(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= 60) return flat;
  const cut = flat.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

/** What the content part of the form asks for: content to create (typed or recorded), or existing. */
export type ContentChoice =
  | { readonly kind: 'existing'; readonly announcementId: string }
  | { readonly kind: 'new'; readonly meta: AnnouncementMeta; readonly source: FormSource };

/** The content part, checked with the announcement schemas the send form and the API use. */
export function readContent(
  form: FormValues,
  p: PageContext,
  fileName: string | null,
): Checked<ContentChoice> {
  const m = p.m;
  const kind = one(form, 'content') || 'text';
  if (kind === 'existing') {
    const announcementId = one(form, 'announcementId');
    return announcementId
      ? { ok: true, value: { kind, announcementId } }
      : { ok: false, fields: { announcementId: m.required } };
  }
  // An empty text is asked for; a text too long is refused with its count.
  const options = one(form, 'text').trim() ? {} : { messages: { text: m.needText } };
  const speech =
    kind === 'text'
      ? checkInput(SpeechSchema, { text: one(form, 'text'), voice: one(form, 'voice') || 'vi' }, p, options)
      : undefined;
  const typed = one(form, 'title').trim();
  const fallback =
    kind === 'text'
      ? titleFrom(one(form, 'text'))
      : fileName
        ? `${m.emergencyTitle}: ${fileName.replace(/\.[^.]*$/, '')}`
        : m.emergencyTitle;
  const meta = checkInput(
    AnnouncementMetaSchema,
    {
      title: typed || fallback || m.emergencyTitle,
      language: kind === 'text' ? 'vi' : one(form, 'language') || 'vi',
    },
    p,
  );
  const fields = {
    ...(speech && !speech.ok && speech.problem.fields),
    ...(!meta.ok && meta.problem.fields),
  };
  if (!meta.ok || (speech && !speech.ok)) return { ok: false, fields };
  const source: FormSource = speech?.ok ? { kind: 'text', ...speech.value } : { kind: 'audio' };
  return { ok: true, value: { kind: 'new', meta: meta.value, source } };
}

export interface EmergencyFormProps {
  readonly p: PageContext;
  readonly values: FormValues;
  readonly problem?: FormProblem | undefined;
  readonly hamlets: readonly Hamlet[];
  /** Recent announcements: offered when they can air, listed with the reason when they cannot. */
  readonly announcements: readonly Announcement[];
  readonly languages: readonly (readonly [string, string])[];
  readonly repeat: { readonly count: number; readonly intervalMin: number };
}

/**
 * "Phát khẩn cấp" from scratch: the content (a text to read, a recording, or an announcement that can
 * air), the hamlets or the whole commune, when, and how it repeats. One multipart post; the next step
 * shows the audio being processed and then asks for the confirmation.
 */
export function EmergencyForm({
  p,
  values,
  problem,
  hamlets,
  announcements,
  languages,
  repeat,
}: EmergencyFormProps) {
  const m = p.m;
  const errors = problem?.fields ?? {};
  const offered = announcements.filter((a) => notAirableReason(a) === null);
  const withheld = announcements.flatMap((a) => {
    const why = notAirableReason(a);
    return why ? [{ a, why }] : [];
  });
  return (
    <form method="post" action={paths.emergency} enctype="multipart/form-data" novalidate>
      <Csrf p={p} />
      <input type="hidden" name="step" value="review" />
      <FormError message={problem?.general} />
      <ContentFields
        m={m}
        values={values}
        errors={errors}
        offered={offered}
        languages={languages}
        voices
        existingNote={
          withheld.length > 0 ? (
            <div class="card" data-withheld>
              <h2>{m.notOffered}</h2>
              <ul class="list">
                {withheld.map(({ a, why }) => (
                  <li>
                    <a href={paths.announcement(a.id)}>{a.title}</a>
                    <span class="meta"> — {m.notOfferedWhy[why]}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null
        }
      />
      <Choices
        type="checkbox"
        name="hamletIds"
        label={m.hamlets}
        options={[['all', m.allHamlets] as const, ...hamlets.map((h) => [h.id, h.name] as const)]}
        checked={many(values, 'hamletIds')}
        error={errors.hamletIds}
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
          error={errors.atDate}
        />
        <TextField
          name="atTime"
          type="time"
          label={m.time}
          value={one(values, 'atTime')}
          error={errors.atTime}
        />
      </div>
      <Choices
        type="radio"
        name="repeat"
        label={m.repeat}
        options={[
          ['default', m.repeatDefault(repeat.count, repeat.intervalMin)],
          ['bulletin', m.repeatBulletin],
        ]}
        checked={[one(values, 'repeat') || 'default']}
      />
      <p class="hint">{m.emergencyApprovedHint}</p>
      <button type="submit" class="danger">
        {m.continue}
      </button>
    </form>
  );
}
