import type { Commune } from '../../../domain/commune.js';
import type { Hamlet } from '../../../domain/hamlet.js';
import { formatDateVi, utcToLocal } from '../../../domain/schedule/index.js';
import type { PageContext } from '../page.js';
import {
  Choices,
  Csrf,
  FormError,
  OnceKey,
  SelectField,
  TextField,
  type FieldErrors,
} from '../form-fields.js';
import { firstWrong, formControls } from './schedule-request.js';

export type ScheduleValues = Readonly<Record<string, string | readonly string[]>>;

const weekdayOrder = [1, 2, 3, 4, 5, 6, 0];
const one = (v: ScheduleValues, k: string) => {
  const x = v[k];
  return typeof x === 'string' ? x : (x?.[0] ?? '');
};
const many = (v: ScheduleValues, k: string) => {
  const x = v[k];
  return x === undefined ? [] : typeof x === 'string' ? [x] : [...x];
};

/**
 * The next free time a refusal offered (its message says it too), as one button under the refused
 * time. It submits the small form below the main one (`form="suggest"`), so that Enter in a field still
 * means "Lưu".
 */
function Suggestion({ p, at, timeZone }: { p: PageContext; at: string; timeZone: string }) {
  const local = utcToLocal(Date.parse(at), timeZone);
  const when = p.m.atDay(local.time, p.lang === 'vi' ? formatDateVi(local.date) : local.date);
  return (
    <div class="suggestion" data-suggestion>
      <button type="submit" form="suggest" name="suggestedAt" value={at}>
        {p.m.bookAt(when)}
      </button>
    </div>
  );
}

/**
 * What the suggestion books: the refused form at the suggested time. It carries every control of the
 * refused form, so that when the suggested time is refused in turn (taken meanwhile) the form comes back
 * as the person left it, not emptied of what she chose elsewhere on it.
 */
function SuggestionForm({ p, action, values }: { p: PageContext; action: string; values: ScheduleValues }) {
  return (
    <form id="suggest" method="post" action={action}>
      <Csrf p={p} />
      <OnceKey />
      {formControls
        .filter((name) => name !== 'kind')
        .flatMap((name) => many(values, name).map((v) => <input type="hidden" name={name} value={v} />))}
      <input type="hidden" name="kind" value="at" />
    </form>
  );
}

/**
 * "Thêm lịch phát": which announcement, when (a slot on a day, an exact time, or every week in a slot
 * or at a time), and priority. A refused form comes back with each message next to its field and the
 * first of them focused and scrolled to by the browser (`autofocus`, so also without JavaScript; the
 * action has no #fragment on purpose, since a fragment target turns autofocus off); a refused time offers
 * the next free one. Both forms carry a one-time key: "Lưu" pressed again while a slow 3G answer is on its
 * way books once.
 */
export function BroadcastForm(props: {
  p: PageContext;
  commune: Commune;
  hamlet: Hamlet;
  action: string;
  announcements: readonly (readonly [string, string])[];
  values: ScheduleValues;
  errors: FieldErrors;
  general?: string | undefined;
  suggestion?: string | undefined;
  /** Focus the announcement: the person came from a slot's "+ Thêm". */
  focusFirst?: boolean;
}) {
  const { p, commune, values, errors } = props;
  const m = p.m;
  if (props.announcements.length === 0) return <p>{m.noReadyAnnouncements}</p>;
  const focus = firstWrong(errors) ?? (props.focusFirst ? 'announcementId' : undefined);
  const slots = commune.settings.slots.map((s) => [s.name, `${s.label} (${s.start}–${s.end})`] as const);
  return (
    <>
      <form method="post" action={props.action} novalidate data-schedule-form>
        <Csrf p={p} />
        <OnceKey />
        <FormError message={props.general} />
        <SelectField
          name="announcementId"
          label={m.announcement}
          value={one(values, 'announcementId')}
          options={props.announcements}
          error={errors.announcementId}
          autofocus={focus === 'announcementId'}
        />
        <Choices
          type="radio"
          name="kind"
          label={m.when}
          options={[
            ['slot', m.whenSlot],
            ['at', m.whenAt],
            ['repeat', m.whenRepeat],
          ]}
          checked={[one(values, 'kind') || 'slot']}
          error={errors.kind}
          autofocus={focus === 'kind'}
        />
        <fieldset class="field" data-show-if="kind=slot">
          <legend>{m.whenSlot}</legend>
          <div class="two">
            <SelectField
              name="slotName"
              label={m.slot}
              value={one(values, 'slotName')}
              options={slots}
              error={errors.slotName}
              autofocus={focus === 'slotName'}
            />
            <TextField
              name="slotDate"
              type="date"
              label={m.date}
              value={one(values, 'slotDate')}
              error={errors.slotDate}
              autofocus={focus === 'slotDate'}
            />
          </div>
        </fieldset>
        <fieldset class="field" data-show-if="kind=at">
          <legend>{m.whenAt}</legend>
          <div class="two">
            <TextField
              name="atDate"
              type="date"
              label={m.date}
              value={one(values, 'atDate')}
              error={errors.atDate}
              autofocus={focus === 'atDate'}
            />
            <TextField
              name="atTime"
              type="time"
              label={m.time}
              value={one(values, 'atTime')}
              error={errors.atTime}
              autofocus={focus === 'atTime'}
            />
          </div>
          {props.suggestion ? <Suggestion p={p} at={props.suggestion} timeZone={commune.timeZone} /> : null}
        </fieldset>
        <fieldset class="field" data-show-if="kind=repeat">
          <legend>{m.whenRepeat}</legend>
          <Choices
            type="checkbox"
            name="days"
            label={m.days}
            options={weekdayOrder.map((d) => [String(d), m.weekdays[d]!] as const)}
            checked={many(values, 'days')}
            error={errors.days}
            autofocus={focus === 'days'}
          />
          <Choices
            type="radio"
            name="repeatBy"
            label={m.repeatBy}
            options={[
              ['slot', m.repeatBySlot],
              ['time', m.repeatByTime],
            ]}
            checked={[one(values, 'repeatBy') || 'slot']}
            error={errors.repeatBy}
          />
          <div data-show-if="repeatBy=slot">
            <SelectField
              name="repeatSlot"
              label={m.weeklySlot}
              value={one(values, 'repeatSlot')}
              options={slots}
              error={errors.repeatSlot}
              autofocus={focus === 'repeatSlot'}
            />
          </div>
          <div data-show-if="repeatBy=time">
            <TextField
              name="repeatTime"
              type="time"
              label={m.time}
              value={one(values, 'repeatTime')}
              error={errors.repeatTime}
              autofocus={focus === 'repeatTime'}
            />
          </div>
          <div class="two">
            <TextField
              name="fromDate"
              type="date"
              label={m.fromDate}
              value={one(values, 'fromDate')}
              error={errors.fromDate}
              autofocus={focus === 'fromDate'}
            />
            <TextField
              name="untilDate"
              type="date"
              label={m.untilDate}
              value={one(values, 'untilDate')}
              error={errors.untilDate}
              autofocus={focus === 'untilDate'}
            />
          </div>
        </fieldset>
        <SelectField
          name="priority"
          label={m.priorityLabel}
          value={one(values, 'priority') || 'normal'}
          options={[
            ['normal', m.priority.normal],
            ['priority', m.priority.priority],
          ]}
          error={errors.priority}
          autofocus={focus === 'priority'}
        />
        <button type="submit">{m.save}</button>
      </form>
      {props.suggestion ? <SuggestionForm p={p} action={props.action} values={values} /> : null}
    </>
  );
}
