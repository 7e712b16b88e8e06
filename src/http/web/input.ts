import type { z } from 'zod';
import type { FormProblem } from './forms.js';
import type { Lang, Messages } from './i18n.js';
import type { PageContext } from './page.js';

/** A number as the page shows it: a decimal comma in Vietnamese. */
export const shown = (n: number, lang: Lang) => (lang === 'vi' ? String(n).replace('.', ',') : String(n));

/** A number as typed on a phone: decimal comma or point, hyphen or true minus; anything else is NaN. */
export function decimal(value: string): number {
  const t = value.trim().replace('−', '-').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/** A schema issue in the page's language, from its kind and bounds (the schemas' own texts are English). */
export function issueMessage(issue: z.core.$ZodIssue, m: Messages, lang: Lang): string {
  switch (issue.code) {
    case 'invalid_format':
      return issue.format === 'regex' && /HH:MM|time/i.test(issue.message) ? m.timeRule : m.invalidValue;
    case 'invalid_type':
      return issue.expected === 'int'
        ? m.wholeNumber
        : issue.expected === 'number'
          ? m.enterNumber
          : m.required;
    case 'too_small':
      // Empty, or too short: a password of 8 characters is filled in, and told how many it needs.
      if (issue.origin === 'string' && Number(issue.minimum) > 1) return m.tooShort(Number(issue.minimum));
      return issue.origin === 'string' || issue.origin === 'array'
        ? m.required
        : m.atLeast(shown(Number(issue.minimum), lang));
    case 'too_big':
      return issue.origin === 'string'
        ? m.tooLong(Number(issue.maximum))
        : m.atMost(shown(Number(issue.maximum), lang));
    case 'custom': {
      // A text past its limit: the kernel's rule puts both numbers in the issue.
      const { count, limit } = issue.params ?? {};
      if (typeof count === 'number' && typeof limit === 'number') return m.textTooLong(count, limit);
      // A rule of the kernel that words its refusal in Vietnamese too.
      const { messageVi } = issue.params ?? {};
      if (typeof messageVi === 'string') return lang === 'vi' ? messageVi : issue.message;
      return issue.path.at(-1) === 'end' ? m.endAfterStart : m.invalidValue;
    }
    default:
      return m.invalidValue;
  }
}

export interface InputOptions {
  /** The form control an issue's path is about (default: the path's first key). */
  readonly controlOf?: (path: readonly PropertyKey[]) => string;
  /** A message of the page's own for a control, used for every issue on it (a rule spelled out). */
  readonly messages?: Readonly<Record<string, string>>;
}

/**
 * A page's form, turned into a use case's input, checked with the use case's own schema (the one the
 * API route uses): the input, or the refusal with a message in the page's language next to each control.
 */
export function checkInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  p: PageContext,
  options: InputOptions = {},
):
  { readonly ok: true; readonly value: z.output<S> } | { readonly ok: false; readonly problem: FormProblem } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const control = options.controlOf?.(issue.path) ?? String(issue.path[0] ?? 'form');
    fields[control] ??= options.messages?.[control] ?? issueMessage(issue, p.m, p.lang);
  }
  return { ok: false, problem: { general: p.m.fixBelow, fields, status: 400 } };
}
