import type { RequestContext, UserActor } from '../domain/actor.js';
import type { AnnouncementMeta } from '../domain/announcement.js';
import type { BroadcastRequest } from '../domain/broadcast.js';
import {
  declineReason,
  deliveryStatus,
  nextSlotOpening,
  type Bulletin,
  type BulletinDelivery,
  type BulletinPlace,
  type BulletinSchedule,
  type BulletinTarget,
  type DeliveryStatus,
  type ReceiverProof,
} from '../domain/bulletin.js';
import { conflict, invalid, LoaError, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { InboxItem, Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import {
  announcementContent,
  communeRules,
  iso,
  localToUtc,
  LONGEST_ITEM_MS,
  slotCapacityS,
  utcToLocal,
} from '../domain/schedule/index.js';
import type { AnnouncementsService, VariantSource } from './announcements.service.js';
import type { AuditTrail } from './audit.service.js';
import type { Booking } from './broadcast-booking.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { groupBy } from './group-by.js';

interface Deps {
  readonly repos: Pick<Repositories, 'bulletins' | 'communes' | 'announcements' | 'hamlets' | 'broadcasts'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: Logger | undefined;
  readonly bus: EventBus;
  readonly announcements: Pick<AnnouncementsService, 'createForBulletin'>;
  readonly broadcasts: Pick<
    BroadcastsService,
    'book' | 'announce' | 'bookEmergencyEverywhere' | 'announceEverywhere'
  >;
}

/** A delivery as the province and the commune read it: with the status the clock and the boxes give it. */
export interface DeliveryView extends BulletinDelivery {
  readonly status: DeliveryStatus;
}

export interface BulletinView extends Bulletin {
  readonly deliveries: readonly DeliveryView[];
}

/** What the province sees of one commune when it sends: placed, or why the placement was refused. */
export interface Placement {
  readonly communeId: string;
  readonly broadcastId: string | null;
  readonly problem: string | null;
}

const BULLETIN = 'bản tin';

/** Communes booked at once when a priority or emergency bulletin is sent. */
const PLACEMENT_CONCURRENCY = 6;

/**
 * Bulletins from the province (Thông tư 39/2020): the province makes the content with the announcement
 * pipeline and sends it down at one of three levels; each commune gets its own copy of the content and a
 * delivery row. Normal ones wait in the commune's inbox for its decision; priority ones are booked into
 * each commune's next standing slot, emergencies at once, both through the one booking use case.
 */
export function createBulletinsService(deps: Deps) {
  const { clock, tx } = deps;

  /** The province's bulletin, or 404: a bulletin of another province does not exist for this caller. */
  async function loadBulletin(r: Pick<Repositories, 'bulletins'>, actor: UserActor, id: string) {
    const b = await r.bulletins.findBulletin(id);
    if (!b || b.provinceId !== actor.provinceId) throw notFound('Bulletin', id, BULLETIN);
    return b;
  }

  /** The caller's commune's delivery of a sent bulletin, or 404 (another commune's is not there for it). */
  async function loadDelivery(r: Pick<Repositories, 'bulletins'>, actor: UserActor, bulletinId: string) {
    const bulletin = await r.bulletins.findBulletin(bulletinId);
    const delivery = bulletin && (await r.bulletins.findDelivery(bulletinId, actor.communeId));
    if (!bulletin || !delivery) throw notFound('Bulletin', bulletinId, BULLETIN);
    return { bulletin, delivery };
  }

  const withStatus = (d: BulletinDelivery, b: Bulletin, now: number): DeliveryView => ({
    ...d,
    status: deliveryStatus(d, b.answerBy, now),
  });

  /** The target communes, each of the province and not deleted: 422 naming the others. */
  async function targetCommunes(
    r: Pick<Repositories, 'communes'>,
    actor: UserActor,
    requested: BulletinTarget['communeIds'],
  ) {
    const communes = await r.communes.listCommunes(actor.provinceId);
    if (requested === 'all') return communes;
    const ids = [...new Set(requested)];
    const byId = new Map(communes.map((c) => [c.id, c]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw invalid(
        'communeIds',
        `Unknown or deleted commune(s) of your province: ${missing.join(', ')}.`,
        `Không tìm thấy xã (hoặc xã đã bị xoá) trong tỉnh: ${missing.join(', ')}.`,
      );
    }
    return ids.map((id) => byId.get(id)!);
  }

  function checkTarget(target: BulletinTarget, now: number): void {
    if (target.answerBy !== undefined && target.level !== 'normal') {
      throw invalid(
        'answerBy',
        'Only a normal bulletin waits for an answer by a deadline.',
        'Chỉ bản tin mức Thường mới có hạn trả lời.',
      );
    }
    if (target.answerBy !== undefined && Date.parse(target.answerBy) <= now) {
      throw invalid('answerBy', 'The deadline has already passed.', 'Hạn trả lời đã qua.');
    }
  }

  /** The province officer acting in one target commune, on all of its hamlets. */
  const inCommune = (ctx: RequestContext, communeId: string): RequestContext => ({
    ...ctx,
    actor: { ...ctx.actor, communeId, hamletIds: 'all' },
  });

  /**
   * Books a priority or emergency bulletin into one commune in its own unit of work: the hamlets that
   * play a language the bulletin has, the next standing slot (priority) or now (emergency). A refusal
   * (the slot is full …) leaves the delivery received, so the commune can book it by hand, and is
   * audited and answered.
   */
  async function place(
    ctx: RequestContext,
    bulletin: Bulletin,
    delivery: BulletinDelivery,
  ): Promise<Placement> {
    const local = inCommune(ctx, delivery.communeId);
    try {
      const done = await tx(async (r) => {
        const commune = await r.communes.findCommune(delivery.communeId);
        const copy = await r.announcements.findAnnouncement(delivery.announcementId);
        if (!commune || !copy) throw notFound('Commune', delivery.communeId, 'xã');
        const languages = new Set(copy.variants.map((v) => v.language));
        const hamletIds = (await r.hamlets.listCommuneHamlets(commune.id))
          .filter((h) => h.languages.some((l) => languages.has(l)))
          .map((h) => h.id);
        let req: BroadcastRequest;
        if (bulletin.level === 'emergency') {
          req = { announcementId: copy.id, hamletIds, priority: 'emergency' };
        } else {
          const rules = communeRules(commune);
          const slot = nextSlotOpening(rules.slots, rules.timeZone, clock.now().getTime());
          if (!slot) {
            throw invalid('slot', 'The commune has no standing slot.', 'Xã chưa có khung giờ phát cố định.');
          }
          req = {
            announcementId: copy.id,
            hamletIds,
            priority: 'priority',
            slot: { name: slot.name, date: slot.date },
          };
        }
        const now = clock.now().toISOString();
        await r.bulletins.decide(bulletin.id, commune.id, 'received', {
          decision: 'scheduled',
          reason: null,
          by: ctx.actor.id,
          now,
        });
        const booking = await deps.broadcasts.book(r, local, req, 'bulletin.issue');
        const first = booking.scheduled.occurrences.map((o) => o.at).sort()[0] ?? null;
        await r.bulletins.addBroadcasts(bulletin.id, commune.id, [booking.broadcastId], first, now);
        return { booking, req };
      });
      deps.broadcasts.announce(local, done.req, done.booking);
      return { communeId: delivery.communeId, broadcastId: done.booking.broadcastId, problem: null };
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      await tx((r) =>
        deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.placement_refused',
          targetType: 'bulletin',
          targetId: bulletin.id,
          details: { communeId: delivery.communeId, reason: error.detail },
        }),
      );
      deps.logger?.warn(
        { bulletinId: bulletin.id, communeId: delivery.communeId, err: error.detail },
        'bulletin not placed',
      );
      return { communeId: delivery.communeId, broadcastId: null, problem: error.detailVi };
    }
  }

  /**
   * An emergency bulletin booked in every target commune at once, in one unit of work (the communes'
   * hamlets that play a language it has, now, each commune's repeat rule), so the last hamlet is pushed
   * as soon as the first. When a rule refuses it anywhere, nothing is written and the caller books the
   * communes one by one instead (`place`), each refusal then kept to its commune.
   */
  async function emergencyEverywhere(ctx: RequestContext, bulletin: Bulletin): Promise<Placement[] | null> {
    try {
      const done = await tx(async (r) => {
        const deliveries = await r.bulletins.listDeliveries(bulletin.id);
        const source = await r.announcements.findAnnouncement(bulletin.announcementId);
        if (!source) throw notFound('Bulletin', bulletin.id, BULLETIN);
        const content = announcementContent(source);
        if (content.kind !== 'announcement') return null;
        const languages = new Set(content.variants.map((v) => v.language));
        const hamlets = await r.hamlets.listHamletsOfCommunes(deliveries.map((d) => d.communeId));
        // Grouped once: the country is 3,321 communes of 30,000 hamlets.
        const heard = groupBy(
          hamlets.filter((h) => h.languages.some((l) => languages.has(l))),
          (h) => h.communeId,
        );
        const items = deliveries.map((d) => ({
          communeId: d.communeId,
          announcementId: d.announcementId,
          hamletIds: (heard.get(d.communeId) ?? []).map((h) => h.id),
        }));
        const bookings = await deps.broadcasts.bookEmergencyEverywhere(
          r,
          ctx,
          items,
          content,
          bulletin.title,
        );
        await r.bulletins.placeAll(
          bulletin.id,
          bookings.map((b) => ({
            communeId: b.communeId,
            broadcastId: b.broadcastId,
            firstAiringAt: b.scheduled.occurrences.map((o) => o.at).sort()[0] ?? null,
          })),
          ctx.actor.id,
          clock.now().toISOString(),
        );
        return bookings;
      });
      if (!done) return null;
      // Every commune's broadcast is one booking: one push for the whole country.
      deps.broadcasts.announceEverywhere(done.map((b) => ({ ctx: inCommune(ctx, b.communeId), booking: b })));
      return done
        .map((b) => ({ communeId: b.communeId, broadcastId: b.broadcastId, problem: null }))
        .sort((a, b) => a.communeId.localeCompare(b.communeId));
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      deps.logger?.warn(
        { bulletinId: bulletin.id, err: error.detail },
        'emergency booked commune by commune',
      );
      return null;
    }
  }

  /** A booking of a delivery by the commune, with the rows it writes, inside the caller's unit of work. */
  async function answerWithBooking(
    r: Repositories,
    ctx: RequestContext,
    bulletinId: string,
    req: BulletinSchedule,
  ): Promise<Booking> {
    const { bulletin, delivery } = await loadDelivery(r, ctx.actor, bulletinId);
    if (bulletin.level !== 'normal') {
      throw conflict(
        'The province placed this bulletin itself; only normal bulletins wait for the commune to schedule them.',
        'Bản tin này do tỉnh xếp lịch; xã chỉ xếp lịch cho bản tin mức Thường.',
      );
    }
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
    const booking = await deps.broadcasts.book(
      r,
      ctx,
      { ...req, announcementId: delivery.announcementId, priority: 'normal' },
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
    /**
     * A new bulletin: its content goes through the announcement pipeline (a recording, an upload or a
     * text → levelled audio), approved by the province; it is sent once its audio is ready.
     */
    async create(
      ctx: RequestContext,
      target: BulletinTarget,
      meta: AnnouncementMeta,
      source: VariantSource,
    ): Promise<{ id: string; status: string }> {
      assertAllowed(ctx.actor, 'bulletin.issue');
      checkTarget(target, clock.now().getTime());
      const communes = await targetCommunes(deps.repos, ctx.actor, target.communeIds);
      if (communes.length === 0) {
        throw invalid('communeIds', 'Your province has no commune yet.', 'Tỉnh chưa có xã nào.');
      }
      const id = deps.ids.id();
      const content = await deps.announcements.createForBulletin(
        ctx,
        meta,
        source,
        async (r, announcementId, now) => {
          await r.bulletins.insertBulletin({
            id,
            provinceId: ctx.actor.provinceId,
            announcementId,
            title: meta.title,
            level: target.level,
            communeIds: target.communeIds === 'all' ? null : communes.map((c) => c.id),
            answerBy: target.answerBy ? iso(Date.parse(target.answerBy)) : null,
            createdBy: ctx.actor.id,
            createdAt: now,
          });
          await deps.audit.record(r, {
            ...ctx,
            action: 'bulletin.create',
            targetType: 'bulletin',
            targetId: id,
            details: {
              level: target.level,
              communes: target.communeIds === 'all' ? 'all' : communes.map((c) => c.id),
            },
          });
        },
      );
      return { id, status: content.status };
    },

    /**
     * Sends a bulletin whose audio is ready: one copy of the content and one delivery per target commune,
     * written in batches in one unit of work (every inbox at once); then priority and emergency bulletins
     * are booked commune by commune. Sending twice is refused (409).
     */
    async send(
      ctx: RequestContext,
      id: string,
    ): Promise<{ id: string; sentAt: string; placements: readonly Placement[] }> {
      assertAllowed(ctx.actor, 'bulletin.issue');
      const sent = await tx(async (r) => {
        const bulletin = await loadBulletin(r, ctx.actor, id);
        const content = await r.announcements.findAnnouncement(bulletin.announcementId);
        if (!content || content.status !== 'ready') {
          throw invalid(
            'status',
            `The bulletin's audio is not ready yet (${content?.status ?? 'missing'}).`,
            `Âm thanh của bản tin chưa xử lý xong (trạng thái: ${content?.status ?? 'không có'}), chưa gửi được.`,
          );
        }
        const now = clock.now().toISOString();
        if (!(await r.bulletins.markSent(id, now))) {
          throw conflict('This bulletin was already sent.', 'Bản tin này đã được gửi.');
        }
        const communes = await targetCommunes(r, ctx.actor, bulletin.communeIds ?? 'all');
        const copies = communes.map((c) => ({
          communeId: c.id,
          announcementId: deps.ids.id(),
          variantIds: content.variants.filter((v) => v.status === 'ready').map(() => deps.ids.id()),
        }));
        await r.bulletins.insertCopiesAndDeliveries(bulletin, copies, 'received', ctx.actor.id, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.send',
          targetType: 'bulletin',
          targetId: id,
          details: { level: bulletin.level, communes: communes.map((c) => c.id) },
        });
        return { bulletin: { ...bulletin, sentAt: now }, now };
      });
      // Each commune is booked in its own unit of work on its own hamlets, so communes go side by side,
      // a few at a time (the database's connections are shared with everything else the service does).
      const placements: Placement[] = [];
      if (sent.bulletin.level === 'emergency') {
        const everywhere = await emergencyEverywhere(ctx, sent.bulletin);
        if (everywhere) return { id, sentAt: sent.now, placements: everywhere };
      }
      if (sent.bulletin.level !== 'normal') {
        const deliveries = await deps.repos.bulletins.listDeliveries(id);
        let next = 0;
        const worker = async () => {
          while (next < deliveries.length) {
            const delivery = deliveries[next++]!;
            placements.push(await place(ctx, sent.bulletin, delivery));
          }
        };
        await Promise.all(Array.from({ length: Math.min(PLACEMENT_CONCURRENCY, deliveries.length) }, worker));
        placements.sort((a, b) => a.communeId.localeCompare(b.communeId));
      }
      return { id, sentAt: sent.now, placements };
    },

    async list(ctx: RequestContext, limit = 50): Promise<readonly BulletinView[]> {
      assertAllowed(ctx.actor, 'bulletin.issue');
      const now = clock.now().getTime();
      const bulletins = await deps.repos.bulletins.listBulletins(ctx.actor.provinceId, limit);
      return Promise.all(
        bulletins.map(async (b) => ({
          ...b,
          deliveries: (await deps.repos.bulletins.listDeliveries(b.id)).map((d) => withStatus(d, b, now)),
        })),
      );
    },

    /** A bulletin with every commune's delivery and its status. */
    async get(ctx: RequestContext, id: string): Promise<BulletinView> {
      assertAllowed(ctx.actor, 'province.read');
      const b = await loadBulletin(deps.repos, ctx.actor, id);
      const now = clock.now().getTime();
      return {
        ...b,
        deliveries: (await deps.repos.bulletins.listDeliveries(id)).map((d) => withStatus(d, b, now)),
      };
    },

    /** Per commune and per receiver: which box reported starting, finishing or failing the bulletin. */
    async proof(
      ctx: RequestContext,
      id: string,
    ): Promise<{ bulletin: BulletinView; receivers: readonly ReceiverProof[] }> {
      const bulletin = await this.get(ctx, id);
      return { bulletin, receivers: await deps.repos.bulletins.listReceiverProof(id) };
    },

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
          (o) => o.status === 'scheduled' && Date.parse(o.startsAt) > nowMs && o.slotName !== null,
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
        await r.hamlets.bumpScheduleVersion(hamletIds, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.reorder',
          targetType: 'bulletin',
          targetId: bulletinId,
          details: { communeId: ctx.actor.communeId, place, moved: moves.length },
        });
        const after = await r.bulletins.findDelivery(bulletinId, ctx.actor.communeId);
        return {
          view: withStatus(after!, bulletin, nowMs),
          versions: await r.hamlets.findScheduleVersions(hamletIds),
        };
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

export type BulletinsService = ReturnType<typeof createBulletinsService>;
