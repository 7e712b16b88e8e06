import type { RequestContext, UserActor } from '../domain/actor.js';
import type { Broadcast } from '../domain/broadcast.js';
import {
  declineReason,
  deliveryStatus,
  type Bulletin,
  type BulletinDelivery,
  type BulletinPlace,
  type BulletinSchedule,
  type DeliveryStatus,
} from '../domain/bulletin.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { InboxItem, Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import {
  communeRules,
  iso,
  localToUtc,
  LONGEST_ITEM_MS,
  slotCapacityS,
  utcToLocal,
} from '../domain/schedule/index.js';
import type { AuditTrail } from './audit.service.js';
import type { Booking } from './broadcast-booking.js';
import type { BroadcastsService } from './broadcasts.service.js';

export interface InboxDeps {
  readonly repos: Pick<Repositories, 'bulletins'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly broadcasts: Pick<BroadcastsService, 'book' | 'announce'>;
}

/** A delivery as the province and the commune read it: with the status the clock and the boxes give it. */
export interface DeliveryView extends BulletinDelivery {
  readonly status: DeliveryStatus;
}

const BULLETIN = 'bản tin';

/** A delivery with the status the clock and the commune's answer give it. */
export const withStatus = (d: BulletinDelivery, b: Bulletin, now: number): DeliveryView => ({
  ...d,
  status: deliveryStatus(d, b.answerBy, now),
});

/**
 * After a broadcast of a commune's copy of a bulletin was cancelled, in the same unit of work: once none of
 * the delivery's broadcasts is left (not cancelled), the delivery is back in the inbox as received, so the
 * commune can schedule it again and the province sees it waiting instead of a cancelled airing time.
 */
export async function reopenIfUnbooked(
  r: Repositories,
  audit: AuditTrail,
  ctx: RequestContext,
  cancelled: Pick<Broadcast, 'id' | 'announcementId' | 'communeId'>,
  now: string,
): Promise<void> {
  if (cancelled.announcementId === null) return;
  const delivery = await r.bulletins.findDeliveryOfCopy(cancelled.announcementId);
  if (
    !delivery ||
    delivery.communeId !== cancelled.communeId ||
    delivery.decision !== 'scheduled' ||
    !delivery.broadcastIds.includes(cancelled.id)
  )
    return;
  for (const id of delivery.broadcastIds) {
    if ((await r.broadcasts.findBroadcast(id))?.cancelledAt === null) return;
  }
  if (!(await r.bulletins.reopen(delivery.bulletinId, delivery.communeId, now))) return;
  await audit.record(r, {
    ...ctx,
    action: 'bulletin.reopen',
    targetType: 'bulletin',
    targetId: delivery.bulletinId,
    details: { communeId: delivery.communeId, broadcastId: cancelled.id },
  });
}

