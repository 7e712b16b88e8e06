import { Hono, type Context } from 'hono';
import { notAirableReason } from '../../../domain/announcement.js';
import type { RequestContext } from '../../../domain/actor.js';
import { LoaError } from '../../../domain/errors.js';
import { isAllowed } from '../../../domain/policy.js';
import {
  addDays,
  formatDateVi,
  isSeries,
  localToUtc,
  parseLocalDate,
  utcToLocal,
} from '../../../domain/schedule/index.js';
import type { BroadcastView } from '../../../services/broadcasts.service.js';
import { gate } from '../../middleware/gate.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { one, onceKeyOf, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, sendPage, signedIn } from '../page.js';
import { paths } from '../paths.js';
import { Layout, Section, notices } from '../ui.js';
import { BroadcastForm } from './schedule-form.js';
import { fieldMapFor, requestFrom, withSuggestion } from './schedule-request.js';
import { seriesLabel } from './schedule-series.js';
import { HamletPicker, Week, type WeekItem } from './schedule-view.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isDate = (s: string | undefined): s is string => !!s && parseLocalDate(s).ok;

/** A page address with a notice and a place to land on (`#…`), in that order. */
const landing = (path: string, query: Record<string, string | undefined>, fragment: string) => {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  return `${path}${q.size > 0 ? `?${q}` : ''}#${fragment}`;
};

/** The days shown start on this date: seven from there, so `?tuan=` of today's date is the default view. */
const startOf = (asked: string | undefined, today: string) => (isDate(asked) ? asked : today);

