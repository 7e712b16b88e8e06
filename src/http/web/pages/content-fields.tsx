import type { Child } from 'hono/jsx';
import type { Announcement } from '../../../domain/announcement.js';
import { ttsVoices } from '../../../domain/ports/tts.js';
import { one, type FormValues } from '../forms.js';
import type { Messages } from '../i18n.js';
import {
  AudioFileField,
  Choices,
  SelectField,
  SpokenText,
  TextField,
  type FieldErrors,
} from '../form-fields.js';

/**
 * What an emergency or a disaster bulletin airs, chosen on its own form: a text to read, a recording, or
 * content made earlier (`offered`). Both forms post the same field names, read by `readContent`.
 */
export function ContentFields({
  m,
  values,
  errors,
  offered,
  languages,
  voices = false,
  existingNote,
}: {
  m: Messages;
  values: FormValues;
  errors: FieldErrors;
  offered: readonly Pick<Announcement, 'id' | 'title'>[];
  languages: readonly (readonly [string, string])[];
  /** Whether the text's voice is chosen here (a disaster bulletin is read in its header's voice). */
  voices?: boolean;
  /** Said under the choice of content made earlier: why some of it is not offered. */
  existingNote?: Child;
}) {
  return (
    <>
      <Choices
        type="radio"
        name="content"
        label={m.contentSource}
        options={[
          ['text', m.contentText],
          ['audio', m.contentAudio],
          ['existing', m.contentExisting],
        ]}
        checked={[one(values, 'content') || 'text']}
        error={errors.content}
      />
      <div data-show-if="content=text|audio">
        <TextField
          name="title"
          label={m.titleOptional}
          hint={m.titleAuto}
          value={one(values, 'title')}
          maxlength={200}
          error={errors.title}
        />
      </div>
      <div data-show-if="content=text">
        <SpokenText m={m} value={one(values, 'text')} rows={4} error={errors.text} />
        {voices ? (
          <SelectField
            name="voice"
            label={m.voice}
            value={one(values, 'voice') || 'vi'}
            options={ttsVoices.map((v) => [v, m.voices[v] ?? v] as const)}
            error={errors.voice}
          />
        ) : null}
      </div>
      <div data-show-if="content=audio">
        <AudioFileField label={m.file} hint={m.fileHint} error={errors.file} />
        <SelectField
          name="language"
          label={m.language}
          value={one(values, 'language') || 'vi'}
          options={languages}
          error={errors.language}
        />
      </div>
      <div data-show-if="content=existing">
        {offered.length === 0 ? <p>{m.noReadyAnnouncements}</p> : null}
        <SelectField
          name="announcementId"
          label={m.announcement}
          value={one(values, 'announcementId')}
          options={[['', m.none] as const, ...offered.map((a) => [a.id, a.title] as const)]}
          error={errors.announcementId}
        />
        {existingNote}
      </div>
    </>
  );
}
