import { Cron } from 'croner';
import type { LeaderLock } from '../db/database.js';
import type { Repositories } from '../db/repositories/index.js';
import {
  checkConflicts,
  expandEmergency,
  expandWhen,
  type EmergencyRepeat,
  type When,
} from '../domain/schedule/index.js';
import type { EventBus } from '../domain/events.js';
import type { Clock, IdGenerator, Logger } from '../domain/ports.js';
import { airTimeMs, communeRules, iso, type BroadcastContent } from '../domain/schedule/content.js';

export interface DispatcherDeps {
  readonly repos: Pick<Repositories, 'broadcasts' | 'hamlets' | 'communes' | 'announcements' | 'receivers'>;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly lock: LeaderLock;
  readonly horizonMs?: number;
  /** How long after its start an occurrence may go without a `started` report before it is missed. */
  readonly missedGraceMs?: number;
  /** Heartbeat history older than this many days is deleted, once an hour (`HEARTBEAT_RETENTION_DAYS`). */
  readonly heartbeatRetentionDays?: number;
}

export interface TickReport {
  readonly leader: boolean;
  readonly added: number;
  readonly missed: number;
  readonly hamletsChanged: readonly string[];
  /** Heartbeat history rows deleted by this tick. */
  readonly pruned: number;
}

const pruneEveryMs = 3_600_000;
// 20 statements of 5,000 rows: a first run on a large table goes on over the next ticks instead of
// holding up this one's dispatch for minutes.
const pruneMaxRowsPerTick = 100_000;

