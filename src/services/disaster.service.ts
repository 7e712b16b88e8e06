import type { RequestContext } from '../domain/actor.js';
import {
  bulletinHeaderText,
  DISASTER_CATEGORY,
  type BulletinAiring,
  type BulletinIssue,
  type PendingBulletin,
  type BulletinEnd,
  type BulletinRequest,
  type DisasterBulletin,
  type DisasterEvent,
  type DisasterEventRequest,
  type DisasterEventStatus,
} from '../domain/disaster.js';
import { LoaError, invalid, notFound } from '../domain/errors.js';
import { keyReused } from '../domain/idempotency.js';
import { assertAllowed } from '../domain/policy.js';
import type { AudioWork, ProcessedAudio } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import { type JobContext, type JobResult, type JobRunnerSignal } from '../domain/ports/jobs.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { iso } from '../domain/schedule/index.js';
import { assetsOf } from './audio.service.js';
import type { AuditTrail } from './audit.service.js';
import type { BroadcastsService } from './broadcasts.service.js';
import { noSpeechHere, speakHeader, speakText, waitForHeader, type SpeechPlace } from './disaster-header.js';

interface Deps {
  readonly repos: Pick<Repositories, 'disaster' | 'communes' | 'announcements'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly audio: AudioWork;
  /**
   * Where speech is made: `here` by `audio` (Node), or by a processing node that leases a job (the
   * edge, whose Worker runs no speech engine).
   */
  readonly speech: SpeechPlace;
  readonly jobs?: JobRunnerSignal;
  readonly broadcasts: Pick<BroadcastsService, 'scheduleWithin' | 'cancelWithin' | 'assertBookable'>;
}

/** An event with its bulletins (newest first) and, per bulletin and hamlet, when it last aired. */
export interface DisasterEventView extends DisasterEvent {
  readonly bulletins: readonly (DisasterBulletin & { readonly airings: readonly BulletinAiring[] })[];
}

type Tx = Repositories;

/**
 * Disaster bulletins by QĐ 18/2021: events group bulletins 1…n; each bulletin is an emergency that
 * repeats on its rule (every 2 h on the hour unless set) with a spoken header giving its issue time
 * before every airing, until a newer bulletin of the event replaces it, an officer ends it, or the event
 * ends. Replacing and ending are one unit of work with the broadcasts they cancel and book.
 */
