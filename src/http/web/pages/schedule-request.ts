import { BroadcastRequestSchema, type BroadcastRequest } from '../../../domain/broadcast.js';
import type { Commune } from '../../../domain/commune.js';
import {
  addDays,
  localToUtc,
  parseLocalDate,
  parseLocalTime,
  utcToLocal,
  type Result,
} from '../../../domain/schedule/index.js';
import { many, one, type FormValues } from '../forms.js';
import { checkInput } from '../input.js';
import type { PageContext } from '../page.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The form's controls in page order: a refused form puts the focus on the first one marked wrong. */
export const formControls = [
  'announcementId',
  'kind',
  'slotName',
  'slotDate',
  'atDate',
  'atTime',
  'repeatBy',
  'repeatSlot',
  'repeatTime',
  'days',
  'fromDate',
  'untilDate',
  'priority',
] as const;

/** The first control with an error, where the page lands after a refusal. */
export const firstWrong = (errors: Readonly<Record<string, string>>): string | undefined =>
  formControls.find((c) => errors[c]);

/**
 * Where a scheduling rule's refusal belongs on the form (the service names its own input fields); `at`
 * and a slot's air time depend on how the time was chosen.
 */
export function fieldMapFor(kind: string, repeatBy: string): Record<string, string> {
  const repeatSlot = kind === 'repeat' && repeatBy === 'slot';
  return {
    announcementId: 'announcementId',
    hamletIds: 'announcementId',
    at: kind === 'repeat' ? 'repeatTime' : 'atTime',
    slot: repeatSlot ? 'repeatSlot' : 'slotName',
    'slot.name': 'slotName',
    'slot.date': 'slotDate',
    recurrence: repeatSlot ? 'repeatSlot' : 'repeatTime',
    'recurrence.cron': 'repeatTime',
    'recurrence.slot': 'repeatSlot',
    'recurrence.weekdays': 'days',
    'recurrence.from': 'fromDate',
    'recurrence.until': 'untilDate',
    'recurrence.count': 'untilDate',
    priority: 'priority',
  };
}

/**
 * The form as posted, with a suggested time taken up: "Đặt lúc …" under a refused time sends the
 * same form with `suggestedAt`, which becomes the exact time asked for.
 */
export function withSuggestion(form: FormValues, timeZone: string): FormValues {
  const suggested = Date.parse(one(form, 'suggestedAt'));
  if (Number.isNaN(suggested)) return form;
  const local = utcToLocal(suggested, timeZone);
  return { ...form, kind: 'at', atDate: local.date, atTime: local.time };
}

/**
 * The service's request from the form, in the commune's local time; only the shape is checked here (a
 * real date, a real time, a day chosen): every scheduling rule is the service's.
 */
export function requestFrom(
  form: FormValues,
  hamletId: string,
  commune: Commune,
  nowMs: number,
  p: PageContext,
): { req: BroadcastRequest } | { fields: Record<string, string> } {
  const { m, lang } = p;
  const tz = commune.timeZone;
  const fields: Record<string, string> = {};
  const check = <T>(result: Result<T>, field: string): T | undefined => {
    if (result.ok) return result.value;
    fields[field] = lang === 'vi' ? result.error.message : result.error.messageEn;
    return undefined;
  };
  const date = (field: string) =>
    one(form, field)
      ? check(parseLocalDate(one(form, field), field), field)
      : ((fields[field] = m.required), undefined);
  const time = (field: string) =>
    one(form, field)
      ? check(parseLocalTime(one(form, field), field), field)
      : ((fields[field] = m.required), undefined);
  const announcementId = one(form, 'announcementId');
  if (!announcementId) fields.announcementId = m.required;
  const priority = one(form, 'priority') === 'priority' ? 'priority' : 'normal';
  const base = { announcementId, hamletIds: [hamletId], priority } as const;
  const kind = one(form, 'kind');
  let req: BroadcastRequest | undefined;
  if (kind === 'slot') {
    date('slotDate');
    req = { ...base, slot: { name: one(form, 'slotName'), date: one(form, 'slotDate') } };
  } else if (kind === 'at') {
    const day = date('atDate');
    const minutes = time('atTime');
    if (day !== undefined && minutes !== undefined)
      req = { ...base, at: iso(localToUtc(one(form, 'atDate'), one(form, 'atTime'), tz)) };
  } else if (kind === 'repeat') {
    const bySlot = one(form, 'repeatBy') !== 'time';
    const days = [...new Set(many(form, 'days').filter((d) => /^[0-6]$/.test(d)))].sort();
    if (days.length === 0) fields.days = m.chooseDay;
    if (bySlot && !one(form, 'repeatSlot')) fields.repeatSlot = m.required;
    if (!bySlot) time('repeatTime');
    date('fromDate');
    const until = one(form, 'untilDate');
    if (until) check(parseLocalDate(until, 'untilDate'), 'untilDate');
    if (Object.keys(fields).length === 0) {
      // A start date of today starts now, not at past midnight; the end day is included, to its last
      // instant: the end is inclusive, so the next midnight would let a run at 00:00 of the day after in.
      const bounds = {
        from: iso(Math.max(nowMs, localToUtc(one(form, 'fromDate'), '00:00', tz))),
        ...(until && { until: iso(localToUtc(addDays(until, 1), '00:00', tz) - 1) }),
      };
      const [hh, mm] = one(form, 'repeatTime').split(':').map(Number);
      req = {
        ...base,
        recurrence: bySlot
          ? { slot: one(form, 'repeatSlot'), weekdays: days.map(Number), ...bounds }
          : { cron: `${mm} ${hh} * * ${days.join(',')}`, ...bounds },
      };
    }
  } else {
    fields.kind = m.required;
  }
  if (Object.keys(fields).length > 0 || !req) return { fields };
  // The use case's own schema, as the API's POST /api/v1/broadcasts checks it.
  const map = fieldMapFor(kind, one(form, 'repeatBy'));
  const checked = checkInput(BroadcastRequestSchema, req, p, {
    controlOf: (path) => map[path.join('.')] ?? map[String(path[0])] ?? 'kind',
  });
  return checked.ok ? { req: checked.value } : { fields: checked.problem.fields };
}
