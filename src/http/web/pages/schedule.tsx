import { Hono, type Context } from 'hono';
import type { Commune } from '../../../domain/commune.js';
import { isAllowed } from '../../../domain/policy.js';
import {
  addDays,
  formatDateVi,
  localToUtc,
  parseLocalDate,
  parseLocalTime,
  utcToLocal,
  type Result,
} from '../../../domain/schedule/index.js';
import { BroadcastRequestSchema, type BroadcastRequest } from '../../../domain/broadcast.js';
import { gate } from '../../middleware/gate.js';
import { checkInput } from '../input.js';
import { communeOf, hamletsOf } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { many, one, problemOf, readForm, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, seeOther, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Layout, Section, notices } from '../ui.js';
import { BroadcastForm, HamletPicker, Week, type WeekItem } from './schedule-view.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isDate = (s: string | undefined): s is string => !!s && parseLocalDate(s).ok;

/** The Monday (local date) of the week that contains `date`. */
function mondayOf(date: string): string {
  const weekday = utcToLocal(Date.parse(`${date}T12:00:00Z`), 'UTC').weekday;
  return addDays(date, -((weekday + 6) % 7));
}

// Where a scheduling rule's refusal belongs on the form (the service names its own input fields).
const fieldMap: Record<string, string> = {
  announcementId: 'announcementId',
  hamletIds: 'announcementId',
  slot: 'slotName',
  'slot.name': 'slotName',
  'slot.date': 'slotDate',
  recurrence: 'repeatTime',
  'recurrence.cron': 'repeatTime',
  'recurrence.from': 'fromDate',
  'recurrence.until': 'untilDate',
  priority: 'priority',
};

/**
 * The service's request from the form, in the commune's local time; only the shape is checked here (a
 * real date, a real time, a day chosen): every scheduling rule is the service's.
 */
function requestFrom(
  form: FormValues,
  hamletId: string,
  commune: Commune,
  nowMs: number,
  p: PageContext,
): { req: BroadcastRequest } | { fields: Record<string, string> } {
  const { m, lang } = p;
  const tz = commune.timeZone;
  const fields: Record<string, string> = {};
  const check = <T,>(result: Result<T>, field: string): T | undefined => {
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
    date('atDate');
    time('atTime');
    req = { ...base, at: iso(localToUtc(one(form, 'atDate'), one(form, 'atTime'), tz)) };
  } else if (kind === 'repeat') {
    const days = many(form, 'days').filter((d) => /^[0-6]$/.test(d));
    if (days.length === 0) fields.days = m.chooseDay;
    time('repeatTime');
    date('fromDate');
    const until = one(form, 'untilDate');
    if (until) check(parseLocalDate(until, 'untilDate'), 'untilDate');
    const [hh, mm] = one(form, 'repeatTime').split(':').map(Number);
    if (Object.keys(fields).length === 0) {
      // The week's days at one local time; a start date of today starts now, not at past midnight.
      const from = Math.max(nowMs, localToUtc(one(form, 'fromDate'), '00:00', tz));
      req = {
        ...base,
        recurrence: {
          cron: `${mm} ${hh} * * ${[...new Set(days)].sort().join(',')}`,
          from: iso(from),
          ...(until && { until: iso(localToUtc(addDays(until, 1), '00:00', tz)) }),
        },
      };
    }
  } else {
    fields.kind = m.required;
  }
  if (Object.keys(fields).length > 0 || !req) return { fields };
  // The use case's own schema, as the API's POST /api/v1/broadcasts checks it.
  const checked = checkInput(BroadcastRequestSchema, req, p, {
    controlOf: (path) => fieldMap[path.join('.')] ?? fieldMap[String(path[0])] ?? 'kind',
  });
  return checked.ok ? { req: checked.value } : { fields: checked.problem.fields };
}

