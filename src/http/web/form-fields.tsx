// The controls of the pages' forms: labelled fields with their hint and error, the CSRF field, a
// refused form's summary and a one-button form per row; all work without JavaScript.
import type { PropsWithChildren } from 'hono/jsx';
import { MAX_TEXT_CHARS, textLength } from '../../domain/announcement.js';
import type { Messages } from './i18n.js';
import type { PageContext } from './page.js';

export type FieldErrors = Readonly<Record<string, string>>;

const describedBy = (name: string, error?: string, hint?: string) =>
  [error ? `${name}-error` : '', hint ? `${name}-hint` : ''].filter(Boolean).join(' ') || undefined;

function Help({
  name,
  error,
  hint,
}: {
  name: string;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  return (
    <>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly id?: string;
  /** Focus on load: the field a refused form points at, found without JavaScript too. */
  readonly autofocus?: boolean | undefined;
}

export function TextField(
  props: FieldProps & {
    readonly value?: string | undefined;
    readonly type?: string;
    readonly required?: boolean;
    readonly maxlength?: number;
    readonly autocomplete?: string;
    readonly step?: string;
    readonly min?: string;
    readonly max?: string;
    readonly inputmode?: 'decimal' | 'numeric' | 'text';
  },
) {
  const id = props.id ?? props.name;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        maxlength={props.maxlength}
        autocomplete={props.autocomplete}
        step={props.step}
        min={props.min}
        max={props.max}
        inputmode={props.inputmode}
        autofocus={props.autofocus}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.error, props.hint)}
      />
      <Help name={id} error={props.error} hint={props.hint} />
    </div>
  );
}

export function TextArea(
  props: FieldProps & {
    readonly value?: string | undefined;
    readonly maxlength?: number;
    readonly rows?: number;
    readonly required?: boolean;
  },
) {
  const id = props.id ?? props.name;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 5}
        maxlength={props.maxlength}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.error, props.hint)}
      >
        {props.value ?? ''}
      </textarea>
      <Help name={id} error={props.error} hint={props.hint} />
    </div>
  );
}

export function SelectField(
  props: FieldProps & {
    readonly value?: string | undefined;
    readonly options: readonly (readonly [value: string, label: string])[];
    readonly required?: boolean;
  },
) {
  const id = props.id ?? props.name;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        required={props.required}
        autofocus={props.autofocus}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.error, props.hint)}
      >
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
      <Help name={id} error={props.error} hint={props.hint} />
    </div>
  );
}

/** Radio buttons or checkboxes in a fieldset whose legend is the label. */
export function Choices(
  props: FieldProps & {
    readonly type: 'radio' | 'checkbox';
    readonly options: readonly (readonly [value: string, label: string])[];
    readonly checked: readonly string[];
  },
) {
  const id = props.id ?? props.name;
  return (
    <fieldset
      class={props.error ? 'field choices has-error' : 'field choices'}
      id={id}
      aria-describedby={describedBy(id, props.error, props.hint)}
    >
      <legend>{props.label}</legend>
      {props.options.map(([value, label], i) => (
        <label class="choice" for={`${id}-${i}`}>
          <input
            type={props.type}
            id={`${id}-${i}`}
            name={props.name}
            value={value}
            checked={props.checked.includes(value)}
            autofocus={props.autofocus && i === 0}
          />
          <span>{label}</span>
        </label>
      ))}
      <Help name={id} error={props.error} hint={props.hint} />
    </fieldset>
  );
}

/** Controls that belong together (each language's position) under one legend: hint on top, error below. */
export function FieldGroup(props: PropsWithChildren<FieldProps>) {
  const id = props.id ?? props.name;
  return (
    <fieldset
      class={props.error ? 'field has-error' : 'field'}
      id={id}
      aria-describedby={describedBy(id, props.error, props.hint)}
    >
      <legend>{props.label}</legend>
      <Help name={id} hint={props.hint} />
      {props.children}
      <Help name={id} error={props.error} />
    </fieldset>
  );
}

export function Csrf({ p }: { p: PageContext }) {
  return <input type="hidden" name="_csrf" value={p.csrf} />;
}

/**
 * A confirmation's one-time key, new with every page: the page posted twice (a double click, a slow
 * answer pressed again) makes one booking; see `onceKeyOf`.
 */
export function OnceKey() {
  return <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />;
}

/** The summary on top of a refused form: the general message, then each field's own message below it. */
export function FormError({ message }: { message?: string | undefined }) {
  // Always present (hidden when empty) so that the upload script can fill it without re-rendering.
  return (
    <div class="form-error" role="alert" data-form-error tabindex={-1} hidden={!message}>
      <p>{message ?? ''}</p>
    </div>
  );
}

/**
 * One action on one row as a small form that works without JavaScript: the CSRF field, any fixed values,
 * and a button whose accessible name says which row it acts on.
 */
export function PostButton({
  p,
  action,
  label,
  target,
  fields = {},
  tone = 'secondary',
}: {
  p: PageContext;
  action: string;
  label: string;
  /** What the row is (e.g. the receiver's name), for screen readers: "Khóa: Cụm loa chợ". */
  target: string;
  fields?: Readonly<Record<string, string>>;
  tone?: 'primary' | 'secondary' | 'danger';
}) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf p={p} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={tone === 'primary' ? undefined : tone} aria-label={`${label}: ${target}`}>
        {label}
      </button>
    </form>
  );
}

/** The audio file of an upload form (the browser shows only audio and the phone formats ffprobe takes). */
export function AudioFileField({
  label,
  hint,
  error,
}: {
  label: string;
  hint: string;
  error?: string | undefined;
}) {
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for="file">{label}</label>
      <input
        id="file"
        name="file"
        type="file"
        accept="audio/*,.amr,.3gp,.m4a,.opus,.webm"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'file-hint file-error' : 'file-hint'}
      />
      <Help name="file" hint={hint} error={error} />
    </div>
  );
}

/**
 * A text to be read out, with its count against the limit (live with `compose.js`). No maxlength: a
 * browser would silently cut a pasted text; the server refuses it with the count.
 */
export function SpokenText(props: {
  readonly m: Pick<Messages, 'text' | 'textCount' | 'textOver'>;
  readonly value: string | undefined;
  readonly error: string | undefined;
  readonly rows?: number;
}) {
  const { m } = props;
  return (
    <div
      data-counter
      data-max={MAX_TEXT_CHARS}
      data-msg-count={m.textCount('{n}', MAX_TEXT_CHARS)}
      data-msg-over={m.textOver('{n}')}
    >
      <TextArea
        name="text"
        label={m.text}
        value={props.value}
        rows={props.rows ?? 5}
        error={props.error}
        hint={m.textCount(textLength(props.value ?? ''), MAX_TEXT_CHARS)}
      />
      <p class="sr-only" data-count-over aria-live="polite"></p>
    </div>
  );
}