export function scheduleRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  async function renderWeek(
    c: Context,
    hamletId: string,
    form?: { values: FormValues; problem: FormProblem; suggestion?: string | undefined },
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const hamlet = await services.hamlets.get(ctx, hamletId);
    const commune = await communeOf(services, ctx);
    const tz = commune.timeZone;
    const now = clock.now().getTime();
    const today = utcToLocal(now, tz).date;
    const start = startOf(c.req.query('tuan'), today);
    const days = Array.from({ length: 7 }, (_, i) => addDays(start, i));
    const from = localToUtc(start, '00:00', tz);
    const to = localToUtc(addDays(start, 7), '00:00', tz);
    const fresh = c.req.query('moi');
    const cancellable = (b: Pick<BroadcastView, 'priority' | 'hamletIds'>) =>
      isAllowed(ctx.actor, b.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule', [
        ...b.hamletIds,
      ]);
    const page = await services.broadcasts.list(ctx, { hamletId, from: iso(from), to: iso(to), limit: 200 });
    const stored: WeekItem[] = page.items.flatMap((b) =>
      b.occurrences
        .filter((o) => o.hamletId === hamletId && o.status !== 'cancelled')
        .filter((o) => Date.parse(o.startsAt) >= from && Date.parse(o.startsAt) < to)
        .map((o) => ({
          broadcastId: b.id,
          occurrenceId: o.id,
          airingAt: null,
          startsAt: o.startsAt,
          durationMs: o.durationMs,
          slotName: o.slotName,
          title: o.title,
          priority: o.priority,
          status: o.status,
          series: seriesLabel(b.schedule, commune, p),
          cancellable:
            !b.cancelledAt && o.status === 'scheduled' && Date.parse(o.startsAt) > now && cancellable(b),
          fresh: b.id === fresh,
        })),
    );
    // Weeks the dispatcher has not reached yet still show each series, as it will be placed.
    const projected: WeekItem[] = (await services.broadcasts.upcoming(ctx, hamletId, { from, to })).map(
      (a) => ({
        broadcastId: a.broadcastId,
        occurrenceId: null,
        airingAt: a.airingAt,
        startsAt: a.startsAt,
        durationMs: a.durationMs,
        slotName: a.slotName,
        title: a.title,
        priority: a.priority,
        status: 'scheduled',
        series: seriesLabel(a.schedule, commune, p),
        cancellable: Date.parse(a.startsAt) > now && cancellable(a),
        fresh: a.broadcastId === fresh,
      }),
    );
    const items = [...stored, ...projected].sort((x, y) => x.startsAt.localeCompare(y.startsAt));
    const canSchedule = isAllowed(ctx.actor, 'broadcast.schedule', [hamletId]);
    // What the booking takes: an approved version may air while a newer one waits for the office.
    const ready = canSchedule
      ? (
          await services.announcements.list(ctx, {
            status: 'ready',
            withdrawn: false,
            newestFirst: true,
            limit: 200,
          })
        ).items.filter((a) => notAirableReason(a) === null)
      : [];
    // "+ Thêm" of a slot opens the form on that slot and day.
    const asked = c.req.query('them');
    const chosenSlot = commune.settings.slots.find((s) => s.name === asked);
    const chosenDate = c.req.query('ngay');
    const tomorrow = addDays(today, 1);
    const values: FormValues = form?.values ?? {
      kind: 'slot',
      slotName: chosenSlot?.name ?? commune.settings.slots[0]?.name ?? '',
      slotDate: chosenSlot && isDate(chosenDate) ? chosenDate : tomorrow,
      atDate: tomorrow,
      fromDate: today,
      repeatBy: 'slot',
      repeatSlot: commune.settings.slots[0]?.name ?? '',
      priority: 'normal',
    };
    const label = (d: string) => (p.lang === 'vi' ? formatDateVi(d) : d);
    const week = (d: string) => `${paths.hamletSchedule(hamletId)}?tuan=${d}`;
    const hamlets = await hamletsOf(services, ctx);
    const notice = notices(p.m)[c.req.query('tb') ?? ''] ?? scheduleNotices(p.m)[c.req.query('tb') ?? ''];
    return sendPage(
      c,
      <Layout
        p={p}
        title={p.m.scheduleTitle(hamlet.name)}
        scripts={['toggle.js', 'schedule.js']}
        notice={notice}
      >
        <HamletPicker p={p} hamlets={hamlets} current={hamletId} />
        <p class="actions">
          <a class="button secondary" href={week(addDays(start, -7))}>
            {p.m.prevWeek}
          </a>
          <a class="button secondary" href={paths.hamletSchedule(hamletId)}>
            {p.m.thisWeek}
          </a>
          <a class="button secondary" href={week(addDays(start, 7))}>
            {p.m.nextWeek}
          </a>
        </p>
        <h2>{p.m.weekOf(label(start), label(addDays(start, 6)))}</h2>
        <Week
          p={p}
          commune={commune}
          hamlet={hamlet}
          days={days}
          today={today}
          now={now}
          items={items}
          start={start}
          canSchedule={canSchedule}
        />
        {canSchedule ? (
          <Section title={p.m.addBroadcast} id="add">
            <BroadcastForm
              p={p}
              commune={commune}
              hamlet={hamlet}
              action={week(start)}
              announcements={ready.map((a) => [a.id, a.title] as const)}
              values={values}
              errors={form?.problem.fields ?? {}}
              general={form?.problem.general}
              suggestion={form?.suggestion}
              focusFirst={!form && !!chosenSlot}
            />
          </Section>
        ) : null}
      </Layout>,
      form?.problem.status ?? 200,
    );
  }

  app.get(paths.schedule, gate('broadcast.read'), async (c) => {
    const ctx = signedIn(c);
    const first = (await hamletsOf(services, ctx))[0];
    if (!first) return c.redirect(paths.home, 303);
    return c.redirect(paths.hamletSchedule(first.id), 303);
  });

  app.get('/lich-phat/:hamletId', (c) => renderWeek(c, c.req.param('hamletId')));

  app.post('/lich-phat/:hamletId', gate('broadcast.schedule'), async (c) => {
    const ctx = signedIn(c);
    const hamletId = c.req.param('hamletId');
    const p = pageContext(c);
    const commune = await communeOf(services, ctx);
    const tz = commune.timeZone;
    const form = withSuggestion(await readForm(c), tz);
    const now = clock.now().getTime();
    const built = requestFrom(form, hamletId, commune, now, p);
    if ('fields' in built) {
      return renderWeek(c, hamletId, {
        values: form,
        problem: { general: p.m.fixBelow, fields: built.fields, status: 400 },
      });
    }
    try {
      const created = await services.broadcasts.schedule(ctx, built.req, onceKeyOf(form));
      // Land on the new item: the days from its first airing here, unless today's seven days show it.
      const first = created.occurrences.find((o) => o.hamletId === hamletId)?.at;
      const asked = built.req.slot?.date || one(form, 'atDate') || one(form, 'fromDate');
      const date = first ? utcToLocal(Date.parse(first), tz).date : asked;
      const today = utcToLocal(now, tz).date;
      const shown = date >= today && date < addDays(today, 7);
      return c.redirect(
        landing(
          paths.hamletSchedule(hamletId),
          { tuan: shown ? undefined : date, moi: created.id, tb: 'scheduled' },
          'moi',
        ),
        303,
      );
    } catch (error) {
      const map = fieldMapFor(one(form, 'kind'), one(form, 'repeatBy'));
      const suggestion =
        error instanceof LoaError ? (error.extra.suggestion as { at?: string } | undefined) : undefined;
      return renderWeek(c, hamletId, {
        values: form,
        problem: problemOf(error, p.lang, map),
        suggestion: suggestion?.at,
      });
    }
  });

  /**
   * Cancels after the confirmation in the item's `<details>`: this airing (the stored occurrence `lan`, or
   * a series' projected airing `luc`), or a series whole (`pham-vi=chuoi`). A one-off booked in several
   * hamlets, or an emergency with its repeats, loses only the airing asked about on this hamlet's page.
   */
  /**
   * Cancels a stored airing; one the same confirmation already cancelled (sent again over a slow link) is
   * done, not refused: the person would read the refusal as the cancel having failed.
   */
  async function cancelOnce(ctx: RequestContext, broadcastId: string, occurrenceId: string): Promise<void> {
    try {
      await services.broadcasts.cancelOccurrence(ctx, broadcastId, occurrenceId);
    } catch (error) {
      const done =
        error instanceof LoaError &&
        error.status === 409 &&
        (await services.broadcasts.get(ctx, broadcastId)).occurrences.some(
          (o) => o.id === occurrenceId && o.status === 'cancelled',
        );
      if (!done) throw error;
    }
  }

  app.post('/lich-phat/:hamletId/huy/:broadcastId', async (c) => {
    const ctx = signedIn(c);
    const hamletId = c.req.param('hamletId');
    const broadcastId = c.req.param('broadcastId');
    const form = await readForm(c);
    const lan = one(form, 'lan');
    const luc = one(form, 'luc');
    let notice = 'cancelled';
    if (one(form, 'pham-vi') !== 'chuoi' && (lan || luc)) {
      if (lan) await cancelOnce(ctx, broadcastId, lan);
      else await services.broadcasts.skipAiring(ctx, broadcastId, { at: luc, hamletIds: [hamletId] });
      notice = 'cancelledOne';
    } else {
      const series = isSeries((await services.broadcasts.get(ctx, broadcastId)).schedule);
      await services.broadcasts.cancel(ctx, broadcastId);
      if (series) notice = 'cancelledSeries';
    }
    const day = one(form, 'ngay');
    return c.redirect(
      landing(
        paths.hamletSchedule(hamletId),
        { tuan: isDate(one(form, 'tuan')) ? one(form, 'tuan') : undefined, tb: notice },
        isDate(day) ? `d-${day}` : 'main',
      ),
      303,
    );
  });

  return app;
}

/** The schedule's own notices after a redirect, beside the shared ones. */
const scheduleNotices = (m: ReturnType<typeof pageContext>['m']): Record<string, string> => ({
  cancelledOne: m.cancelledOne,
  cancelledSeries: m.cancelledSeries,
});