/** The commune's side of the province's bulletins: its inbox and its answer to each (Thông tư 39/2020). */
export function createBulletinInbox(deps: InboxDeps) {
  const { clock, tx } = deps;

  /** The caller's commune's delivery of a sent bulletin, or 404 (another commune's is not there for it). */
  async function loadDelivery(r: Pick<Repositories, 'bulletins'>, actor: UserActor, bulletinId: string) {
    const bulletin = await r.bulletins.findBulletin(bulletinId);
    const delivery = bulletin && (await r.bulletins.findDelivery(bulletinId, actor.communeId));
    if (!bulletin || !delivery) throw notFound('Bulletin', bulletinId, BULLETIN);
    return { bulletin, delivery };
  }

  /** A booking of a delivery by the commune, with the rows it writes, inside the caller's unit of work. */
  async function answerWithBooking(
    r: Repositories,
    ctx: RequestContext,
    bulletinId: string,
    req: BulletinSchedule,
  ): Promise<Booking> {
    const { bulletin, delivery } = await loadDelivery(r, ctx.actor, bulletinId);
    const now = clock.now().toISOString();
    // Claimed first: a second answer at the same time waits on this row, then finds it taken.
    if (
      !(await r.bulletins.decide(bulletinId, ctx.actor.communeId, 'received', {
        decision: 'scheduled',
        reason: null,
        by: ctx.actor.id,
        now,
      }))
    ) {
      throw alreadyAnswered(delivery);
    }
    // The province places priority and emergency bulletins itself; one it could not place in this commune
    // (its slot was full, no hamlet spoke the language yet) is still received, and the commune books it
    // at its level.
    const booking = await deps.broadcasts.book(
      r,
      ctx,
      { ...req, announcementId: delivery.announcementId, priority: bulletin.level },
      'bulletin.answer',
    );
    const first = booking.scheduled.occurrences.map((o) => o.at).sort()[0] ?? null;
    await r.bulletins.addBroadcasts(bulletinId, ctx.actor.communeId, [booking.broadcastId], first, now);
    await deps.audit.record(r, {
      ...ctx,
      action: 'bulletin.schedule',
      targetType: 'bulletin',
      targetId: bulletinId,
      details: { communeId: ctx.actor.communeId, broadcastId: booking.broadcastId, level: bulletin.level },
    });
    return booking;
  }

  const alreadyAnswered = (d: BulletinDelivery) =>
    conflict(
      `The commune already answered this bulletin (${d.decision}).`,
      d.decision === 'declined'
        ? 'Xã đã từ chối bản tin này.'
        : 'Xã đã xếp lịch phát bản tin này (có thể do người khác vừa thao tác).',
    );

  return {
    /** The commune's inbox: the province's bulletins to it, newest first, with its own answer. */
    async inbox(
      ctx: RequestContext,
      limit = 50,
    ): Promise<readonly (InboxItem & { status: DeliveryStatus })[]> {
      assertAllowed(ctx.actor, 'bulletin.answer');
      const now = clock.now().getTime();
      return (await deps.repos.bulletins.listInbox(ctx.actor.communeId, limit)).map((i) => ({
        ...i,
        status: deliveryStatus(i.delivery, i.bulletin.answerBy, now),
      }));
    },

    /** One bulletin of the commune's inbox. */
    async inboxItem(
      ctx: RequestContext,
      bulletinId: string,
    ): Promise<InboxItem & { status: DeliveryStatus }> {
      assertAllowed(ctx.actor, 'bulletin.answer');
      const { bulletin, delivery } = await loadDelivery(deps.repos, ctx.actor, bulletinId);
      return {
        bulletin,
        delivery,
        status: deliveryStatus(delivery, bulletin.answerBy, clock.now().getTime()),
      };
    },

    /**
     * The commune schedules a normal bulletin: any slot, time or series in its chosen hamlets, through the
     * one booking use case, in the same unit of work as its answer, so of two answers at once one wins.
     */
    async schedule(ctx: RequestContext, bulletinId: string, req: BulletinSchedule) {
      assertAllowed(ctx.actor, 'bulletin.answer');
      const booking = await tx((r) => answerWithBooking(r, ctx, bulletinId, req));
      deps.broadcasts.announce(ctx, { priority: 'normal' }, booking);
      return booking.scheduled;
    },

    /**
     * The commune orders a priority bulletin against its own priority items in the slots it was placed in
     * (the circular leaves that order to the commune): first, or after them. The priority items of each
     * slot are laid back to back again in that order from where they began, so the normal items after
     * them keep their times; the order is kept for later repacking of the slot, and the province sees it.
     */
    async reorder(ctx: RequestContext, bulletinId: string, place: BulletinPlace): Promise<DeliveryView> {
      assertAllowed(ctx.actor, 'bulletin.answer');
      const done = await tx(async (r) => {
        const { bulletin, delivery } = await loadDelivery(r, ctx.actor, bulletinId);
        if (bulletin.level !== 'priority') {
          throw conflict(
            'Only a priority bulletin is ordered by the commune against its own priority items.',
            'Chỉ bản tin mức Ưu tiên mới được xã sắp xếp thứ tự với tin ưu tiên của xã.',
          );
        }
        const ours = new Set(delivery.broadcastIds);
        const nowMs = clock.now().getTime();
        const mine = (await r.broadcasts.listOccurrencesOf(delivery.broadcastIds)).filter(
          (o) => o.status !== 'cancelled' && Date.parse(o.startsAt) > nowMs && o.slotName !== null,
        );
        const hamletIds = [...new Set(mine.map((o) => o.hamletId))];
        await r.hamlets.lockSchedules(hamletIds);
        const commune = await r.communes.findCommune(ctx.actor.communeId);
        if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
        const rules = communeRules(commune);
        const moves: { id: string; startsAt: string }[] = [];
        const theirsBookedAt: number[] = [];
        for (const o of mine) {
          const slot = rules.slots.find((s) => s.name === o.slotName);
          if (!slot) continue;
          const opens = localToUtc(
            utcToLocal(Date.parse(o.startsAt), rules.timeZone).date,
            slot.start,
            rules.timeZone,
          );
          const booked = await r.broadcasts.listBookedBetween(
            [o.hamletId],
            iso(opens),
            iso(opens + slotCapacityS(slot) * 1000),
            LONGEST_ITEM_MS,
          );
          const block = booked
            .filter(
              (b) =>
                b.slotName === o.slotName && b.priority === 'priority' && Date.parse(b.startsAt) >= opens,
            )
            .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
          const theirs = block.filter((b) => !ours.has(b.broadcastId));
          if (theirs.length === 0) continue;
          theirsBookedAt.push(...theirs.map((b) => Date.parse(b.bookedAt)));
          const self = block.filter((b) => ours.has(b.broadcastId));
          const ordered = place === 'first' ? [...self, ...theirs] : [...theirs, ...self];
          let cursor = Date.parse(block[0]!.startsAt);
          for (const item of ordered) {
            if (Date.parse(item.startsAt) !== cursor) moves.push({ id: item.id, startsAt: iso(cursor) });
            cursor += item.durationMs;
          }
        }
        if (theirsBookedAt.length === 0) {
          throw conflict(
            'No priority item of the commune shares a slot with this bulletin: there is no order to choose.',
            'Không có tin ưu tiên nào của xã cùng khung giờ với bản tin này, không cần sắp xếp.',
          );
        }
        const orderAt = place === 'first' ? Math.min(...theirsBookedAt) - 1 : Math.max(...theirsBookedAt) + 1;
        const now = iso(nowMs);
        await r.broadcasts.moveOccurrences(moves, now);
        await r.bulletins.setSlotPlace(
          bulletinId,
          ctx.actor.communeId,
          place,
          delivery.broadcastIds,
          iso(orderAt),
          now,
        );
        const versions = await r.hamlets.bumpScheduleVersions(hamletIds, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.reorder',
          targetType: 'bulletin',
          targetId: bulletinId,
          details: { communeId: ctx.actor.communeId, place, moved: moves.length },
        });
        const after = await r.bulletins.findDelivery(bulletinId, ctx.actor.communeId);
        return { view: withStatus(after!, bulletin, nowMs), versions };
      });
      deps.bus.publish({ type: 'schedule-changed', versions: done.versions });
      return done.view;
    },

    /** The commune declines a normal bulletin with a reason the province reads. */
    async decline(ctx: RequestContext, bulletinId: string, given: string | undefined): Promise<DeliveryView> {
      assertAllowed(ctx.actor, 'bulletin.answer');
      const reason = declineReason(given);
      return tx(async (r) => {
        const { bulletin, delivery } = await loadDelivery(r, ctx.actor, bulletinId);
        if (bulletin.level !== 'normal') {
          throw conflict(
            'Priority and emergency bulletins cannot be declined.',
            'Bản tin mức Ưu tiên và Khẩn cấp không thể từ chối.',
          );
        }
        if (reason === null) {
          throw invalid(
            'reason',
            'Say why the commune declines this bulletin; the province reads it.',
            'Hãy ghi lý do từ chối bản tin; tỉnh sẽ đọc lý do này.',
          );
        }
        const now = clock.now().toISOString();
        if (
          !(await r.bulletins.decide(bulletinId, ctx.actor.communeId, 'received', {
            decision: 'declined',
            reason,
            by: ctx.actor.id,
            now,
          }))
        ) {
          throw alreadyAnswered(delivery);
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.decline',
          targetType: 'bulletin',
          targetId: bulletinId,
          details: { communeId: ctx.actor.communeId, reason },
        });
        const after = await r.bulletins.findDelivery(bulletinId, ctx.actor.communeId);
        return withStatus(after!, bulletin, clock.now().getTime());
      });
    },
  };
}