export function createDisasterService(deps: Deps) {
  const { clock, tx } = deps;

  async function eventOf(r: Pick<Tx, 'disaster'>, ctx: RequestContext, id: string): Promise<DisasterEvent> {
    const event = await r.disaster.findEvent(id);
    if (!event || event.communeId !== ctx.actor.communeId)
      throw notFound('Disaster event', id, 'sự kiện thiên tai');
    return event;
  }

  /** Cancels the bulletins' broadcasts and marks them ended, in the caller's unit of work. */
  async function endWithin(
    r: Tx,
    ctx: RequestContext,
    bulletins: readonly DisasterBulletin[],
    reason: BulletinEnd,
  ): Promise<readonly (() => void)[]> {
    const live = bulletins.filter((b) => b.endedAt === null);
    const publish: (() => void)[] = [];
    for (const b of live) publish.push((await deps.broadcasts.cancelWithin(r, ctx, b.broadcastId)).publish);
    await r.disaster.endBulletins(
      live.map((b) => b.id),
      reason,
      clock.now().toISOString(),
    );
    return publish;
  }

  async function view(events: readonly DisasterEvent[]): Promise<DisasterEventView[]> {
    const bulletins = await deps.repos.disaster.listBulletinsOfEvents(events.map((e) => e.id));
    const airings = await deps.repos.disaster.listBulletinAirings(
      bulletins.map((b) => b.id),
      clock.now().toISOString(),
    );
    return events.map((e) => ({
      ...e,
      bulletins: bulletins
        .filter((b) => b.eventId === e.id)
        .map((b) => ({ ...b, airings: airings.filter((a) => a.bulletinId === b.id) })),
    }));
  }

  /**
   * One unit of work: the header's audio recorded, the event's bulletins still on the air ended, this
   * one booked as an emergency repeating on its rule with the header as each airing's part 0, and the
   * bulletin and audit rows written. The ended ones are stopped before the new one is pushed.
   */
  async function putOnAir(
    pending: PendingBulletin,
    header: ProcessedAudio,
    waited = false,
  ): Promise<DisasterBulletin> {
    const ctx: RequestContext = { actor: pending.actor, requestId: pending.requestId };
    const { eventId, request: req } = pending;
    const headerMp3 = header.outputs.find((o) => o.format === 'mp3');
    if (!headerMp3) throw new Error('the pipeline produced no MP3 for the bulletin header');
    const id = deps.ids.id();
    const key = pending.idempotencyKey;
    const done = await tx(async (r) => {
      const now = clock.now().toISOString();
      await r.disaster.lockEvent(eventId);
      // Sent again under its key while the first was being spoken: that one is on the air already.
      const earlier = key !== undefined && (await r.disaster.findBulletinByKey(ctx.actor.communeId, key));
      if (earlier) return { id: earlier.id, publish: [] };
      for (const asset of assetsOf(header)) await r.announcements.saveAsset(asset, now);
      const current = await eventOf(r, ctx, eventId);
      if (current.status !== 'active') throw eventEnded(current);
      const all = await r.disaster.listBulletinsOfEvents([eventId]);
      // Headers spoken by nodes may come back out of order: a bulletin never replaces a later one.
      const newer = waited && all.find((b) => Date.parse(b.issuedAt) > Date.parse(req.issuedAt));
      if (newer) throw supersededWhileWaiting(newer);
      const older = all.filter((b) => b.endedAt === null);
      const ended = await endWithin(r, ctx, older, 'superseded');
      const booking = await deps.broadcasts.scheduleWithin(
        r,
        ctx,
        {
          announcementId: req.announcementId,
          hamletIds: req.hamletIds,
          at: now,
          priority: 'emergency',
          repeat: { everyHours: req.everyHours },
        },
        { leadIn: { sha256: headerMp3.sha256, durationMs: headerMp3.durationMs } },
      );
      const sequence = await r.disaster.nextSequence(eventId);
      await r.disaster.insertBulletin(
        {
          id,
          eventId,
          communeId: ctx.actor.communeId,
          sequence,
          announcementId: req.announcementId,
          broadcastId: booking.scheduled.id,
          riskLevel: req.riskLevel,
          hazardType: req.hazardType ?? current.hazardType,
          agency: req.agency,
          issuedAt: iso(Date.parse(req.issuedAt)),
          everyHours: req.everyHours,
          headerText: pending.headerText,
          headerSha256: headerMp3.sha256,
          createdBy: ctx.actor.id,
          createdAt: now,
        },
        key,
      );
      // Two officers pressing "Phát" at once: the first to get here airs it, the other's bulletin rolls back.
      const claimed =
        !pending.capItemId ||
        (await r.capAlerts.updateItem(pending.capItemId, { state: 'aired', bulletinId: id }, now, [
          'review',
          'speaking',
        ]));
      if (!claimed) throw capItemTaken();
      await deps.audit.record(r, {
        ...ctx,
        action: 'disaster.bulletin_create',
        targetType: 'disaster_bulletin',
        targetId: id,
        details: {
          eventId,
          sequence,
          riskLevel: req.riskLevel,
          broadcastId: booking.scheduled.id,
          superseded: older.map((b) => b.id),
        },
      });
      return { id, publish: [...ended, booking.publish] };
    });
    // The old bulletin is stopped before the new one is pushed.
    for (const publish of done.publish) publish();
    return (await deps.repos.disaster.findBulletin(done.id))!;
  }

  return {
    /** Opens an event; under an `idempotencyKey` the commune opened one with, answers with that one. */
    async createEvent(
      ctx: RequestContext,
      req: DisasterEventRequest,
      options: { readonly idempotencyKey?: string } = {},
    ): Promise<DisasterEvent> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const key = options.idempotencyKey;
      const event: DisasterEvent = {
        id: deps.ids.id(),
        communeId: ctx.actor.communeId,
        name: req.name,
        hazardType: req.hazardType,
        status: 'active',
        createdBy: ctx.actor.id,
        createdAt: clock.now().toISOString(),
        endedAt: null,
      };
      return tx(async (r) => {
        if (!(await r.disaster.insertEvent(event, key))) {
          const earlier = (await r.disaster.findEventByKey(ctx.actor.communeId, key!))!;
          if (earlier.name !== event.name || earlier.hazardType !== event.hazardType) throw keyReused();
          return earlier;
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'disaster.event_create',
          targetType: 'disaster_event',
          targetId: event.id,
          details: { name: event.name, hazardType: event.hazardType },
        });
        return event;
      });
    },

    /**
     * Puts a new bulletin of an event on the air: its header ("Bản tin phát lúc 14 giờ 30 ngày 27 tháng
     * 11 năm 2026.") is spoken by the TTS pipeline first; then, in one unit of work, the bulletins of the
     * event still on the air are ended (their future airings cancelled) and this one is booked as an
     * emergency repeating every `everyHours` hours on the hour, with the header as each airing's part 0.
     * Where no speech engine runs (the edge), the header becomes a processing node's job and the rest
     * follows when the node sends it (`headerSpoken`); nothing changes on the air before that.
     */
    async addBulletin(
      ctx: RequestContext,
      eventId: string,
      req: BulletinRequest,
      options: { readonly capItemId?: string; readonly idempotencyKey?: string } = {},
    ): Promise<BulletinIssue> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const key = options.idempotencyKey;
      const earlier =
        key !== undefined && (await deps.repos.disaster.findBulletinByKey(ctx.actor.communeId, key));
      if (earlier) {
        if (earlier.eventId !== eventId || earlier.announcementId !== req.announcementId) throw keyReused();
        return { state: 'on_air', bulletin: earlier };
      }
      const event = await eventOf(deps.repos, ctx, eventId);
      if (event.status !== 'active') throw eventEnded(event);
      const announcement = await deps.repos.announcements.findAnnouncement(req.announcementId);
      if (
        announcement &&
        announcement.communeId === ctx.actor.communeId &&
        announcement.category !== DISASTER_CATEGORY
      ) {
        throw invalid(
          'announcementId',
          `"${announcement.title}" is not a disaster bulletin (its category is "${announcement.category}", not "${DISASTER_CATEGORY}").`,
          `Thông báo "${announcement.title}" không thuộc loại bản tin thiên tai (loại "${announcement.category}", cần "${DISASTER_CATEGORY}").`,
        );
      }
      const issuedAt = Date.parse(req.issuedAt);
      if (issuedAt > clock.now().getTime() + 5 * 60_000) {
        throw invalid(
          'issuedAt',
          'The issue time is in the future; give the time the agency issued the bulletin.',
          'Thời điểm ban hành ở tương lai; hãy nhập giờ cơ quan ban hành bản tin.',
        );
      }
      const commune = await deps.repos.communes.findCommune(ctx.actor.communeId);
      if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
      const pending: PendingBulletin = {
        eventId,
        actor: ctx.actor,
        requestId: ctx.requestId,
        request: req,
        headerText: bulletinHeaderText(issuedAt, commune.timeZone),
        ...(options.capItemId && { capItemId: options.capItemId }),
        ...(key !== undefined && { idempotencyKey: key }),
      };
      if (deps.speech === 'none') throw noSpeechHere();
      if (deps.speech === 'processing-node') {
        // Refused now rather than when the node is done: content not ready or not approved, hamlets.
        await deps.broadcasts.assertBookable(ctx, req);
        return waitForHeader(deps, pending);
      }
      // Spoken before the unit of work: synthesis takes a second, and its output is content-addressed.
      const header = await speakHeader(deps.audio, commune, issuedAt);
      return { state: 'on_air', bulletin: await putOnAir(pending, header.audio) };
    },

    /**
     * The header of a pending bulletin, spoken by a processing node and measured by the intake: the
     * bulletin goes on the air as `addBulletin` puts it there, replacing the one before it. Throws a
     * problem (409) when its event ended in the meantime; nothing is put on the air then.
     */
    headerSpoken: (pending: PendingBulletin, header: ProcessedAudio) => putOnAir(pending, header, true),

    /**
     * The `speak-header` job where a speech engine runs: the header spoken by `audio`, then the bulletin
     * put on the air. An event ended in the meantime fails the job for good; anything else is retried.
     */
    async speakPendingHeader(pending: PendingBulletin, job: JobContext): Promise<JobResult> {
      try {
        const commune = await deps.repos.communes.findCommune(pending.actor.communeId);
        if (!commune) return { status: 'skipped', reason: 'the commune no longer exists' };
        const header = await speakText(deps.audio, commune, pending.headerText);
        await putOnAir(pending, header.audio, true);
        return { status: 'success' };
      } catch (error) {
        const final = error instanceof LoaError && error.status < 500;
        return { status: 'failed', error: (error as Error).message, retry: !final && !job.lastAttempt };
      }
    },

    /** An officer takes a bulletin off the air: its future airings are cancelled, a playing one stops. */
    async endBulletin(
      ctx: RequestContext,
      bulletinId: string,
      reason: Extract<BulletinEnd, 'ended' | 'expired' | 'superseded'> = 'ended',
    ): Promise<DisasterBulletin> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const done = await tx(async (r) => {
        const bulletin = await r.disaster.findBulletin(bulletinId);
        if (!bulletin || bulletin.communeId !== ctx.actor.communeId)
          throw notFound('Disaster bulletin', bulletinId, 'bản tin thiên tai');
        await r.disaster.lockEvent(bulletin.eventId);
        const publish = await endWithin(r, ctx, [bulletin], reason);
        if (publish.length > 0)
          await deps.audit.record(r, {
            ...ctx,
            action: 'disaster.bulletin_end',
            targetType: 'disaster_bulletin',
            targetId: bulletinId,
            details: { reason },
          });
        return publish;
      });
      for (const publish of done) publish();
      return (await deps.repos.disaster.findBulletin(bulletinId))!;
    },

    /** Ends an event and every bulletin of it still on the air. */
    async endEvent(ctx: RequestContext, eventId: string): Promise<DisasterEventView> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      const done = await tx(async (r) => {
        await r.disaster.lockEvent(eventId);
        const event = await eventOf(r, ctx, eventId);
        if (event.status !== 'active') return [];
        const publish = await endWithin(
          r,
          ctx,
          await r.disaster.listBulletinsOfEvents([eventId]),
          'event_ended',
        );
        await r.disaster.endEvent(eventId, ctx.actor.id, clock.now().toISOString());
        await deps.audit.record(r, {
          ...ctx,
          action: 'disaster.event_end',
          targetType: 'disaster_event',
          targetId: eventId,
        });
        return publish;
      });
      for (const publish of done) publish();
      return (await view([await eventOf(deps.repos, ctx, eventId)]))[0]!;
    },

    /** The commune's events (active ones, or all) with their bulletins and airings. */
    async listEvents(ctx: RequestContext, status?: DisasterEventStatus): Promise<DisasterEventView[]> {
      assertAllowed(ctx.actor, 'broadcast.read');
      return view(await deps.repos.disaster.listEvents(ctx.actor.communeId, status));
    },

    async getEvent(ctx: RequestContext, eventId: string): Promise<DisasterEventView> {
      assertAllowed(ctx.actor, 'broadcast.read');
      return (await view([await eventOf(deps.repos, ctx, eventId)]))[0]!;
    },
  };
}

const capItemTaken = (): LoaError =>
  new LoaError(
    409,
    'not_in_review',
    'This alert was aired or dismissed meanwhile; it is not aired again.',
    'Cảnh báo này vừa được phát hoặc bỏ qua; không phát lại.',
  );

const supersededWhileWaiting = (newer: DisasterBulletin): LoaError =>
  new LoaError(
    409,
    'bulletin_superseded',
    `Bulletin ${newer.sequence} of this event, issued later (${newer.issuedAt}), went on the air while this one waited for its header; this one is not aired.`,
    `Bản tin số ${newer.sequence} của sự kiện, ban hành sau, đã được phát trong lúc bản tin này chờ lời dẫn; bản tin này không được phát.`,
  );

const eventEnded = (event: DisasterEvent): LoaError =>
  new LoaError(
    409,
    'event_ended',
    `The event "${event.name}" has ended; open a new event for new bulletins.`,
    `Sự kiện "${event.name}" đã kết thúc; hãy tạo sự kiện mới cho bản tin mới.`,
  );

export type DisasterService = ReturnType<typeof createDisasterService>;
