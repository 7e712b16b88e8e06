import type { z } from 'zod';
import {
  AnnouncementMetaSchema,
  SpeechSchema,
  VariantFieldsSchema,
  type AnnouncementMeta,
  type Speech,
} from '../../../domain/announcement.js';
import { hasOwnVoice, ttsVoices, voiceLanguage } from '../../../domain/ports/tts.js';
import type { AudioTargets } from '../../../domain/commune.js';
import { ffmpegUrls } from '../assets/ffmpeg-vendor.js';
import { assetUrl } from '../assets/index.js';
import type { FormProblem } from '../forms.js';
import { checkInput, type InputOptions } from '../input.js';
import type { Messages } from '../i18n.js';
import type { PageContext } from '../page.js';
import {
  AudioFileField,
  Choices,
  Csrf,
  FormError,
  OnceKey,
  SelectField,
  SpokenText,
  TextField,
  type FieldErrors,
} from '../form-fields.js';

type Option = readonly [value: string, label: string];

/** What a cadre typed into the send or add-language form, kept to show again after a refusal. */
export interface SendValues {
  readonly title?: string;
  readonly category?: string;
  readonly language?: string;
  readonly hamletId?: string;
  readonly source?: string;
  readonly text?: string;
  readonly voice?: string;
}

/** Where a version comes from, as the form asks: a recording, or a typed text with its voice. */
export type FormSource = { readonly kind: 'audio' } | ({ readonly kind: 'text' } & Speech);

type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: FormProblem };

/**
 * The send form, checked with the use case's own schemas (those of the API's `POST /api/v1/announcements`
 * and `…/variants`): the description with `describe`, the text with the speech schema. Only the choice
 * between a recording and a text is the form's own.
 */
function readForm<M>(
  fields: Readonly<Record<string, string>>,
  p: PageContext,
  describe: (options: InputOptions) => ReturnType<typeof checkInput<z.ZodType<M>>>,
): Checked<{ readonly meta: M; readonly source: FormSource }> {
  const options = { messages: { language: p.m.required } };
  const kind = fields.source === 'audio' || fields.source === 'text' ? fields.source : undefined;
  const meta = describe(options);
  const speech =
    kind === 'text'
      ? checkInput(
          SpeechSchema,
          { text: fields.text ?? '', ...(fields.voice && { voice: fields.voice }) },
          p,
          options,
        )
      : undefined;
  if (!kind || !meta.ok || (speech && !speech.ok)) {
    const wrong = {
      ...(!meta.ok && meta.problem.fields),
      ...(speech && !speech.ok && speech.problem.fields),
      // An empty text is asked for in words; a long one keeps the schema's message with its count.
      ...(kind === 'text' && !(fields.text ?? '').trim() && { text: p.m.needText }),
      ...(!kind && { source: p.m.required }),
    };
    return { ok: false, problem: { general: p.m.fixBelow, fields: wrong, status: 400 } };
  }
  const source: FormSource = speech?.ok ? { kind: 'text', ...speech.value } : { kind: 'audio' };
  return { ok: true, value: { meta: meta.value, source } };
}

/** The send form: a new announcement's description and its first version's source. */
export const readSend = (fields: Readonly<Record<string, string>>, p: PageContext) =>
  readForm<AnnouncementMeta>(fields, p, (options) =>
    checkInput(
      AnnouncementMetaSchema,
      {
        title: fields.title ?? '',
        language: fields.language ?? '',
        ...(fields.category && { category: fields.category }),
        ...(fields.hamletId && { hamletId: fields.hamletId }),
      },
      p,
      options,
    ),
  );

/** The add-language form: the language and the source of the new version. */
export const readVariant = (fields: Readonly<Record<string, string>>, p: PageContext) =>
  readForm<{ language: string }>(fields, p, (options) =>
    checkInput(VariantFieldsSchema, { language: fields.language ?? '' }, p, options),
  );

