import type { RequestContext, UserActor } from '../domain/actor.js';
import type { AnnouncementMeta } from '../domain/announcement.js';
import type { Bulletin, BulletinTarget, ReceiverProof } from '../domain/bulletin.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { iso } from '../domain/schedule/index.js';
import type { VariantSource } from './announcement-intake.js';
import type { AnnouncementsService } from './announcements.service.js';
import type { AuditTrail } from './audit.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { createBulletinInbox, withStatus, type DeliveryView } from './bulletin-inbox.js';
import { createBulletinPlacement, type Placement } from './bulletin-placement.js';

interface Deps {
  readonly repos: Pick<
    Repositories,
    'bulletins' | 'communes' | 'announcements' | 'hamlets' | 'broadcasts' | 'users'
  >;
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

export interface BulletinView extends Bulletin {
  readonly deliveries: readonly DeliveryView[];
}

const BULLETIN = 'bản tin';

/**
 * How long a send is given to place its own bulletin before the dispatcher's sweep places what it left:
 * a send places a province's communes in well under a second, and a sweep racing a send that is still
 * under way would book nothing twice, but would answer that send's communes as booked by someone else.
 */
const SEND_GRACE_MS = 60_000;
/**
 * The sweep leaves alone a bulletin due for longer (a server that was down for a day): an emergency of
 * yesterday is not aired on its own; the province officer sends it again if it still holds.
 */
const SWEEP_WINDOW_MS = 24 * 3_600_000;
/** Bulletins placed by one sweep: the next tick takes the others. */
const SWEEP_BULLETINS = 20;

/**
 * Bulletins from the province (Thông tư 39/2020): the province makes the content with the announcement
 * pipeline and sends it down at one of three levels; each commune gets its own copy of the content and a
 * delivery row. Normal ones wait in the commune's inbox for its decision; priority ones are booked into
 * each commune's next standing slot, emergencies at once, both through the one booking use case.
 */
export function createBulletinsService(deps: Deps) {
  const { clock, tx } = deps;
  const placement = createBulletinPlacement(deps);

  /** The province's bulletin, or 404: a bulletin of another province does not exist for this caller. */
  async function loadBulletin(r: Pick<Repositories, 'bulletins'>, actor: UserActor, id: string) {
    const b = await r.bulletins.findBulletin(id);
    if (!b || b.provinceId !== actor.provinceId) throw notFound('Bulletin', id, BULLETIN);
    return b;
  }

  /** The target communes of the province that are not deleted, and the ids asked for that are not. */
  async function liveTargets(
    r: Pick<Repositories, 'communes'>,
    actor: UserActor,
    requested: BulletinTarget['communeIds'],
  ) {
    const communes = await r.communes.listCommunes(actor.provinceId);
    if (requested === 'all') return { communes, missing: [] };
    const ids = [...new Set(requested)];
    const byId = new Map(communes.map((c) => [c.id, c]));
    return {
      communes: ids.flatMap((id) => byId.get(id) ?? []),
      missing: ids.filter((id) => !byId.has(id)),
    };
  }

  /**
   * The province officer who made the bulletin, acting for the sweep: the placement finishes the send
   * they (or a colleague) made, and the bookings are theirs, as the send's own would have been.
   */
  async function maker(b: Bulletin): Promise<RequestContext> {
    const user = await deps.repos.users.findUser(b.createdBy);
    return {
      actor: {
        kind: 'user',
        id: b.createdBy,
        username: user?.username ?? b.createdBy,
        role: 'province_officer',
        provinceId: b.provinceId,
        communeId: user?.communeId ?? '',
        hamletIds: 'all',
      },
      requestId: null,
    };
  }

  const alreadySent = () => conflict('This bulletin was already sent.', 'Bản tin này đã được gửi.');

  const unknownCommunes = (missing: readonly string[]) =>
    invalid(
      'communeIds',
      `Unknown or deleted commune(s) of your province: ${missing.join(', ')}.`,
      `Không tìm thấy xã (hoặc xã đã bị xoá) trong tỉnh: ${missing.join(', ')}.`,
    );

  const noCommune = () => invalid('communeIds', 'Your province has no commune yet.', 'Tỉnh chưa có xã nào.');

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

  return {
    ...createBulletinInbox(deps),

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
      const { communes, missing } = await liveTargets(deps.repos, ctx.actor, target.communeIds);
      if (missing.length > 0) throw unknownCommunes(missing);
      if (communes.length === 0) throw noCommune();
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
     * are booked commune by commune. Sending a priority or emergency bulletin again (an officer or a client
     * retrying after an error) books the communes its first send left unbooked and answers every commune's
     * placement; a normal bulletin sent again is refused (409).
     */
    async send(
      ctx: RequestContext,
      id: string,
    ): Promise<{ id: string; sentAt: string; placements: readonly Placement[] }> {
      assertAllowed(ctx.actor, 'bulletin.issue');
      const sent = await tx(async (r) => {
        const bulletin = await loadBulletin(r, ctx.actor, id);
        if (bulletin.sentAt !== null) {
          if (bulletin.level === 'normal') throw alreadySent();
          return { bulletin, now: bulletin.sentAt };
        }
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
          // Another send was first: its deliveries are written; a priority or emergency one is placed again.
          const first = await loadBulletin(r, ctx.actor, id);
          if (first.level === 'normal' || first.sentAt === null) throw alreadySent();
          return { bulletin: first, now: first.sentAt };
        }
        // A commune deleted since the bulletin was made is hidden from everything: it is left out, and
        // the bulletin goes to the others rather than never going at all.
        const { communes, missing } = await liveTargets(r, ctx.actor, bulletin.communeIds ?? 'all');
        if (communes.length === 0) throw missing.length > 0 ? unknownCommunes(missing) : noCommune();
        const copies = communes.map((c) => ({
          communeId: c.id,
          announcementId: deps.ids.id(),
          variantIds: content.variants.filter((v) => v.status === 'ready').map(() => deps.ids.id()),
        }));
        // Due for placement until booked: what a crash before that leaves is found by a send again or the sweep.
        await r.bulletins.insertCopiesAndDeliveries(
          bulletin,
          copies,
          'received',
          ctx.actor.id,
          now,
          bulletin.level !== 'normal',
        );
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.send',
          targetType: 'bulletin',
          targetId: id,
          details: {
            level: bulletin.level,
            communes: communes.map((c) => c.id),
            ...(missing.length > 0 && { left: missing }),
          },
        });
        return { bulletin: { ...bulletin, sentAt: now }, now };
      });
      const { placements } = await placement.placeDue(ctx, sent.bulletin);
      return { id, sentAt: sent.now, placements };
    },

    /**
     * The dispatcher's sweep: books the sent priority and emergency bulletins whose send did not place
     * them everywhere (its process died, or the database failed, between the send and the booking), each
     * commune once, as the officer who made the bulletin. A commune that answered the bulletin itself or
     * where a rule refused it is not due and is left alone. Returns the communes booked.
     */
    async placeUnplaced(): Promise<number> {
      const now = clock.now().getTime();
      const due = await deps.repos.bulletins.listPlacementDue(
        iso(now - SWEEP_WINDOW_MS),
        iso(now - SEND_GRACE_MS),
        SWEEP_BULLETINS,
      );
      let placed = 0;
      const failures: unknown[] = [];
      for (const bulletin of due) {
        try {
          const run = await placement.placeDue(await maker(bulletin), bulletin);
          placed += run.placed;
          if (run.placed > 0) {
            deps.logger?.info(
              { bulletinId: bulletin.id, level: bulletin.level, communes: run.placed },
              'bulletin placed after its send',
            );
          }
        } catch (error) {
          failures.push(error);
        }
      }
      // The others went ahead; the failed ones are still due and are tried at the next tick.
      if (failures.length > 0) {
        throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'placing bulletins failed');
      }
      return placed;
    },

    async list(ctx: RequestContext, limit = 50): Promise<readonly BulletinView[]> {
      assertAllowed(ctx.actor, 'province.read');
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
  };
}

export type BulletinsService = ReturnType<typeof createBulletinsService>;
