import { isProvinceRole, type RequestContext } from '../domain/actor.js';
import type { BroadcastRequest } from '../domain/broadcast.js';
import { nextSlotOpening, type Bulletin, type BulletinDelivery } from '../domain/bulletin.js';
import { invalid, LoaError, notFound } from '../domain/errors.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { announcementContent, communeRules } from '../domain/schedule/index.js';
import type { AuditTrail } from './audit.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { groupBy } from './group-by.js';

export interface PlacementDeps {
  readonly repos: Pick<Repositories, 'bulletins' | 'users'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly broadcasts: Pick<
    BroadcastsService,
    'book' | 'announce' | 'bookEmergencyEverywhere' | 'announceEverywhere'
  >;
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

/** The communes booked by this placement, and what the province sees of every target commune. */
export interface PlacementRun {
  readonly placements: readonly Placement[];
  /** Communes this run booked (the others were booked before, answered, refused or left). */
  readonly placed: number;
}

const BOOKED_BY_COMMUNE = 'Xã đã tự xếp lịch phát bản tin này.';

/**
 * The province's placement of a priority or emergency bulletin once sent: booked by the one booking use
 * case into each commune's next standing slot (priority) or at once (emergency), as the province officer.
 */
export function createBulletinPlacement(deps: PlacementDeps) {
  const { clock, tx } = deps;

  /** The province officer acting in one target commune, on all of its hamlets. */
  const inCommune = (ctx: RequestContext, communeId: string): RequestContext => ({
    ...ctx,
    actor: { ...ctx.actor, communeId, hamletIds: 'all' },
  });

  /**
   * What the province sees of a commune this placement did not book: booked before (by the province, or
   * by the commune itself), or waiting in the commune's inbox (a rule refused the placement, or the
   * commune cancelled the booking), read from the delivery as it is now.
   */
  async function asItIs(d: BulletinDelivery, byCommune: Map<string, Promise<boolean>>): Promise<Placement> {
    const seen = (problem: string | null, broadcastId: string | null = null): Placement => ({
      communeId: d.communeId,
      broadcastId,
      problem,
    });
    if (d.decision === 'declined') return seen('Xã đã từ chối bản tin này.');
    if (d.decision === 'scheduled') {
      // Booked by whoever decided it: one of the commune's own staff, or the province placing it.
      const by = d.decidedBy ?? '';
      if (!byCommune.has(by)) {
        byCommune.set(
          by,
          deps.repos.users.findUser(by).then((u) => u !== undefined && !isProvinceRole(u.role)),
        );
      }
      return (await byCommune.get(by)) ? seen(BOOKED_BY_COMMUNE) : seen(null, d.broadcastIds[0] ?? null);
    }
    return seen(
      d.placementDue
        ? 'Bản tin chưa được xếp lịch ở xã này; hệ thống sẽ tự xếp lại.'
        : 'Bản tin đang chờ xã tự xếp lịch phát (trong hộp thư bản tin của xã).',
    );
  }

  /**
   * Books a priority or emergency bulletin into one commune in its own unit of work: the hamlets that
   * play a language the bulletin has, the next standing slot (priority) or now (emergency). The delivery
   * is claimed first, so that two placements at once (a send again, the dispatcher's sweep) book it once;
   * one claimed already is answered as it is. A refusal (the slot is full …) leaves the delivery received
   * and no longer due, so the commune books it by hand and no placement tries again; it is audited once
   * and answered.
   */
  async function place(
    ctx: RequestContext,
    bulletin: Bulletin,
    delivery: BulletinDelivery,
    byCommune: Map<string, Promise<boolean>>,
  ): Promise<{ placement: Placement; placed: boolean }> {
    const local = inCommune(ctx, delivery.communeId);
    try {
      const done = await tx(async (r) => {
        const now = clock.now().toISOString();
        const claimed = await r.bulletins.claimReceived(bulletin.id, [delivery.communeId], ctx.actor.id, now);
        if (claimed.length === 0) return null;
        const commune = await r.communes.findCommune(delivery.communeId);
        const copy = await r.announcements.findAnnouncement(delivery.announcementId);
        if (!commune || !copy) throw notFound('Commune', delivery.communeId, 'xã');
        const languages = new Set(copy.variants.map((v) => v.language));
        const hamletIds = (await r.hamlets.listCommuneHamlets(commune.id))
          .filter((h) => h.languages.some((l) => languages.has(l)))
          .map((h) => h.id);
        if (hamletIds.length === 0)
          throw invalid(
            'hamletIds',
            `No hamlet of the commune plays a language the bulletin has (${[...languages].join(', ')}).`,
            `Chưa thôn nào của xã nghe ngôn ngữ của bản tin (${[...languages].join(', ')}).`,
          );
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
        const booking = await deps.broadcasts.book(r, local, req, 'bulletin.issue');
        const first = booking.scheduled.occurrences.map((o) => o.at).sort()[0] ?? null;
        await r.bulletins.addBroadcasts(bulletin.id, commune.id, [booking.broadcastId], first, now);
        return { booking, req };
      });
      if (!done) {
        const current = await deps.repos.bulletins.findDelivery(bulletin.id, delivery.communeId);
        return { placement: await asItIs(current ?? delivery, byCommune), placed: false };
      }
      deps.broadcasts.announce(local, done.req, done.booking);
      return {
        placement: { communeId: delivery.communeId, broadcastId: done.booking.broadcastId, problem: null },
        placed: true,
      };
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      await tx(async (r) => {
        if (!(await r.bulletins.settlePlacement(bulletin.id, delivery.communeId, clock.now().toISOString())))
          return;
        await deps.audit.record(r, {
          ...ctx,
          action: 'bulletin.placement_refused',
          targetType: 'bulletin',
          targetId: bulletin.id,
          details: { communeId: delivery.communeId, reason: error.detail },
        });
      });
      deps.logger?.warn(
        { bulletinId: bulletin.id, communeId: delivery.communeId, err: error.detail },
        'bulletin not placed',
      );
      return {
        placement: { communeId: delivery.communeId, broadcastId: null, problem: error.detailVi },
        placed: false,
      };
    }
  }

  /**
   * An emergency bulletin booked in every target commune at once, in one unit of work (the communes'
   * hamlets that play a language it has, now, each commune's repeat rule), so the last hamlet is pushed
   * as soon as the first. When a rule refuses it anywhere, nothing is written and the caller books the
   * communes one by one instead (`place`), each refusal then kept to its commune. The due deliveries it
   * did not book (no hamlet plays its language, or the commune or another placement was first) are handed
   * back, for `place` to say so, and those that were not due, to be answered as they are.
   */
  async function emergencyEverywhere(
    ctx: RequestContext,
    bulletin: Bulletin,
  ): Promise<{
    placements: Placement[];
    rest: BulletinDelivery[];
    settled: BulletinDelivery[];
  } | null> {
    try {
      const done = await tx(async (r) => {
        const all = await r.bulletins.listDeliveries(bulletin.id);
        const deliveries = all.filter((d) => d.placementDue);
        const settled = all.filter((d) => !d.placementDue);
        if (deliveries.length === 0) return { bookings: [], rest: [], settled };
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
        // Claimed before booking, as a commune's own answer claims it: a commune officer who booked it by
        // hand meanwhile keeps that one booking, and one who tries now waits for this unit, then gets 409;
        // a send again or the dispatcher's sweep at the same time finds them taken.
        const claimed = new Set(
          await r.bulletins.claimReceived(
            bulletin.id,
            deliveries.filter((d) => heard.has(d.communeId)).map((d) => d.communeId),
            ctx.actor.id,
            clock.now().toISOString(),
          ),
        );
        const items = deliveries.flatMap((d) => {
          const hamlets = claimed.has(d.communeId) && heard.get(d.communeId);
          return hamlets ? [{ communeId: d.communeId, announcementId: d.announcementId, hamlets }] : [];
        });
        // The others go to `place`, which tells the province why: no hamlet hears it, or someone was first.
        const rest = deliveries.filter((d) => !claimed.has(d.communeId));
        if (items.length === 0) return { bookings: [], rest, settled };
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
        return { bookings, rest, settled };
      });
      if (!done) return null;
      if (done.bookings.length === 0) return { placements: [], rest: done.rest, settled: done.settled };
      // Every commune's broadcast is one booking: one push for the whole country.
      deps.broadcasts.announceEverywhere(
        done.bookings.map((b) => ({ ctx: inCommune(ctx, b.communeId), booking: b })),
      );
      return {
        placements: done.bookings.map((b) => ({
          communeId: b.communeId,
          broadcastId: b.broadcastId,
          problem: null,
        })),
        rest: done.rest,
        settled: done.settled,
      };
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      deps.logger?.warn(
        { bulletinId: bulletin.id, err: error.detail },
        'emergency booked commune by commune',
      );
      return null;
    }
  }

  /**
   * Books a sent priority or emergency bulletin into the target communes where it is still due: an
   * emergency everywhere at once when it can be, else commune by commune; a normal bulletin waits in the
   * inboxes and places nothing. Run by the send, by a send again after a failure, and by the dispatcher's
   * sweep; every commune is answered, those booked or answered before as they are now. A failure other
   * than a rule's (the database went away) is thrown once every commune under way has finished, and what
   * it left due is placed by the next of them.
   */
  async function placeDue(ctx: RequestContext, bulletin: Bulletin): Promise<PlacementRun> {
    if (bulletin.level === 'normal') return { placements: [], placed: 0 };
    const everywhere = bulletin.level === 'emergency' ? await emergencyEverywhere(ctx, bulletin) : null;
    const placements: Placement[] = [...(everywhere?.placements ?? [])];
    let placed = placements.length;
    // Read once: the communes an emergency booked everywhere did not book, or every commune still due,
    // and those booked, answered or refused before.
    const all = everywhere ? null : await deps.repos.bulletins.listDeliveries(bulletin.id);
    const due = everywhere?.rest ?? all!.filter((d) => d.placementDue);
    const settled = everywhere?.settled ?? all!.filter((d) => !d.placementDue);
    // Whether each decider is one of a commune's staff, looked up once.
    const byCommune = new Map<string, Promise<boolean>>();
    for (const d of settled) placements.push(await asItIs(d, byCommune));
    // Each commune is booked in its own unit of work on its own hamlets, so communes go side by side,
    // a few at a time (the database's connections are shared with everything else the service does).
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      while (next < due.length && failures.length === 0) {
        const delivery = due[next++]!;
        try {
          const done = await place(ctx, bulletin, delivery, byCommune);
          placements.push(done.placement);
          if (done.placed) placed += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PLACEMENT_CONCURRENCY, due.length) }, worker));
    if (failures.length > 0) throw failures[0];
    return { placements: placements.sort((a, b) => a.communeId.localeCompare(b.communeId)), placed };
  }

  return { placeDue };
}
