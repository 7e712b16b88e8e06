import type { RequestContext } from '../domain/actor.js';
import type { Broadcast, BroadcastRequest, LeadIn, Occurrence } from '../domain/broadcast.js';
import type { Commune } from '../domain/commune.js';
import { invalid, notFound } from '../domain/errors.js';
import type { Hamlet } from '../domain/hamlet.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, isAllowed, type Permission } from '../domain/policy.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { normalRelayUrl, relayUrlProblem } from '../domain/relay-url.js';
import {
  airTimeMs,
  announcementContent,
  communeRules,
  formatLocalVi,
  isSeries,
  iso,
  nextStartOf,
  planReach,
  startsOf,
  SUGGESTION_SPAN_MS,
  type BroadcastContent,
} from '../domain/schedule/index.js';
import { bookedAround, bookedAroundMany } from './bookings.js';
import { materialise } from './materialise.js';
import { createAiringCancellation } from './airings.js';
import { createSeriesExtension, type SchedulingDeps } from './series.js';
import { createUpcoming } from './upcoming.js';
import { fromScheduleError, normaliseWhen } from './broadcast-request.js';

export interface BroadcastView extends Broadcast {
  readonly occurrences: readonly Occurrence[];
}

export interface Scheduled {
  readonly id: string;
  readonly occurrences: readonly {
    readonly id: string;
    readonly hamletId: string;
    readonly at: string;
    readonly durationMs: number;
    readonly slot: string | null;
  }[];
  readonly displaced: readonly {
    readonly id: string;
    readonly hamletId: string;
    readonly at: string;
    readonly title: string;
  }[];
}

/** A booking's answer: its occurrences and what it displaced, as the API shows them. */
function scheduledOf(
  id: string,
  plan: {
    readonly occurrences: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
      readonly durationMs: number;
      readonly slotName: string | null;
    }[];
    readonly displaced: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
      readonly title: string;
    }[];
  },
): Scheduled {
  return {
    id,
    occurrences: plan.occurrences.map((o) => ({
      id: o.id,
      hamletId: o.hamletId,
      at: iso(o.startsAt),
      durationMs: o.durationMs,
      slot: o.slotName,
    })),
    displaced: plan.displaced.map((d) => ({
      id: d.id,
      hamletId: d.hamletId,
      at: iso(d.startsAt),
      title: d.title,
    })),
  };
}

async function loadCommune(r: Pick<Repositories, 'communes'>, communeId: string): Promise<Commune> {
  const commune = await r.communes.findCommune(communeId);
  if (!commune) throw notFound('Commune', communeId, 'xã');
  return commune;
}

