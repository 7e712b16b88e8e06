import type { RequestContext } from '../domain/actor.js';
import type { Broadcast, BroadcastRequest, LeadIn, Occurrence } from '../domain/broadcast.js';
import { invalid, notFound } from '../domain/errors.js';
import { keyReused } from '../domain/idempotency.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, type Permission } from '../domain/policy.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  airTimeMs,
  communeRules,
  formatLocalVi,
  isSeries,
  iso,
  LONGEST_ITEM_MS,
  nextStartOf,
  planReach,
  startsOf,
  SUGGESTION_SPAN_MS,
} from '../domain/schedule/index.js';
import { bookedAround } from './bookings.js';
import { materialise } from './materialise.js';
import { createAiringCancellation } from './airings.js';
import {
  createBookingOutcomes,
  scheduledOf,
  type Booking,
  type BookingDeps,
  type Scheduled,
} from './broadcast-booking.js';
import { contentOf, loadCommune, targetHamlets } from './broadcast-checks.js';
import { reopenIfUnbooked } from './bulletin-inbox.js';
import { createEmergencyEverywhere } from './emergency-everywhere.js';
import { createSeriesExtension } from './series.js';
import { createUpcoming } from './upcoming.js';
import { fromScheduleError, normaliseWhen } from './broadcast-request.js';

export interface BroadcastView extends Broadcast {
  readonly occurrences: readonly Occurrence[];
}

