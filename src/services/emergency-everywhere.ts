import type { RequestContext } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import type { Hamlet } from '../domain/hamlet.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  airTimeMs,
  communeRules,
  iso,
  planReach,
  startsOf,
  type BroadcastContent,
} from '../domain/schedule/index.js';
import { createBookingOutcomes, scheduledOf, type Booking, type BookingDeps } from './broadcast-booking.js';
import { fromScheduleError, normaliseWhen } from './broadcast-request.js';
import { bookedAroundMany } from './bookings.js';
import { materialise } from './materialise.js';

/** A province's emergency booked and published in many communes at once, as one booking. */
export function createEmergencyEverywhere(deps: BookingDeps) {
  const { clock } = deps;
  const { bumpVersions, pushEmergency, recordEmergencies, emergencySent } = createBookingOutcomes(deps);

  /**
   * An emergency booked now in many communes in one unit of work (a province bulletin): each commune's
   * announcement on its hamlets, placed by the one materialiser in one pass over what is booked on all of
   * them, read once; the broadcasts, occurrences, schedule versions, one audit row and every commune's
   * `emergency.sent` webhook written together.
   * The same rules as `book` for an emergency at once (each commune's repeat rule; quiet hours and
   * conflicts give way); the caller checked the right to send it and read the hamlets it reaches.
   * Publish with `announceEverywhere`.
   */
  async function bookEmergencyEverywhere(
    r: Repositories,
    ctx: RequestContext,
    items: readonly {
      readonly communeId: string;
      readonly announcementId: string;
      readonly hamlets: readonly Hamlet[];
    }[],
    content: Extract<BroadcastContent, { kind: 'announcement' }>,
    title: string,
  ): Promise<readonly (Booking & { readonly communeId: string })[]> {
    const now = clock.now().getTime();
    const communes = new Map(
      (await r.communes.findCommunes(items.map((i) => i.communeId))).map((c) => [c.id, c]),
    );
    const when = normaliseWhen({ hamletIds: [], priority: 'emergency' }, now);
    const horizon = now + deps.horizonMs;
    const places = items.map((item) => {
      const commune = communes.get(item.communeId);
      if (!commune) throw notFound('Commune', item.communeId, 'xã');
      const rules = communeRules(commune);
      const mine = { ...content, announcementId: item.announcementId };
      const airTimes = item.hamlets.map((h) => ({ id: h.id, airTimeMs: airTimeMs(mine, h) }));
      const starts = startsOf(when, 'emergency', rules, { from: now, to: horizon }, now);
      if (!starts.ok) throw fromScheduleError(starts.error);
      return {
        item,
        commune,
        rules,
        hamlets: item.hamlets,
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
    const bookings = places.map((p, i) => {
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
    // Every commune's `emergency.sent` in this unit of work: the endpoints read once, the rows in batches.
    await recordEmergencies(
      r,
      bookings.map((booking) => ({
        ctx: { ...ctx, actor: { ...ctx.actor, communeId: booking.communeId } },
        booking,
      })),
    );
    return bookings;
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

  return { bookEmergencyEverywhere, announceEverywhere };
}