export function scheduleRoutes(deps: WebDeps) {
  const { services, clock } = deps;
  const app = new Hono();

  async function renderWeek(
    c: Context,
    hamletId: string,
    form?: { values: FormValues; problem: FormProblem },
  ) {
    const ctx = signedIn(c);
    const p = pageContext(c);
    const hamlet = await services.hamlets.get(ctx, hamletId);
    const commune = await communeOf(services, ctx);
    const tz = commune.timeZone;
    const now = clock.now().getTime();
    const today = utcToLocal(now, tz).date;
    const asked = c.req.query('tuan');
    const monday = mondayOf(isDate(asked) ? asked : today);
    const from = localToUtc(monday, '00:00', tz);
    const to = localToUtc(addDays(monday, 7), '00:00', tz);
    const page = await services.broadcasts.list(ctx, { hamletId, from: iso(from), to: iso(to), limit: 200 });
    const items: WeekItem[] = page.items.flatMap((b) =>
      b.occurrences
        .filter((o) => o.hamletId === hamletId && o.status !== 'cancelled')
        .filter((o) => Date.parse(o.startsAt) >= from && Date.parse(o.startsAt) < to)
        .map((o) => ({
          broadcastId: b.id,
          startsAt: o.startsAt,
          durationMs: o.durationMs,
          slotName: o.slotName,
          title: o.title,
          priority: o.priority,
          status: o.status,
          cancellable:
            !b.cancelledAt &&
            o.status === 'scheduled' &&
            Date.parse(o.startsAt) > now &&
            isAllowed(
              ctx.actor,
              b.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule',
              b.hamletIds,
            ),
        })),
    );
    items.sort((x, y) => x.startsAt.localeCompare(y.startsAt));
    const canSchedule = isAllowed(ctx.actor, 'broadcast.schedule', [hamletId]);
    const approval = commune.settings.approvalRequired ? ('approved' as const) : undefined;
    const ready = canSchedule
      ? (await services.announcements.list(ctx, { status: 'ready', approval, limit: 200 })).items
      : [];
    const tomorrow = addDays(today, 1);
    const values: FormValues = form?.values ?? {
      kind: 'slot',
      slotName: commune.settings.slots[0]?.name ?? '',
      slotDate: tomorrow,
      atDate: tomorrow,
      fromDate: today,
      priority: 'normal',
    };
    const label = (d: string) => (p.lang === 'vi' ? formatDateVi(d) : d);
    const week = (d: string) => `${paths.hamletSchedule(hamletId)}?tuan=${d}`;
    const hamlets = await hamletsOf(services, ctx);
    return sendPage(
      c,
      <Layout
        p={p}
        title={p.m.scheduleTitle(hamlet.name)}
        scripts={['toggle.js']}
        notice={notices(p.m)[c.req.query('tb') ?? '']}
      >
        <HamletPicker p={p} hamlets={hamlets} current={hamletId} />
        <p class="actions">
          <a class="button secondary" href={week(addDays(monday, -7))}>
            {p.m.prevWeek}
          </a>
          <a class="button secondary" href={week(today)}>
            {p.m.thisWeek}
          </a>
          <a class="button secondary" href={week(addDays(monday, 7))}>
            {p.m.nextWeek}
          </a>
        </p>
        <h2>{p.m.weekOf(label(monday), label(addDays(monday, 6)))}</h2>
        <Week p={p} commune={commune} hamlet={hamlet} monday={monday} today={today} items={items} />
        {canSchedule ? (
          <Section title={p.m.addBroadcast} id="add">
            <BroadcastForm
              p={p}
              commune={commune}
              hamlet={hamlet}
              announcements={ready.map((a) => [a.id, a.title] as const)}
              values={values}
              errors={form?.problem.fields ?? {}}
              general={form?.problem.general}
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
    const form = await readForm(c);
    const commune = await communeOf(services, ctx);
    const built = requestFrom(form, hamletId, commune, clock.now().getTime(), p);
    if ('fields' in built) {
      return renderWeek(c, hamletId, {
        values: form,
        problem: { general: p.m.fixBelow, fields: built.fields, status: 400 },
      });
    }
    try {
      const created = await services.broadcasts.schedule(ctx, built.req);
      const first = created.occurrences[0]?.at;
      const date = first ? utcToLocal(Date.parse(first), commune.timeZone).date : undefined;
      return seeOther(c, `${paths.hamletSchedule(hamletId)}${date ? `?tuan=${date}` : ''}`, 'scheduled');
    } catch (error) {
      const kind = one(form, 'kind');
      const map = { ...fieldMap, at: kind === 'repeat' ? 'repeatTime' : 'atTime' };
      return renderWeek(c, hamletId, { values: form, problem: problemOf(error, p.lang, map) });
    }
  });

  app.post('/lich-phat/:hamletId/huy/:broadcastId', async (c) => {
    const ctx = signedIn(c);
    const hamletId = c.req.param('hamletId');
    await services.broadcasts.cancel(ctx, c.req.param('broadcastId'));
    return seeOther(c, paths.hamletSchedule(hamletId), 'cancelled');
  });

  return app;
}