async function targetHamlets(
  r: Pick<Repositories, 'hamlets'>,
  ctx: RequestContext,
  requested: BroadcastRequest['hamletIds'],
  permission: Permission,
): Promise<readonly Hamlet[]> {
  if (requested === 'all') {
    assertAllowed(ctx.actor, permission, 'commune');
    return r.hamlets.listCommuneHamlets(ctx.actor.communeId);
  }
  const ids = [...new Set(requested)];
  if (ids.length === 0) {
    throw invalid('hamletIds', 'Choose at least one hamlet.', 'Hãy chọn ít nhất một thôn.');
  }
  const found = await r.hamlets.findHamlets(ids);
  const known = new Set(found.filter((h) => h.communeId === ctx.actor.communeId).map((h) => h.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw invalid(
      'hamletIds',
      `Unknown hamlet(s): ${missing.join(', ')}.`,
      `Không tìm thấy thôn: ${missing.join(', ')}.`,
    );
  }
  assertAllowed(ctx.actor, permission, ids, Object.fromEntries(found.map((h) => [h.id, h.name])));
  return ids.map((id) => found.find((h) => h.id === id)!);
}

/**
 * The content to air, checked: not withdrawn, ready, approved when the commune requires it, visible to the
 * caller.
 */
async function contentOf(
  r: Pick<Repositories, 'announcements' | 'bulletins'>,
  ctx: RequestContext,
  req: BroadcastRequest,
  commune: Commune,
): Promise<{ content: BroadcastContent; title: string }> {
  if ((req.announcementId === undefined) === (req.relay === undefined)) {
    throw invalid(
      'announcementId',
      'Give either announcementId or relay.',
      'Hãy chọn một thông báo hoặc một nguồn tiếp sóng (chỉ một trong hai).',
    );
  }
  if (req.relay) {
    const problem = relayUrlProblem(req.relay.url);
    if (problem)
      throw invalid('relay.url', `The relay URL ${problem.en}.`, `Địa chỉ tiếp sóng ${problem.vi}.`);
    // Boxes get the URL as it was checked, so their player cannot read another host out of it.
    const url = normalRelayUrl(req.relay.url);
    return {
      content: { kind: 'relay', url, durationS: req.relay.durationS },
      title: `Tiếp sóng ${url}`,
    };
  }
  const announcement = await r.announcements.findAnnouncement(req.announcementId!);
  if (
    !announcement ||
    announcement.communeId !== ctx.actor.communeId ||
    !isAllowed(ctx.actor, 'announcement.read', [announcement.hamletId]) ||
    // A province bulletin's own content is the province's: communes book their copy, through the inbox.
    (await r.bulletins.findBulletinOfAnnouncement(announcement.id)) !== undefined
  ) {
    throw invalid(
      'announcementId',
      `Announcement ${req.announcementId} does not exist.`,
      'Không tìm thấy thông báo này.',
    );
  }
  if (announcement.withdrawnAt) {
    throw invalid(
      'announcementId',
      `"${announcement.title}" was withdrawn and cannot be booked again.`,
      `Thông báo "${announcement.title}" đã được rút lại, không thể xếp lịch phát nữa.`,
    );
  }
  if (announcement.status !== 'ready') {
    throw invalid(
      'announcementId',
      `"${announcement.title}" is not ready to air yet (processing status: ${announcement.status}).`,
      `Thông báo "${announcement.title}" chưa xử lý xong âm thanh (trạng thái: ${announcement.status}), chưa thể xếp lịch.`,
    );
  }
  // Versions wait for the office one by one: what is approved can air while a newer one waits.
  const content = announcementContent(announcement);
  if (content.kind === 'announcement' && content.variants.length === 0) {
    throw invalid(
      'announcementId',
      `"${announcement.title}" has not been approved by the commune office.`,
      `Thông báo "${announcement.title}" chưa được văn phòng xã duyệt, chưa thể xếp lịch.`,
    );
  }
  return { content, title: announcement.title };
}

/** A booking made inside a unit of work, with what must be published once it has committed. */
export interface Booking {
  readonly broadcastId: string;
  /** Shared by the broadcasts booked together (a province's emergency in every commune), else its id. */
  readonly bookingId: string;
  readonly now: number;
  readonly plan: {
    readonly occurrences: readonly {
      readonly id: string;
      readonly hamletId: string;
      readonly startsAt: number;
    }[];
  };
  readonly versions: Readonly<Record<string, number>>;
  readonly title: string;
  readonly hamletIds: readonly string[];
  readonly scheduled: Scheduled;
}

export function createBroadcastsService(
  deps: SchedulingDeps & { readonly repos: Pick<Repositories, 'announcements' | 'bulletins'> },
) {
  const { clock, tx } = deps;

  async function bumpVersions(r: Pick<Repositories, 'hamlets'>, hamletIds: readonly string[]) {
    if (hamletIds.length === 0) return {};
    await r.hamlets.bumpScheduleVersion(hamletIds, clock.now().toISOString());
    return r.hamlets.findScheduleVersions(hamletIds);
  }

  async function view(
    rows: readonly Broadcast[],
    visible: 'all' | readonly string[],
  ): Promise<BroadcastView[]> {
    const occurrences = await deps.repos.broadcasts.listOccurrencesOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      ...row,
      occurrences: occurrences.filter(
        (o) => o.broadcastId === row.id && (visible === 'all' || visible.includes(o.hamletId)),
      ),
    }));
  }

  async function book(
    r: Repositories,
    ctx: RequestContext,
    req: BroadcastRequest,
    permission: Permission,
    options: { readonly leadIn?: LeadIn } = {},
  ): Promise<Booking> {
    const now = clock.now().getTime();
    const when = normaliseWhen(req, now);
    const broadcastId = deps.ids.id();
    const commune = await loadCommune(r, ctx.actor.communeId);
    const rules = communeRules(commune);
    const hamlets = await targetHamlets(r, ctx, req.hamletIds, permission);
    const found = await contentOf(r, ctx, req, commune);
    const title = found.title;
    // A lead-in (a disaster bulletin's spoken header) plays before the content, inside its air time.
    const content =
      options.leadIn && found.content.kind === 'announcement'
        ? { ...found.content, leadInMs: options.leadIn.durationMs }
        : found.content;
    if (req.priority === 'emergency' && Date.parse(when.at!) < now - 60_000) {
      throw invalid(
        'at',
        'An emergency cannot start in the past.',
        `Thời điểm ${formatLocalVi(Date.parse(when.at!), rules.timeZone)} đã qua.`,
      );
    }
    const series = isSeries(when);
    const horizon = now + deps.horizonMs;
    const emergencyFrom = req.priority === 'emergency' ? Date.parse(when.at!) : now;
    const window = {
      from: emergencyFrom,
      to: series || req.priority === 'emergency' ? horizon : Number.MAX_SAFE_INTEGER,
    };
    const starts = startsOf(when, req.priority, rules, window, now);
    if (!starts.ok) throw fromScheduleError(starts.error);
    const airTimes = hamlets.map((h) => ({ id: h.id, airTimeMs: airTimeMs(content, h) }));
    const silent = airTimes.find((a) => a.airTimeMs <= 0);
    if (silent) {
      const hamlet = hamlets.find((h) => h.id === silent.id)!;
      throw invalid(
        'hamletIds',
        `${hamlet.name} plays ${hamlet.languages.join(', ')}, and this announcement has no ready recording in those languages.`,
        `${hamlet.name} phát bằng ${hamlet.languages.join(', ')}, nhưng thông báo này chưa có bản ghi âm bằng các tiếng đó.`,
      );
    }

    await r.hamlets.lockSchedules(hamlets.map((h) => h.id));
    const asked = planReach(starts.value, rules, Math.max(...airTimes.map((a) => a.airTimeMs)));
    // A refused exact time is answered with the next free time after it, looked for over these.
    const reach =
      asked && when.at !== undefined && req.priority !== 'emergency'
        ? { from: asked.from, to: asked.to + SUGGESTION_SPAN_MS }
        : asked;
    const booked = reach ? await bookedAround(r, commune, hamlets, reach) : [];
    // Written first for the occurrences' foreign key; a refusal below rolls it back with the rest.
    const created = iso(now);
    await r.broadcasts.insertBroadcast({
      id: broadcastId,
      communeId: ctx.actor.communeId,
      announcementId: content.kind === 'announcement' ? content.announcementId : null,
      relay: content.kind === 'relay' ? { url: content.url, durationS: content.durationS } : null,
      hamletIds: hamlets.map((h) => h.id),
      schedule: when,
      leadIn: options.leadIn ?? null,
      priority: req.priority,
      createdBy: ctx.actor.id,
      createdAt: created,
      materialisedUntil: series ? iso(horizon) : null,
      nextStartAt: series ? nextStart(nextStartOf(when, req.priority, rules, horizon)) : null,
    });
    const done = await materialise(
      r,
      [
        {
          request: {
            broadcastId,
            priority: req.priority,
            bookedAt: now,
            title,
            starts: starts.value,
            hamlets: airTimes,
            field: req.recurrence ? 'recurrence' : 'at',
          },
          rules,
        },
      ],
      booked,
      { newId: () => deps.ids.id(), onRefusal: 'refuse', now },
    );
    const plan = done.plans[0]!;
    const displaced = plan.displaced;
    const versions = await bumpVersions(r, [
      ...new Set([...hamlets.map((h) => h.id), ...done.hamletsChanged]),
    ]);
    await deps.audit.record(r, {
      ...ctx,
      action: 'broadcast.create',
      targetType: 'broadcast',
      targetId: broadcastId,
      details: {
        priority: req.priority,
        hamletIds: hamlets.map((h) => h.id),
        occurrences: plan.occurrences.length,
        displaced: displaced.map((d) => d.id),
      },
    });
    return {
      broadcastId,
      bookingId: broadcastId,
      now,
      plan,
      versions,
      title,
      hamletIds: hamlets.map((h) => h.id),
      scheduled: scheduledOf(broadcastId, plan),
    };
  }

  /**
   * An emergency booked now in many communes in one unit of work (a province bulletin): each commune's
   * announcement on its hamlets, placed by the one materialiser in one pass over what is booked on all of
   * them, read once; the broadcasts, occurrences, schedule versions and one audit row written together.
   * The same rules as `book` for an emergency at once (each commune's repeat rule; quiet hours and
   * conflicts give way); the caller checked the right to send it. Publish with `announce` per booking.
   */
  async function bookEmergencyEverywhere(
    r: Repositories,
    ctx: RequestContext,
    items: readonly {
      readonly communeId: string;
      readonly announcementId: string;
      readonly hamletIds: readonly string[];
    }[],
    content: Extract<BroadcastContent, { kind: 'announcement' }>,
    title: string,
  ): Promise<readonly (Booking & { readonly communeId: string })[]> {
    const now = clock.now().getTime();
    const communes = new Map(
      (await r.communes.findCommunes(items.map((i) => i.communeId))).map((c) => [c.id, c]),
    );
    const hamlets = new Map(
      (await r.hamlets.listHamletsOfCommunes([...communes.keys()])).map((h) => [h.id, h]),
    );
    const when = normaliseWhen({ hamletIds: [], priority: 'emergency' }, now);
    const horizon = now + deps.horizonMs;
    const places = items.map((item) => {
      const commune = communes.get(item.communeId);
      if (!commune) throw notFound('Commune', item.communeId, 'xã');
      const rules = communeRules(commune);
      const own = item.hamletIds.map((id) => hamlets.get(id)).filter((h): h is Hamlet => h !== undefined);
      const mine = { ...content, announcementId: item.announcementId };
      const airTimes = own.map((h) => ({ id: h.id, airTimeMs: airTimeMs(mine, h) }));
      const starts = startsOf(when, 'emergency', rules, { from: now, to: horizon }, now);
      if (!starts.ok) throw fromScheduleError(starts.error);
      return {
        item,
        commune,
        rules,
        hamlets: own,
        airTimes,
        starts: starts.value,
        broadcastId: deps.ids.id(),
      };
    });
    const all = places.flatMap((p) => p.hamlets.map((h) => h.id));
    await r.hamlets.lockSchedules(all);
    const reaches = places
      .map((p) => planReach(p.starts, p.rules, Math.max(0, ...p.airTimes.map((a) => a.airTimeMs))))
      .filter((x): x is NonNullable<typeof x> => x !== null);
    const window = {
      from: Math.min(...reaches.map((x) => x.from)),
      to: Math.max(...reaches.map((x) => x.to)),
    };
    const booked = reaches.length > 0 ? await bookedAroundMany(r, places, window) : [];
    const created = iso(now);
    // One booking for all of them: its emergency reaches every commune as one event.
    const bookingId = deps.ids.id();
    await r.broadcasts.insertBroadcasts(
      places.map((p) => ({
        id: p.broadcastId,
        bookingId,
        communeId: p.commune.id,
        announcementId: p.item.announcementId,
        relay: null,
        hamletIds: p.hamlets.map((h) => h.id),
        schedule: when,
        priority: 'emergency' as const,
        createdBy: ctx.actor.id,
        createdAt: created,
        materialisedUntil: null,
        nextStartAt: null,
      })),
    );
    const done = await materialise(
      r,
      places.map((p) => ({
        request: {
          broadcastId: p.broadcastId,
          priority: 'emergency' as const,
          bookedAt: now,
          title,
          starts: p.starts,
          hamlets: p.airTimes,
          field: 'at' as const,
        },
        rules: p.rules,
      })),
      booked,
      { newId: () => deps.ids.id(), onRefusal: 'refuse', now },
    );
    const versions = await bumpVersions(r, [...new Set([...all, ...done.hamletsChanged])]);
    await deps.audit.record(r, {
      ...ctx,
      action: 'broadcast.create',
      targetType: 'broadcast',
      targetId: null,
      details: {
        priority: 'emergency',
        broadcasts: Object.fromEntries(places.map((p) => [p.commune.id, p.broadcastId])),
        occurrences: done.added,
      },
    });
    return places.map((p, i) => {
      const plan = done.plans[i]!;
      // Read per hamlet of the commune: filtering the country's versions once per commune is quadratic.
      const mine = p.hamlets.flatMap((h) =>
        versions[h.id] === undefined ? [] : [[h.id, versions[h.id]!] as const],
      );
      return {
        communeId: p.commune.id,
        broadcastId: p.broadcastId,
        bookingId,
        now,
        plan,
        versions: Object.fromEntries(mine),
        title,
        hamletIds: p.hamlets.map((h) => h.id),
        scheduled: scheduledOf(p.broadcastId, plan),
      };
    });
  }

  /**
   * An emergency booking pushed at once: one event naming the booking, when any of its occurrences is
   * due within the minute; later repeats reach receivers through their manifest.
   */
  function pushEmergency(outcomes: readonly Pick<Booking, 'bookingId' | 'now' | 'plan'>[]): void {
    const [first] = outcomes;
    if (!first) return;
    const dueBy = first.now + 60_000;
    if (outcomes.some((b) => b.plan.occurrences.some((o) => o.startsAt <= dueBy)))
      deps.bus.publish({ type: 'emergency', bookingId: first.bookingId, dueBy: iso(dueBy) });
  }

  /** Tells the operations centre and the webhooks that a commune's emergency went out. */
  function emergencySent(ctx: RequestContext, outcome: Booking): void {
    const first = Math.min(...outcome.plan.occurrences.map((o) => o.startsAt));
    deps.bus.publish({
      type: 'emergency-sent',
      broadcastId: outcome.broadcastId,
      provinceId: ctx.actor.provinceId,
      communeId: ctx.actor.communeId,
      hamletIds: outcome.hamletIds,
      startsAt: iso(Number.isFinite(first) ? first : outcome.now),
      title: outcome.title,
      sentBy: ctx.actor.username,
      sentAt: iso(outcome.now),
    });
  }

  /** After the booking committed: an emergency pushed at once, then the new schedule versions. */
  function announce(ctx: RequestContext, req: Pick<BroadcastRequest, 'priority'>, outcome: Booking): void {
    if (req.priority === 'emergency') pushEmergency([outcome]);
    deps.bus.publish({ type: 'schedule-changed', versions: outcome.versions });
    if (req.priority === 'emergency') emergencySent(ctx, outcome);
  }

  /**
   * After an emergency booked in many communes at once committed (`bookEmergencyEverywhere`): one push
   * for the whole booking first, then every commune's new schedule versions as one change (the bus splits
   * what does not fit one notification), then each commune's `emergency-sent`.
   */
  function announceEverywhere(
    bookings: readonly { readonly ctx: RequestContext; readonly booking: Booking }[],
  ): void {
    pushEmergency(bookings.map((b) => b.booking));
    const versions: Record<string, number> = {};
    for (const { booking } of bookings) Object.assign(versions, booking.versions);
    deps.bus.publish({ type: 'schedule-changed', versions });
    for (const { ctx, booking } of bookings) emergencySent(ctx, booking);
  }

  /**
   * `schedule` inside the caller's unit of work, with the caller's booking rights; `publish` tells the
   * receivers once the unit has committed. `leadIn` is audio each airing plays first.
   */
  async function scheduleWithin(
    r: Repositories,
    ctx: RequestContext,
    req: BroadcastRequest,
    options: { readonly leadIn?: LeadIn } = {},
  ): Promise<{ readonly scheduled: Scheduled; readonly publish: () => void }> {
    assertAllowed(ctx.actor, 'broadcast.schedule');
    if (req.priority === 'emergency') assertAllowed(ctx.actor, 'broadcast.emergency');
    const booking = await book(r, ctx, req, 'broadcast.schedule', options);
    return { scheduled: booking.scheduled, publish: () => announce(ctx, req, booking) };
  }

  /**
   * Cancels what of a broadcast has not started yet, inside the caller's unit of work (past occurrences
   * stay for the record); `publish`, once the unit has committed, tells the receivers, and stops an
   * emergency that is playing.
   */
  async function cancelWithin(
    r: Repositories,
    ctx: RequestContext,
    id: string,
  ): Promise<{ readonly cancelledOccurrences: number; readonly publish: () => void }> {
    const row = await r.broadcasts.findBroadcast(id);
    if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
    assertAllowed(
      ctx.actor,
      row.priority === 'emergency' ? 'broadcast.emergency' : 'broadcast.schedule',
      row.hamletIds,
    );
    if (row.cancelledAt) return { cancelledOccurrences: 0, publish: () => undefined };
    // Taken like a booking, so that a dispatcher tick extending this series cannot add to it after.
    await r.hamlets.lockSchedules(row.hamletIds);
    const now = clock.now().toISOString();
    const before = (await r.broadcasts.listOccurrencesOf([id])).filter(
      (o) => o.status === 'scheduled' && o.startsAt > now,
    );
    const touched = await r.broadcasts.cancelBroadcast(id, ctx.actor.id, now);
    await deps.audit.record(r, {
      ...ctx,
      action: 'broadcast.cancel',
      targetType: 'broadcast',
      targetId: id,
      details: { occurrences: before.length },
    });
    const versions = await bumpVersions(r, touched);
    return {
      cancelledOccurrences: before.length,
      publish: () => {
        if (Object.keys(versions).length > 0) deps.bus.publish({ type: 'schedule-changed', versions });
        if (row.priority === 'emergency' && row.hamletIds.length > 0)
          deps.bus.publish({ type: 'stop', hamletIds: row.hamletIds, occurrenceId: null });
      },
    };
  }

  return {
    ...createSeriesExtension(deps),
    ...createAiringCancellation(deps),
    ...createUpcoming(deps),

    /**
     * Schedules a broadcast in one unit of work: the target hamlets' schedules are locked, what is
     * booked there is read, the one materialiser places the new occurrences (slot packing, quiet hours,
     * conflicts, displacement of lower priorities), and the broadcast, its occurrences, the moves and
     * cancellations, the new schedule versions and the audit row commit together, or nothing does.
     */
    async schedule(ctx: RequestContext, req: BroadcastRequest): Promise<Scheduled> {
      const booking = await tx((r) => scheduleWithin(r, ctx, req));
      booking.publish();
      return booking.scheduled;
    },

    scheduleWithin,
    cancelWithin,

    /**
     * The checks a booking makes of its hamlets and content, without booking: for a use case that books
     * later (a disaster bulletin waiting for a processing node to speak its header), so that the officer
     * is told now what the booking would refuse then.
     */
    async assertBookable(
      ctx: RequestContext,
      req: Pick<BroadcastRequest, 'announcementId' | 'hamletIds'>,
    ): Promise<void> {
      assertAllowed(ctx.actor, 'broadcast.schedule');
      const commune = await loadCommune(deps.repos, ctx.actor.communeId);
      await targetHamlets(deps.repos, ctx, req.hamletIds, 'broadcast.schedule');
      await contentOf(deps.repos, ctx, req as BroadcastRequest, commune);
    },

    /**
     * The booking of `schedule` inside a unit of work the caller holds (a bulletin's delivery is answered
     * in the same one), checked against `permission` on the hamlets instead of the caller's booking right.
     * The caller publishes with `announce` once it has committed.
     */
    book,
    bookEmergencyEverywhere,
    announce,
    announceEverywhere,

    async list(
      ctx: RequestContext,
      filter: PageRequest & {
        hamletId?: string | undefined;
        from?: string | undefined;
        to?: string | undefined;
      },
    ): Promise<Page<BroadcastView>> {
      assertAllowed(ctx.actor, 'broadcast.read', filter.hamletId ? [filter.hamletId] : undefined);
      const scope = ctx.actor.hamletIds;
      const hamletIds = filter.hamletId ? [filter.hamletId] : scope === 'all' ? undefined : scope;
      const page = await deps.repos.broadcasts.listBroadcasts(ctx.actor.communeId, {
        cursor: filter.cursor,
        limit: filter.limit,
        hamletIds,
        ...(filter.from && { from: filter.from }),
        ...(filter.to && { to: filter.to }),
      });
      return { items: await view(page.items, scope), nextCursor: page.nextCursor };
    },

    async get(ctx: RequestContext, id: string): Promise<BroadcastView> {
      const row = await deps.repos.broadcasts.findBroadcast(id);
      if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
      const scope = ctx.actor.hamletIds;
      if (scope !== 'all' && !row.hamletIds.some((h) => scope.includes(h)))
        assertAllowed(ctx.actor, 'broadcast.read', row.hamletIds);
      return (await view([row], scope))[0]!;
    },

    /** Cancels what has not started yet; past occurrences stay for the record. */
    async cancel(ctx: RequestContext, id: string): Promise<{ cancelledOccurrences: number }> {
      const done = await tx((r) => cancelWithin(r, ctx, id));
      done.publish();
      return { cancelledOccurrences: done.cancelledOccurrences };
    },
  };
}

const nextStart = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export type BroadcastsService = ReturnType<typeof createBroadcastsService>;