export function createBroadcastsService(
  deps: BookingDeps & { readonly repos: Pick<Repositories, 'announcements' | 'bulletins'> },
) {
  const { clock, tx } = deps;
  const { bumpVersions, pushEmergency, recordEmergencies, emergencySent } = createBookingOutcomes(deps);

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
    options: { readonly leadIn?: LeadIn; readonly idempotencyKey?: string } = {},
  ): Promise<Booking> {
    const now = clock.now().getTime();
    const when = normaliseWhen(req, now);
    const broadcastId = deps.ids.id();
    // Held from here on, and the hamlets and the commune's rules read under it: a hamlet deleted, a language
    // taken from it or a slot removed at the same moment comes wholly before this booking (it is refused or
    // books on what is left) or after it (it sees the booking).
    const live = await r.hamlets.lockSchedules(
      req.hamletIds === 'all'
        ? (await r.hamlets.listCommuneHamlets(ctx.actor.communeId)).map((h) => h.id)
        : req.hamletIds,
    );
    const hamlets = await targetHamlets(r, ctx, req.hamletIds, permission);
    // The same request sent again under its key waited here for the first one, and finds its booking.
    const { idempotencyKey } = options;
    const earlier =
      idempotencyKey !== undefined &&
      (await r.broadcasts.findBroadcastByKey(ctx.actor.communeId, idempotencyKey));
    if (earlier) return replayOf(r, earlier, req, hamlets, now);
    if (live.length < hamlets.length) {
      const gone = hamlets.filter((h) => !live.includes(h.id)).map((h) => h.name);
      throw invalid(
        'hamletIds',
        `${gone.join(', ')} was deleted meanwhile.`,
        `${gone.join(', ')} vừa bị xóa; hãy chọn lại thôn.`,
      );
    }
    const commune = await loadCommune(r, ctx.actor.communeId);
    const rules = communeRules(commune);
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
    // A series is booked up to the horizon and extended by the dispatcher; anything else, an emergency's
    // repeats included, is booked whole now, however far ahead.
    const window = { from: emergencyFrom, to: series ? horizon : Number.MAX_SAFE_INTEGER };
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
    const overlong = airTimes.find((a) => a.airTimeMs > LONGEST_ITEM_MS);
    if (overlong) {
      const hamlet = hamlets.find((h) => h.id === overlong.id)!;
      const minutes = Math.ceil(overlong.airTimeMs / 60_000);
      throw invalid(
        'hamletIds',
        `${hamlet.name} would air this for ${minutes} minutes (its languages in turn); an airing lasts at most ${LONGEST_ITEM_MS / 3_600_000} hours.`,
        `${hamlet.name} sẽ phát nội dung này trong ${minutes} phút (lần lượt các tiếng của thôn); mỗi lượt phát dài tối đa ${LONGEST_ITEM_MS / 3_600_000} giờ.`,
      );
    }

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
      ...(idempotencyKey !== undefined && { idempotencyKey }),
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
    const booking: Booking = {
      broadcastId,
      bookingId: broadcastId,
      now,
      plan,
      versions,
      title,
      hamletIds: hamlets.map((h) => h.id),
      scheduled: scheduledOf(broadcastId, plan),
    };
    if (req.priority === 'emergency') await recordEmergencies(r, [{ ctx, booking }]);
    return booking;
  }

  /**
   * The booking a request under the same key made before: the same content, priority and hamlets, or
   * the key was reused for another request (422). Its airings as they stand now.
   */
  async function replayOf(
    r: Repositories,
    earlier: Broadcast,
    req: BroadcastRequest,
    hamlets: readonly { readonly id: string }[],
    now: number,
  ): Promise<Booking> {
    const same =
      earlier.priority === req.priority &&
      earlier.announcementId === (req.announcementId ?? null) &&
      earlier.relay?.url === req.relay?.url &&
      earlier.hamletIds.length === hamlets.length &&
      hamlets.every((h) => earlier.hamletIds.includes(h.id));
    if (!same) throw keyReused();
    const occurrences = (await r.broadcasts.listOccurrencesOf([earlier.id])).filter(
      (o) => o.status !== 'cancelled',
    );
    const plan = {
      occurrences: occurrences.map((o) => ({ ...o, startsAt: Date.parse(o.startsAt) })),
      displaced: [],
    };
    return {
      broadcastId: earlier.id,
      bookingId: earlier.id,
      now,
      plan,
      versions: {},
      title: occurrences[0]?.title ?? '',
      hamletIds: earlier.hamletIds,
      scheduled: { ...scheduledOf(earlier.id, plan), replayed: true },
      replayed: true,
    };
  }

  /** After the booking committed: an emergency pushed at once, then the new schedule versions. */
  function announce(ctx: RequestContext, req: Pick<BroadcastRequest, 'priority'>, outcome: Booking): void {
    if (outcome.replayed) return;
    if (req.priority === 'emergency') pushEmergency([outcome]);
    deps.bus.publish({ type: 'schedule-changed', versions: outcome.versions });
    if (req.priority === 'emergency') emergencySent(ctx, outcome);
  }

  /**
   * `schedule` inside the caller's unit of work, with the caller's booking rights; `publish` tells the
   * receivers once the unit has committed. `leadIn` is audio each airing plays first.
   */
  async function scheduleWithin(
    r: Repositories,
    ctx: RequestContext,
    req: BroadcastRequest,
    options: { readonly leadIn?: LeadIn; readonly idempotencyKey?: string } = {},
  ): Promise<{ readonly scheduled: Scheduled; readonly publish: () => void }> {
    assertAllowed(ctx.actor, 'broadcast.schedule');
    if (req.priority === 'emergency') assertAllowed(ctx.actor, 'broadcast.emergency');
    const booking = await book(r, ctx, req, 'broadcast.schedule', options);
    return { scheduled: booking.scheduled, publish: () => announce(ctx, req, booking) };
  }

  /**
   * Cancels what of a broadcast has not started yet, inside the caller's unit of work (past occurrences
   * stay for the record); `publish`, once the unit has committed, tells the receivers, and stops the
   * broadcast's emergency airing that is playing: it alone, by its occurrence, so that another emergency
   * on the same hamlets (a second disaster event's bulletin) plays on.
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
    const occurrences = (await r.broadcasts.listOccurrencesOf([id])).filter((o) => o.status !== 'cancelled');
    const before = occurrences.filter((o) => o.startsAt > now);
    const airing =
      row.priority === 'emergency'
        ? occurrences.filter(
            (o) => o.startsAt <= now && Date.parse(o.startsAt) + o.durationMs > Date.parse(now),
          )
        : [];
    const touched = await r.broadcasts.cancelBroadcast(id, ctx.actor.id, now);
    await reopenIfUnbooked(r, deps.audit, ctx, row, now);
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
        for (const o of airing)
          deps.bus.publish({ type: 'stop', hamletIds: [o.hamletId], occurrenceId: o.id });
      },
    };
  }

  return {
    ...createSeriesExtension(deps),
    ...createAiringCancellation(deps),
    ...createUpcoming(deps),
    ...createEmergencyEverywhere(deps),

    /**
     * Schedules a broadcast in one unit of work: the target hamlets' schedules are locked, what is
     * booked there is read, the one materialiser places the new occurrences (slot packing, quiet hours,
     * conflicts, displacement of lower priorities), and the broadcast, its occurrences, the moves and
     * cancellations, the new schedule versions and the audit row commit together, or nothing does.
     * Under an `idempotencyKey` the commune booked before, it answers with that booking instead.
     */
    async schedule(
      ctx: RequestContext,
      req: BroadcastRequest,
      options: { readonly idempotencyKey?: string } = {},
    ): Promise<Scheduled> {
      const booking = await tx((r) => scheduleWithin(r, ctx, req, options));
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
    announce,

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