/** The choice between a recording (file or microphone) and a typed text, shared by both forms. */
function SourceFields({
  p,
  values,
  errors,
  fileAgain,
  languages,
}: {
  p: PageContext;
  values: SendValues;
  errors: FieldErrors;
  fileAgain: boolean;
  languages: readonly Option[];
}) {
  const m = p.m;
  const language = values.language ?? languages[0]?.[0] ?? voiceLanguage;
  return (
    <>
      <Choices
        type="radio"
        name="source"
        label={m.source}
        options={[
          ['audio', m.sourceAudio],
          ['text', m.sourceText],
        ]}
        checked={[values.source ?? 'audio']}
        error={errors.source}
      />
      <div data-show-if="source=audio">
        <div class="recorder" data-recorder hidden>
          <p class="meta" data-record-state aria-live="polite"></p>
          <div class="actions">
            <button type="button" class="secondary" data-record>
              <span aria-hidden="true">●</span> {m.record}
            </button>
            <button type="button" data-stop hidden>
              <span aria-hidden="true">■</span> {m.stop}
            </button>
            <button type="button" class="secondary" data-again hidden>
              {m.rerecord}
            </button>
          </div>
          <audio controls hidden aria-label={m.listen}></audio>
        </div>
        <AudioFileField
          label={m.file}
          hint={fileAgain ? `${m.fileHint} ${m.fileAgain}` : m.fileHint}
          error={errors.file}
        />
      </div>
      <div data-show-if="source=text">
        <SpokenText m={m} value={values.text} error={errors.text} />
        <VoiceNote p={p} language={language} languages={languages} />
        <SelectField
          name="voice"
          label={m.voice}
          value={values.voice ?? 'vi'}
          options={ttsVoices.map((v) => [v, m.voices[v] ?? v] as const)}
          error={errors.voice}
        />
      </div>
    </>
  );
}

/**
 * Said before sending: every voice is Vietnamese, so a text in Giáy, H'Mông or Dao is read with Vietnamese
 * rules, and a recording serves listeners better. Rendered for the language chosen when the page was
 * made; `compose.js` shows or hides it, with the language's name, whenever another one is picked.
 */
function VoiceNote({
  p,
  language,
  languages,
}: {
  p: PageContext;
  language: string;
  languages: readonly Option[];
}) {
  const name = languages.find(([code]) => code === language)?.[1] ?? language;
  return (
    <p
      class="warning"
      data-voice-note
      data-own-voice={voiceLanguage}
      data-msg-note={p.m.noOwnVoice('{lang}')}
      hidden={hasOwnVoice(language)}
    >
      {p.m.noOwnVoice(name)}
    </p>
  );
}

function Progress({ p }: { p: PageContext }) {
  return (
    <>
      <progress hidden max={100} value={0} aria-label={p.m.uploading}></progress>
      <p class="meta" data-upload-status aria-live="polite"></p>
      <p class="warning" data-audio-note hidden aria-live="polite"></p>
    </>
  );
}

/** What the upload page does with a recording in the browser, and the commune's targets for it. */
export interface BrowserAudio {
  readonly mode: 'process' | 'shrink';
  readonly targets: AudioTargets;
}

/** Tells the upload script what to do with a recording before sending it, and where ffmpeg is. */
const audioAttributes = (audio: BrowserAudio | undefined, m: Messages) =>
  audio
    ? {
        'data-browser-audio': audio.mode,
        'data-audio-script': assetUrl('browser-audio.js'),
        'data-targets': JSON.stringify(audio.targets),
        'data-ffmpeg': JSON.stringify(ffmpegUrls),
        'data-msg-audio-loading': m.audioLoading,
        'data-msg-audio-processing': m.audioProcessing,
        'data-msg-audio-shrinking': m.audioShrinking,
        'data-msg-audio-weak': m.audioWeakDevice,
        'data-msg-audio-failed': m.audioFailed,
        // Processed in the browser: the MP3 makes the version ready, its original follows it.
        ...(audio.mode === 'process' && {
          'data-original': '/api/v1/announcements/{id}/variants/{language}/original',
          'data-msg-audio-refused': m.audioRefused,
          'data-msg-ready-keeping': m.readyKeeping,
          'data-msg-original-kept': m.originalKept,
          'data-msg-original-skipped': m.originalSkipped,
          'data-msg-original-failed': m.originalFailed,
        }),
      }
    : {};

