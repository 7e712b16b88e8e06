import type { RequestContext } from '../domain/actor.js';
import type { Announcement, Approval, ProcessingStatus } from '../domain/announcement.js';
import { rollUpStatus } from '../domain/announcement.js';
import type { Airing } from '../domain/broadcast.js';
import { invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, assertMayWithdraw, readScope } from '../domain/policy.js';
import type { AudioInspector, ProcessedAudioIntake } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { JobRunnerSignal } from '../domain/ports/jobs.js';
import { AUDIO_MISSING_VI, type MediaStore } from '../domain/ports/media-store.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';
import { createAnnouncementDecisions } from './announcement-decisions.js';
import { createAnnouncementIntake } from './announcement-intake.js';
import { assertNotWithdrawn, enqueueProcessing } from './announcement-versions.js';
import { createKeptOriginals } from './kept-original.js';
import { announceOffAir, takeOffAir } from './off-air.js';

interface Deps {
  readonly repos: Pick<
    Repositories,
    'announcements' | 'broadcasts' | 'hamlets' | 'communes' | 'bulletins' | 'users'
  >;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  /** Told when refused content comes off the air: new schedule versions, and stop for boxes playing it. */
  readonly bus: EventBus;
  readonly inspector: AudioInspector;
  /** Asked whether audio said to be ready is still there. */
  readonly media: Pick<MediaStore, 'sizeOfAsset' | 'discard'>;
  /**
   * Where uploads that come processed already are measured and taken (the edge profile, whose Worker runs
   * no ffmpeg); without it such an upload is processed like any other.
   */
  readonly intake?: ProcessedAudioIntake | undefined;
  readonly jobs: JobRunnerSignal;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

async function load(
  r: Pick<Repositories, 'announcements' | 'bulletins'>,
  ctx: RequestContext,
  id: string,
): Promise<Announcement> {
  const a = await r.announcements.findAnnouncement(id);
  // A province bulletin's own content is kept with the officer's commune but is the province's: the
  // commune neither reads nor changes it here (its own copy is an announcement of its own).
  if (
    !a ||
    a.communeId !== ctx.actor.communeId ||
    (await r.bulletins.findBulletinOfAnnouncement(id)) !== undefined
  )
    throw notFound('Announcement', id, 'thông báo');
  assertAllowed(ctx.actor, 'announcement.read', [a.hamletId]);
  return a;
}

/** The most airings an announcement's page lists: months of a weekly series in several hamlets. */
const MAX_AIRINGS = 200;

export function createAnnouncementsService(deps: Deps) {
  const { clock, tx } = deps;

  return {
    ...createKeptOriginals({ ...deps, load }),
    ...createAnnouncementIntake({ ...deps, load }),
    ...createAnnouncementDecisions({ ...deps, load }),

    /**
     * An announcement as it is now. Audio it says is ready is looked up in the media store: a version
     * whose audio was removed behind the service's back fails with "audio missing", so that a retry
     * makes it again from the kept original (and it is not booked meanwhile).
     */
    async get(ctx: RequestContext, id: string): Promise<Announcement> {
      const a = await load(deps.repos, ctx, id);
      const ready = a.variants.filter((v) => v.status === 'ready' && v.audio);
      const present = await Promise.all(
        ready.map(async (v) => (await deps.media.sizeOfAsset(v.audio!.sha256, v.audio!.format)) !== null),
      );
      const missing = ready.filter((_, i) => !present[i]);
      if (missing.length === 0) return a;
      return tx(async (r) => {
        const now = clock.now().toISOString();
        for (const v of missing)
          await r.announcements.setVariantStatus(v.id, 'failed', AUDIO_MISSING_VI, now);
        const found = await load(r, ctx, id);
        const rolled = rollUpStatus(found.variants);
        await r.announcements.setAnnouncementStatus(id, rolled.status, rolled.error, now);
        return load(r, ctx, id);
      });
    },

    list(
      ctx: RequestContext,
      filter: PageRequest & {
        status?: ProcessingStatus | undefined;
        approval?: Approval | undefined;
        mine?: boolean | undefined;
        withdrawn?: boolean | undefined;
        newestFirst?: boolean | undefined;
      },
    ): Promise<Page<Announcement>> {
      assertAllowed(ctx.actor, 'announcement.read');
      // Withdrawn content waits for no decision and is never booked: a list by approval (the office's
      // queue, the booking pickers) leaves it out unless asked for.
      const withdrawn = filter.withdrawn ?? (filter.approval ? false : undefined);
      return deps.repos.announcements.listAnnouncements(ctx.actor.communeId, readScope(ctx.actor), {
        cursor: filter.cursor,
        limit: filter.limit,
        ...(filter.status && { status: filter.status }),
        ...(filter.approval && { approval: filter.approval }),
        ...(filter.mine && { createdBy: ctx.actor.id }),
        ...(withdrawn !== undefined && { withdrawn }),
        ...(filter.newestFirst && { newestFirst: true }),
      });
    },

    /**
     * Withdraws an announcement, by its author or the office (rút lại): as a rejection does, its
     * occurrences that have not started are cancelled and boxes playing it are told to stop; and it is
     * never booked again. The answer says how many occurrences were cancelled; withdrawing it again
     * changes nothing and cancels none.
     */
    async withdraw(
      ctx: RequestContext,
      id: string,
    ): Promise<Announcement & { readonly cancelledOccurrences: number }> {
      assertAllowed(ctx.actor, 'announcement.withdraw');
      const done = await tx(async (r) => {
        await r.announcements.lockAnnouncement(id);
        assertMayWithdraw(ctx.actor, await load(r, ctx, id));
        // Held like a booking, so that a dispatcher tick cannot add an airing of one of its series after.
        await r.hamlets.lockSchedules(await r.broadcasts.listHamletsBookedWith(id));
        const now = clock.now().toISOString();
        if (!(await r.announcements.setWithdrawn(id, ctx.actor.id, now)))
          return { announcement: await load(r, ctx, id), off: null };
        const off = await takeOffAir(r, id, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.withdraw',
          targetType: 'announcement',
          targetId: id,
          details: { cancelledOccurrences: off.cancelled, stopped: off.airing.length },
        });
        return { announcement: await load(r, ctx, id), off };
      });
      if (done.off) announceOffAir(deps.bus, done.off);
      return { ...done.announcement, cancelledOccurrences: done.off?.cancelled ?? 0 };
    },

    /**
     * Where and when an announcement airs and whether it played: its latest occurrences (cancelled ones
     * too) in the hamlets the caller may read.
     */
    async airings(ctx: RequestContext, id: string): Promise<readonly Airing[]> {
      await load(deps.repos, ctx, id);
      return deps.repos.broadcasts.listAiringsOf(id, readScope(ctx.actor), MAX_AIRINGS);
    },

    /** Processes failed variants again from their kept originals; a withdrawn announcement is done with (409). */
    async retry(ctx: RequestContext, id: string): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'announcement.create');
      await tx(async (r) => {
        const a = await load(r, ctx, id);
        assertAllowed(ctx.actor, 'announcement.create', [a.hamletId]);
        assertNotWithdrawn(a);
        const failed = a.variants.filter((v) => v.status === 'failed');
        if (failed.length === 0) {
          throw invalid(
            'status',
            'Nothing to retry: no version of this announcement failed.',
            'Không có bản nào bị lỗi để xử lý lại.',
          );
        }
        // A withdrawal holds the row until it commits: read under its lock, one made meanwhile queues nothing.
        await r.announcements.lockAnnouncement(id);
        assertNotWithdrawn(await load(r, ctx, id));
        const now = clock.now().toISOString();
        // Claimed one by one: of two retries at once, only one queues a version's job.
        let queued = 0;
        for (const v of failed) {
          if (!(await r.announcements.moveVariantStatus(v.id, 'failed', 'queued', null, now))) continue;
          await enqueueProcessing(r, v.id, `retry-${now}`, now);
          queued++;
        }
        if (queued === 0) return;
        await r.announcements.setAnnouncementStatus(id, 'queued', null, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.retry',
          targetType: 'announcement',
          targetId: id,
          details: { variants: failed.length },
        });
      });
      deps.jobs.wake();
      return { id, status: 'queued' };
    },
  };
}

export type AnnouncementsService = ReturnType<typeof createAnnouncementsService>;
