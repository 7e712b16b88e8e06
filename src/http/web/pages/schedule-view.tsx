import type { OccurrenceStatus } from '../../../domain/broadcast.js';
import type { Commune } from '../../../domain/commune.js';
import type { Hamlet as HamletRow } from '../../../domain/hamlet.js';
import { formatDateVi, formatDuration, localToUtc, utcToLocal } from '../../../domain/schedule/index.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge, occurrenceTone } from '../ui.js';
import { Choices, Csrf } from '../form-fields.js';

/** One airing on a hamlet's loudspeakers in the days shown: stored, or projected beyond the horizon. */
export interface WeekItem {
  readonly broadcastId: string;
  /** The stored occurrence; null for an airing the dispatcher has not made yet. */
  readonly occurrenceId: string | null;
  /** A projected airing's start by its rule (what skipping it names); null when stored. */
  readonly airingAt: string | null;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly slotName: string | null;
  readonly title: string;
  readonly priority: 'normal' | 'priority' | 'emergency';
  readonly status: OccurrenceStatus;
  /** "Hằng tuần · Thứ bảy · Buổi chiều → 31/12" for an airing of a series. */
  readonly series: string | null;
  readonly cancellable: boolean;
  /** Just saved: highlighted, and the first one is where the page lands. */
  readonly fresh: boolean;
}

export interface WeekProps {
  readonly p: PageContext;
  readonly commune: Commune;
  readonly hamlet: HamletRow;
  readonly days: readonly string[];
  readonly today: string;
  readonly now: number;
  readonly items: readonly WeekItem[];
  /** The days shown start here (`?tuan=`), so that a cancelled airing lands back on them. */
  readonly start: string;
  /** Whether each slot of a day to come offers "+ Thêm". */
  readonly canSchedule: boolean;
}

const dateLabel = (p: PageContext, date: string) => (p.lang === 'vi' ? formatDateVi(date) : date);
const weekdayOf = (date: string) => utcToLocal(Date.parse(`${date}T12:00:00Z`), 'UTC').weekday;

/**
 * Cancelling asks first, in place and without JavaScript (a `<details>`): for an airing of a series,
 * "only this one" (the default) or "the whole series"; for a one-off, a plain confirmation.
 */
function CancelControl(props: {
  p: PageContext;
  hamletId: string;
  item: WeekItem;
  start: string;
  time: string;
  date: string;
}) {
  const { p, item } = props;
  const m = p.m;
  const key = (item.occurrenceId ?? item.airingAt ?? '').replace(/[^A-Za-z0-9_-]/g, '-');
  return (
    <details class="cancel">
      <summary aria-label={`${m.cancel}: ${item.title} ${props.time}`}>{m.cancel}</summary>
      <form method="post" action={paths.cancel(props.hamletId, item.broadcastId)}>
        <Csrf p={p} />
        <input type="hidden" name="tuan" value={props.start} />
        <input type="hidden" name="ngay" value={props.date} />
        {item.occurrenceId ? <input type="hidden" name="lan" value={item.occurrenceId} /> : null}
        {item.airingAt ? <input type="hidden" name="luc" value={item.airingAt} /> : null}
        {item.series ? (
          <Choices
            type="radio"
            name="pham-vi"
            id={`pham-vi-${key}`}
            label={m.cancelWhich}
            options={[
              ['buoi', m.cancelOne],
              ['chuoi', m.cancelSeries],
            ]}
            checked={['buoi']}
          />
        ) : (
          <p>{m.cancelThis}</p>
        )}
        <button type="submit" class="danger">
          {m.confirmCancel}
        </button>
      </form>
    </details>
  );
}