/** Messages the upload script shows, rendered in the page's language. */
const scriptMessages = (m: Messages) => ({
  'data-msg-uploading': m.uploading,
  'data-msg-uploaded': m.uploaded,
  'data-msg-failed': m.uploadFailed,
  'data-msg-invalid': m.invalidValue,
  'data-msg-need-file': m.needFileOrRecording,
  'data-msg-need-text': m.needText,
  'data-msg-recording': m.recording,
  'data-msg-recorded': m.recorded,
  'data-msg-mic': m.micDenied,
});

export interface SendFormProps {
  readonly p: PageContext;
  readonly values: SendValues;
  readonly errors: FieldErrors;
  readonly general?: string | undefined;
  readonly languages: readonly Option[];
  /** Hamlet choices; empty when the user has exactly one hamlet (the service picks it). */
  readonly hamlets: readonly Option[];
  readonly audio?: BrowserAudio | undefined;
}

/** "Gửi thông báo": posts to the API with progress when scripts run, to the page route otherwise. */
export function SendForm({ p, values, errors, general, languages, hamlets, audio }: SendFormProps) {
  const m = p.m;
  return (
    <form
      method="post"
      action="/thong-bao/gui"
      enctype="multipart/form-data"
      data-upload="/api/v1/announcements"
      data-fields="title,category,language,hamletId"
      data-next="/thong-bao/{id}"
      {...scriptMessages(m)}
      {...audioAttributes(audio, m)}
    >
      <Csrf p={p} />
      <OnceKey />
      <FormError message={general} />
      <TextField
        name="title"
        label={m.title}
        value={values.title}
        required
        maxlength={200}
        error={errors.title}
      />
      <div class="two">
        <SelectField
          name="category"
          label={m.category}
          value={values.category ?? 'thong-bao'}
          options={Object.entries(m.categories)}
          error={errors.category}
        />
        <SelectField
          name="language"
          label={m.language}
          value={values.language}
          options={languages}
          error={errors.language}
        />
      </div>
      {hamlets.length > 0 ? (
        <SelectField
          name="hamletId"
          label={m.hamlet}
          value={values.hamletId}
          options={hamlets}
          error={errors.hamletId}
        />
      ) : null}
      <SourceFields
        p={p}
        values={values}
        errors={errors}
        fileAgain={!!general && values.source !== 'text'}
        languages={languages}
      />
      <Progress p={p} />
      <button type="submit">{m.submitSend}</button>
    </form>
  );
}

/** "Thêm bản tiếng khác" on an announcement's page. */
export function VariantForm(props: {
  p: PageContext;
  announcementId: string;
  values: SendValues;
  errors: FieldErrors;
  general?: string | undefined;
  languages: readonly Option[];
  audio?: BrowserAudio | undefined;
}) {
  const { p, announcementId } = props;
  const page = `/thong-bao/${encodeURIComponent(announcementId)}`;
  return (
    <form
      method="post"
      action={`${page}/ban-dich`}
      enctype="multipart/form-data"
      data-upload={`/api/v1/announcements/${encodeURIComponent(announcementId)}/variants`}
      data-fields="language"
      data-next={page}
      {...scriptMessages(p.m)}
      {...audioAttributes(props.audio, p.m)}
    >
      <Csrf p={p} />
      <FormError message={props.general} />
      <SelectField
        name="language"
        label={p.m.language}
        value={props.values.language}
        options={props.languages}
        error={props.errors.language}
      />
      <SourceFields
        p={p}
        values={props.values}
        errors={props.errors}
        fileAgain={!!props.general && props.values.source !== 'text'}
        languages={props.languages}
      />
      <Progress p={p} />
      <button type="submit">{p.m.addVariantSubmit}</button>
    </form>
  );
}