/**
 * The dispatcher: keeps occurrences materialised over the rolling horizon, marks missed ones, tells
 * receivers (through the bus) when a hamlet's schedule changed, and once an hour deletes heartbeat
 * history past its retention. Only the leader acts, so several API instances can share one database.
 * Time comes only from the injected clock.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { repos, clock, logger } = deps;
  const horizonMs = deps.horizonMs ?? 7 * 86_400_000;
  const graceMs = deps.missedGraceMs ?? 10 * 60_000;
  const retentionDays = deps.heartbeatRetentionDays ?? 30;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`heartbeatRetentionDays must be a positive whole number (got ${retentionDays})`);
  }
  let cron: Cron | undefined;
  let nextPruneAt = Number.NEGATIVE_INFINITY;

  /** Deletes heartbeat history older than the retention, on the first tick and then hourly; never throws. */
  async function pruneHeartbeats(now: number): Promise<number> {
    if (now < nextPruneAt) return 0;
    const before = iso(now - retentionDays * 86_400_000);
    try {
      const pruned = await repos.receivers.deleteHeartbeatsBefore(before, { maxRows: pruneMaxRowsPerTick });
      nextPruneAt = pruned >= pruneMaxRowsPerTick ? now : now + pruneEveryMs;
      if (pruned > 0) logger.info({ pruned, before }, 'heartbeat history pruned');
      return pruned;
    } catch (error) {
      // Retried at the next hour: history kept a little longer harms nothing.
      nextPruneAt = now + pruneEveryMs;
      logger.error({ err: (error as Error).message, before }, 'heartbeat pruning failed');
      return 0;
    }
  }

  async function extend(now: number): Promise<{ added: number; hamlets: Set<string> }> {
    const horizon = now + horizonMs;
    const hamlets = new Set<string>();
    let added = 0;
    for (const broadcast of await repos.broadcasts.listBroadcastsToExtend(iso(horizon))) {
      const commune = await repos.communes.findCommune(broadcast.communeId);
      if (!commune) continue;
      const rules = communeRules(commune);
      const window = { from: Math.max(now, Date.parse(broadcast.materialisedUntil!)), to: horizon };
      const schedule = broadcast.schedule as {
        at?: string;
        repeat?: { everyHours: number };
        recurrence?: { cron: string; from: string; until?: string; count?: number };
      };
      let starts: readonly number[];
      if (schedule.recurrence) {
        const r = schedule.recurrence;
        const when: When = {
          kind: 'recurrence',
          cron: r.cron,
          from: Date.parse(r.from),
          ...(r.until && { until: Date.parse(r.until) }),
          ...(r.count !== undefined && { count: r.count }),
        };
        const result = expandWhen(when, rules, window, { priority: broadcast.priority });
        starts = result.ok ? result.value.map((o) => o.startsAt) : [];
      } else if (schedule.at && schedule.repeat) {
        const repeat: EmergencyRepeat = {
          kind: 'every-hours-on-the-hour',
          hours: schedule.repeat.everyHours,
        };
        starts = expandEmergency(Date.parse(schedule.at), repeat, window, { timeZone: rules.timeZone });
      } else {
        starts = [];
      }
      const announcement = broadcast.announcementId
        ? await repos.announcements.findAnnouncement(broadcast.announcementId)
        : undefined;
      const content: BroadcastContent | undefined = broadcast.relay
        ? { kind: 'relay', ...broadcast.relay }
        : announcement && { kind: 'announcement', announcement };
      const occurrences = [];
      for (const hamletId of broadcast.hamletIds) {
        const hamlet = await repos.hamlets.findHamlet(hamletId);
        if (!hamlet || !content) continue;
        const durationMs = airTimeMs(content, hamlet);
        for (const startsAt of starts) {
          const booked = await repos.broadcasts.listBookedBetween(
            [hamletId],
            iso(startsAt),
            iso(startsAt + durationMs),
            3 * 3_600_000,
          );
          const clash = checkConflicts(
            booked
              .filter((b) => b.broadcastId !== broadcast.id)
              .map((b) => ({ ...b, startsAt: Date.parse(b.startsAt) })),
            { hamletId, startsAt, durationMs, priority: broadcast.priority },
            rules.timeZone,
          );
          if (!clash.ok) {
            // Something booked since the broadcast was created holds this time; it keeps it.
            logger.warn(
              { broadcast: broadcast.id, hamletId, at: iso(startsAt) },
              'recurring occurrence skipped: conflict',
            );
            continue;
          }
          occurrences.push({
            id: deps.ids.id(),
            broadcastId: broadcast.id,
            hamletId,
            startsAt: iso(startsAt),
            durationMs,
            priority: broadcast.priority,
            slotName: null,
          });
        }
      }
      const n = await repos.broadcasts.extendBroadcast(broadcast.id, occurrences, iso(horizon), iso(now));
      if (n > 0) occurrences.forEach((o) => hamlets.add(o.hamletId));
      added += n;
    }
    return { added, hamlets };
  }

  return {
    /** One pass of the dispatcher at the clock's current time. */
    async tick(): Promise<TickReport> {
      if (!(await deps.lock.acquire())) {
        return { leader: false, added: 0, missed: 0, hamletsChanged: [], pruned: 0 };
      }
      const now = clock.now().getTime();
      const { added, hamlets } = await extend(now);
      const missed = await repos.broadcasts.markMissed(iso(now - graceMs), iso(now));
      const changed = [...hamlets];
      if (changed.length > 0) {
        await repos.hamlets.bumpScheduleVersion(changed, iso(now));
        deps.bus.publish({
          type: 'schedule-changed',
          versions: await repos.hamlets.findScheduleVersions(changed),
        });
      }
      if (added > 0 || missed.length > 0) logger.info({ added, missed: missed.length }, 'dispatcher tick');
      const pruned = await pruneHeartbeats(now);
      return { leader: true, added, missed: missed.length, hamletsChanged: changed, pruned };
    },

    /**
     * Ticks every 30 seconds. croner does both this and the cron expansion of recurrences, with time
     * zones, and `protect` keeps a slow tick from overlapping the next one.
     */
    start(): void {
      cron = new Cron('*/30 * * * * *', { protect: true }, async () => {
        try {
          await this.tick();
        } catch (error) {
          logger.error({ err: (error as Error).message }, 'dispatcher tick failed');
        }
      });
    },

    async stop(): Promise<void> {
      cron?.stop();
      await deps.lock.release();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