function Item(props: {
  p: PageContext;
  hamletId: string;
  item: WeekItem;
  timeZone: string;
  start: string;
  first: boolean;
}) {
  const { p, item } = props;
  const ms = Date.parse(item.startsAt);
  const local = utcToLocal(ms, props.timeZone);
  // Items in a slot play back to back, so the second one starts at seconds past the minute: say so.
  const seconds = Math.floor(ms / 1000) % 60;
  const time = seconds === 0 ? local.time : `${local.time}:${String(seconds).padStart(2, '0')}`;
  const classes = ['item', item.fresh ? 'fresh' : '', item.occurrenceId ? '' : 'projected'].filter(Boolean);
  // Announcements last seconds, so the length says more than an end time in minutes would.
  return (
    <li
      class={classes.join(' ')}
      id={props.first ? 'moi' : undefined}
      tabindex={props.first ? -1 : undefined}
      aria-current={item.fresh ? 'true' : undefined}
      data-fresh={props.first ? '' : undefined}
    >
      <span class="what">
        <strong>{time}</strong> · {formatDuration(item.durationMs)[p.lang]} · {item.title}
        {item.series ? <span class="series">{item.series}</span> : null}
      </span>
      <span class="actions">
        {item.fresh ? <Badge tone="ok">{p.m.justAdded}</Badge> : null}
        {item.priority !== 'normal' ? (
          <Badge tone={item.priority === 'emergency' ? 'bad' : 'warn'}>{p.m.priority[item.priority]}</Badge>
        ) : null}
        {item.occurrenceId ? (
          <Badge tone={occurrenceTone[item.status]}>{p.m.occurrence[item.status]}</Badge>
        ) : (
          <span title={p.m.projectedHint}>
            <Badge tone="muted">{p.m.projected}</Badge>
          </span>
        )}
      </span>
      {item.cancellable ? (
        <CancelControl
          p={p}
          hamletId={props.hamletId}
          item={item}
          start={props.start}
          time={time}
          date={local.date}
        />
      ) : null}
    </li>
  );
}

/** One day: its standing slots, each with what is in it and its own "+ Thêm", then items at other times. */
function Day(props: WeekProps & { date: string; firstFresh: WeekItem | undefined }) {
  const { p, commune, hamlet, date, today } = props;
  const tz = commune.timeZone;
  const own = props.items.filter((i) => utcToLocal(Date.parse(i.startsAt), tz).date === date);
  const others = own.filter((i) => !i.slotName);
  const list = (items: readonly WeekItem[]) => (
    <ul class="list">
      {items.map((item) => (
        <Item
          p={p}
          hamletId={hamlet.id}
          item={item}
          timeZone={tz}
          start={props.start}
          first={item === props.firstFresh}
        />
      ))}
    </ul>
  );
  const day = `${p.m.weekdays[weekdayOf(date)]} ${dateLabel(p, date)}`;
  return (
    <section class={date === today ? 'day today' : 'day'} aria-labelledby={`d-${date}`}>
      <h3 id={`d-${date}`}>
        {day}
        {date === today ? ` · ${p.m.today}` : ''}
      </h3>
      {commune.settings.slots.map((slot) => {
        const inSlot = own.filter((i) => i.slotName === slot.name);
        // A slot already begun cannot take a new item: packing places items from its start.
        const open = props.canSchedule && localToUtc(date, slot.start, tz) > props.now;
        const add = `${paths.hamletSchedule(hamlet.id)}?tuan=${props.start}&them=${encodeURIComponent(slot.name)}&ngay=${date}#add`;
        return (
          <div class="slot">
            <h4>{p.m.slotRange(slot.label, slot.start, slot.end)}</h4>
            {inSlot.length > 0 ? list(inSlot) : null}
            <div class="slot-foot">
              {inSlot.length === 0 ? <p class="meta">{p.m.nothing}</p> : null}
              {open ? (
                <a
                  class="button secondary add"
                  href={add}
                  aria-label={p.m.addHereLabel(slot.label, day)}
                  data-add-slot={slot.name}
                  data-add-date={date}
                >
                  {p.m.addHere}
                </a>
              ) : null}
            </div>
          </div>
        );
      })}
      {others.length > 0 ? (
        <div class="slot">
          <h4>{p.m.otherTimes}</h4>
          {list(others)}
        </div>
      ) : null}
    </section>
  );
}

/**
 * Seven days of one hamlet from `days[0]` (today by default, so a phone opens on today): each day's
 * standing slots with their items, then items at other times. Days already past fold away into one
 * `<details>` unless nothing else is shown.
 */
export function Week(props: WeekProps) {
  const firstFresh = props.items.find((i) => i.fresh);
  const past = props.days.filter((d) => d < props.today);
  const coming = props.days.filter((d) => d >= props.today);
  const day = (date: string) => <Day {...props} date={date} firstFresh={firstFresh} />;
  return (
    <div class="week">
      {past.length > 0 && coming.length > 0 ? (
        <details class="past-days">
          <summary>{props.p.m.pastDays(past.length)}</summary>
          <div class="week">{past.map(day)}</div>
        </details>
      ) : (
        past.map(day)
      )}
      {coming.map(day)}
    </div>
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
