import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { LoaError } from '../../domain/errors.js';
import { IdempotencyKeySchema } from '../../domain/idempotency.js';
import type { Lang } from './i18n.js';

export type FormValues = Readonly<Record<string, string | readonly string[]>>;

/** A refusal to show on a form: one general message and, where known, a message next to each field. */
export interface FormProblem {
  readonly general: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 507;
}

/** The urlencoded form of a page post; repeated names (checkboxes) become lists. */
export async function readForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export const one = (form: FormValues, name: string): string => {
  const v = form[name];
  return typeof v === 'string' ? v : (v?.[0] ?? '');
};

/** The key `OnceKey` put in the page, for the use case; none when missing or not a key. */
export const onceKeyOf = (form: FormValues): { idempotencyKey?: string } => {
  const key = IdempotencyKeySchema.safeParse(one(form, 'idempotencyKey'));
  return key.success ? { idempotencyKey: key.data } : {};
};

export const many = (form: FormValues, name: string): string[] => {
  const v = form[name];
  return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
};

/**
 * The messages of a service's refusal, in the page's language: field messages from `errors[]` mapped onto
 * the form's own field names by `fieldMap` (the service's field → the form control), the rest on top.
 * Anything that is not a LoaError is a bug and is thrown on.
 */
export function problemOf(
  error: unknown,
  lang: Lang,
  fieldMap: Readonly<Record<string, string>> = {},
): FormProblem {
  if (!(error instanceof LoaError) || error.status === 401 || error.status === 503) throw error;
  const general = lang === 'vi' ? error.detailVi : error.detail;
  const fields: Record<string, string> = {};
  const listed = (error.extra.errors ?? []) as readonly {
    field?: string;
    message?: string;
    messageVi?: string;
  }[];
  for (const e of listed) {
    const raw = e.field ?? '';
    const key = fieldMap[raw] ?? fieldMap[raw.split(/[.[]/)[0] ?? ''] ?? raw.split(/[.[]/)[0] ?? raw;
    const text = lang === 'vi' ? (e.messageVi ?? general) : (e.message ?? general);
    if (key && !fields[key]) fields[key] = text;
  }
  // A page's form carries no If-Match header: a save over what changed since it was shown is a conflict.
  const status = error.status === 412 ? 409 : error.status;
  return { general, fields, status: status as FormProblem['status'] };
}

/** Field messages of a zod refusal; the schemas carry messages in the page's language. */
export function zodFields(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    if (!fields[key]) fields[key] = issue.message;
  }
  return fields;
}
