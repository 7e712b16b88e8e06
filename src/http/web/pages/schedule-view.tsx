import type { Hamlet as HamletRow } from '../../../domain/hamlet.js';
import type { Commune } from '../../../domain/commune.js';
import { addDays, formatDateVi, formatDuration, utcToLocal } from '../../../domain/schedule/index.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import {
  Badge,
  Choices,
  Csrf,
  FormError,
  SelectField,
  TextField,
  occurrenceTone,
  type FieldErrors,
} from '../ui.js';

/** One item on a hamlet's loudspeakers in the week shown. */
export interface WeekItem {
  readonly broadcastId: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly slotName: string | null;
  readonly title: string;
  readonly priority: 'normal' | 'priority' | 'emergency';
  readonly status: 'scheduled' | 'played' | 'failed' | 'missed' | 'cancelled';
  readonly cancellable: boolean;
}

export type ScheduleValues = Readonly<Record<string, string | readonly string[]>>;

const dateLabel = (p: PageContext, date: string) => (p.lang === 'vi' ? formatDateVi(date) : date);

function Item({
  p,
  hamletId,
  item,
  timeZone,
}: {
  p: PageContext;
  hamletId: string;
  item: WeekItem;
  timeZone: string;
}) {
  const start = utcToLocal(Date.parse(item.startsAt), timeZone).time;
  // Announcements last seconds, so the length says more than an end time in minutes would.
  return (
    <li class="item">
      <span>
        <strong>{start}</strong> · {formatDuration(item.durationMs)[p.lang]} · {item.title}
      </span>
      <span class="actions">
        {item.priority !== 'normal' ? (
          <Badge tone={item.priority === 'emergency' ? 'bad' : 'warn'}>{p.m.priority[item.priority]}</Badge>
        ) : null}
        <Badge tone={occurrenceTone[item.status]}>{p.m.occurrence[item.status]}</Badge>
        {item.cancellable ? (
          <form method="post" action={paths.cancel(hamletId, item.broadcastId)} class="inline">
            <Csrf p={p} />
            <button type="submit" class="secondary" aria-label={`${p.m.cancel}: ${item.title} ${start}`}>
              {p.m.cancel}
            </button>
          </form>
        ) : null}
      </span>
    </li>
  );
}

/** Monday to Sunday of one hamlet: each day's standing slots with their items, then items at other times. */
export function Week(props: {
  p: PageContext;
  commune: Commune;
  hamlet: HamletRow;
  monday: string;
  today: string;
  items: readonly WeekItem[];
}) {
  const { p, commune, hamlet, monday, today, items } = props;
  const tz = commune.timeZone;
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  return (
    <div class="week">
      {days.map((date) => {
        const own = items.filter((i) => utcToLocal(Date.parse(i.startsAt), tz).date === date);
        const weekday = utcToLocal(Date.parse(`${date}T12:00:00Z`), 'UTC').weekday;
        const others = own.filter((i) => !i.slotName);
        return (
          <section class={date === today ? 'day today' : 'day'} aria-labelledby={`d-${date}`}>
            <h3 id={`d-${date}`}>
              {p.m.weekdays[weekday]} {dateLabel(p, date)}
              {date === today ? ` · ${p.m.today}` : ''}
            </h3>
            {commune.settings.slots.map((slot) => {
              const inSlot = own.filter((i) => i.slotName === slot.name);
              return (
                <div class="slot">
                  <h4>{p.m.slotRange(slot.label, slot.start, slot.end)}</h4>
                  {inSlot.length === 0 ? <p class="meta">{p.m.nothing}</p> : null}
                  <ul class="list">
                    {inSlot.map((item) => (
                      <Item p={p} hamletId={hamlet.id} item={item} timeZone={tz} />
                    ))}
                  </ul>
                </div>
              );
            })}
            {others.length > 0 ? (
              <div class="slot">
                <h4>{p.m.otherTimes}</h4>
                <ul class="list">
                  {others.map((item) => (
                    <Item p={p} hamletId={hamlet.id} item={item} timeZone={tz} />
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}

const weekdayOrder = [1, 2, 3, 4, 5, 6, 0];
const one = (v: ScheduleValues, k: string) => {
  const x = v[k];
  return typeof x === 'string' ? x : (x?.[0] ?? '');
};
const many = (v: ScheduleValues, k: string) => {
  const x = v[k];
  return x === undefined ? [] : typeof x === 'string' ? [x] : [...x];
};

/** "Thêm lịch phát": which announcement, when (slot, exact time or weekly), and priority. */
export function BroadcastForm(props: {
  p: PageContext;
  commune: Commune;
  hamlet: HamletRow;
  announcements: readonly (readonly [string, string])[];
  values: ScheduleValues;
  errors: FieldErrors;
  general?: string | undefined;
}) {
  const { p, commune, values, errors } = props;
  const m = p.m;
  if (props.announcements.length === 0) return <p>{m.noReadyAnnouncements}</p>;
  return (
    <form method="post" action={paths.hamletSchedule(props.hamlet.id)} novalidate>
      <Csrf p={p} />
      <FormError message={props.general} />
      <SelectField
        name="announcementId"
        label={m.announcement}
        value={one(values, 'announcementId')}
        options={props.announcements}
        error={errors.announcementId}
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
      />
      <fieldset class="field" data-show-if="kind=slot">
        <legend>{m.whenSlot}</legend>
        <div class="two">
          <SelectField
            name="slotName"
            label={m.slot}
            value={one(values, 'slotName')}
            options={commune.settings.slots.map((s) => [s.name, `${s.label} (${s.start}–${s.end})`] as const)}
            error={errors.slotName}
          />
          <TextField
            name="slotDate"
            type="date"
            label={m.date}
            value={one(values, 'slotDate')}
            error={errors.slotDate}
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
          />
          <TextField
            name="atTime"
            type="time"
            label={m.time}
            value={one(values, 'atTime')}
            error={errors.atTime}
          />
        </div>
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
        />
        <TextField
          name="repeatTime"
          type="time"
          label={m.time}
          value={one(values, 'repeatTime')}
          error={errors.repeatTime}
        />
        <div class="two">
          <TextField
            name="fromDate"
            type="date"
            label={m.fromDate}
            value={one(values, 'fromDate')}
            error={errors.fromDate}
          />
          <TextField
            name="untilDate"
            type="date"
            label={m.untilDate}
            value={one(values, 'untilDate')}
            error={errors.untilDate}
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
      />
      <button type="submit">{m.save}</button>
    </form>
  );
}

/** Links to the other hamlets, for users who look after several (officers see the whole commune). */
export function HamletPicker({
  p,
  hamlets,
  current,
}: {
  p: PageContext;
  hamlets: readonly HamletRow[];
  current: string;
}) {
  if (hamlets.length < 2) return null;
  return (
    <nav aria-label={p.m.chooseHamlet}>
      <ul class="nav">
        {hamlets.map((h) => (
          <li>
            <a href={paths.hamletSchedule(h.id)} aria-current={h.id === current ? 'page' : undefined}>
              {h.name}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
