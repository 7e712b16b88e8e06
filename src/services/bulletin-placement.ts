import type { RequestContext } from '../domain/actor.js';
import type { BroadcastRequest } from '../domain/broadcast.js';
import { nextSlotOpening, type Bulletin, type BulletinDelivery } from '../domain/bulletin.js';
import { conflict, invalid, LoaError, notFound } from '../domain/errors.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { announcementContent, communeRules } from '../domain/schedule/index.js';
import type { AuditTrail } from './audit.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { groupBy } from './group-by.js';

export interface PlacementDeps {
  readonly repos: Pick<Repositories, 'bulletins'>;
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
        const now = clock.now().toISOString();
        const claimed = await r.bulletins.decide(bulletin.id, commune.id, 'received', {
          decision: 'scheduled',
          reason: null,
          by: ctx.actor.id,
          now,
        });
        if (!claimed)
          throw conflict(
            'The commune has booked this bulletin itself.',
            'Xã đã tự xếp lịch phát bản tin này.',
          );
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
   * communes one by one instead (`place`), each refusal then kept to its commune. The deliveries it did
   * not book (no hamlet plays its language, or the commune booked it first) are handed back, for `place`
   * to say so.
   */
  async function emergencyEverywhere(
    ctx: RequestContext,
    bulletin: Bulletin,
  ): Promise<{ placements: Placement[]; rest: BulletinDelivery[] } | null> {
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
        // Claimed before booking, as a commune's own answer claims it: a commune officer who booked it by
        // hand meanwhile keeps that one booking, and one who tries now waits for this unit, then gets 409.
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
        // The others go to `place`, which tells the province why: no hamlet hears it, or the commune was first.
        const rest = deliveries.filter((d) => !claimed.has(d.communeId));
        if (items.length === 0) return { bookings: [], rest };
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
        return { bookings, rest };
      });
      if (!done) return null;
      if (done.bookings.length === 0) return { placements: [], rest: done.rest };
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
   * Books a sent priority or emergency bulletin into its target communes: an emergency everywhere at once
   * when it can be, else commune by commune; a normal bulletin waits in the inboxes and places nothing.
   */
  async function placeSent(ctx: RequestContext, bulletin: Bulletin): Promise<readonly Placement[]> {
    if (bulletin.level === 'normal') return [];
    const everywhere = bulletin.level === 'emergency' ? await emergencyEverywhere(ctx, bulletin) : null;
    const placements: Placement[] = everywhere?.placements ?? [];
    // Read once: the communes an emergency booked everywhere did not book, or all of them.
    const deliveries = everywhere?.rest ?? (await deps.repos.bulletins.listDeliveries(bulletin.id));
    // Each commune is booked in its own unit of work on its own hamlets, so communes go side by side,
    // a few at a time (the database's connections are shared with everything else the service does).
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]!;
        placements.push(await place(ctx, bulletin, delivery));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PLACEMENT_CONCURRENCY, deliveries.length) }, worker));
    return placements.sort((a, b) => a.communeId.localeCompare(b.communeId));
  }

  return { placeSent };
}
