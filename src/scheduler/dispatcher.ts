import { Cron } from 'croner';
import type { Clock } from '../domain/ports/clock.js';
import type { LeaderLock } from '../domain/ports/leader-lock.js';
import type { Logger } from '../domain/ports/logger.js';
import { iso } from '../domain/schedule/index.js';
import type { Services } from '../services/index.js';

export interface DispatcherDeps {
  readonly services: Pick<
    Services,
    | 'auth'
    | 'broadcasts'
    | 'receivers'
    | 'receiverCommands'
    | 'receiverAlarms'
    | 'capAlerts'
    | 'capFeeds'
    | 'bulletins'
  >;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lock: LeaderLock;
  /** How long after its start an occurrence may go without a `started` report before it is missed. */
  readonly missedGraceMs?: number;
  /** Heartbeat history older than this many days is deleted, once an hour (`HEARTBEAT_RETENTION_DAYS`). */
  readonly heartbeatRetentionDays?: number;
  /** Told how long each tick took, in seconds, and what it did (the metrics). */
  readonly observeTick?: (seconds: number, report: TickReport) => void;
}

export interface TickReport {
  readonly leader: boolean;
  readonly added: number;
  /** Airings of series a rule refused this tick (logged and audited). */
  readonly skipped: number;
  readonly missed: number;
  readonly hamletsChanged: readonly string[];
  /** Heartbeat history rows deleted by this tick. */
  readonly pruned: number;
  /** Receivers this tick found gone offline (announced on the event bus). */
  readonly offline: number;
  /** Commands to receivers that got no answer by their deadline. */
  readonly timedOut: number;
  /** Receivers' alarms raised and cleared by this tick. */
  readonly alarms: { readonly raised: number; readonly cleared: number };
  /** CAP alerts this tick took off the air at their `expires`. */
  readonly alertsExpired: number;
  /** New CAP alerts this tick read from the configured feeds. */
  readonly alertsPolled: number;
  /** Communes this tick booked a sent province bulletin in that its send left unbooked. */
  readonly bulletinsPlaced: number;
}

const pruneEveryMs = 3_600_000;
/**
 * How far back the first tick of a leader looks for receivers that went offline: what went offline while
 * no dispatcher ran is still announced, unless it is older news than this.
 */
const offlineLookbackMs = 10 * 60_000;
// 20 statements of 5,000 rows: a first run on a large table goes on over the next ticks instead of
// holding up this one's dispatch for minutes.
const pruneMaxRowsPerTick = 100_000;

/**
 * The dispatcher: each tick places the province's bulletins that their send left unbooked, extends
 * series over the rolling horizon (the broadcasts use case, with the same materialiser as a booking),
 * marks missed occurrences, announces receivers that went offline, and
 * once an hour deletes heartbeat history past its retention. Only the leader acts, so several instances can share one database. Time comes
 * only from the injected clock.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { services, clock, logger } = deps;
  const graceMs = deps.missedGraceMs ?? 10 * 60_000;
  const retentionDays = deps.heartbeatRetentionDays ?? 30;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`heartbeatRetentionDays must be a positive whole number (got ${retentionDays})`);
  }
  let cron: Cron | undefined;
  let nextPruneAt = Number.NEGATIVE_INFINITY;
  let offlineCheckedUntil: number | undefined;

  /** Announces the receivers that went offline since the last tick; never throws. */
  async function announceOffline(now: number): Promise<number> {
    const from = offlineCheckedUntil ?? now - offlineLookbackMs;
    try {
      const offline = await services.receivers.announceOffline(from, now);
      offlineCheckedUntil = now;
      return offline;
    } catch (error) {
      // The same span is looked at again next tick.
      logger.error({ err: (error as Error).message }, 'looking for receivers gone offline failed');
      return 0;
    }
  }

  /** Runs one step of the tick that must not hold up the others; a failure is logged and retried next tick. */
  async function guarded<T>(what: string, step: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await step();
    } catch (error) {
      logger.error({ err: (error as Error).message }, `${what} failed`);
      return fallback;
    }
  }

  /**
   * Deletes heartbeat history older than the retention, and the rate limits' ended windows, on the first
   * tick and then hourly; never throws.
   */
  async function pruneHeartbeats(now: number): Promise<number> {
    if (now < nextPruneAt) return 0;
    const before = iso(now - retentionDays * 86_400_000);
    try {
      const pruned = await services.receivers.pruneHeartbeats(before, { maxRows: pruneMaxRowsPerTick });
      await services.auth.pruneRateLimits();
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

  /** Reads the CAP feeds when their interval has passed; never throws (the next poll tries again). */
  async function pollFeeds(): Promise<number> {
    try {
      return (await services.capFeeds.poll()).received;
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'polling CAP feeds failed');
      return 0;
    }
  }

  /** Takes CAP alerts past their `expires` off the air; never throws (the next tick tries again). */
  async function expireAlerts(): Promise<number> {
    try {
      const expired = await services.capAlerts.expire();
      if (expired > 0) logger.info({ expired }, 'CAP alerts expired');
      return expired;
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'expiring CAP alerts failed');
      return 0;
    }
  }

  async function tickOnce(): Promise<TickReport> {
    if (!(await deps.lock.acquire())) {
      offlineCheckedUntil = undefined;
      return {
        leader: false,
        added: 0,
        skipped: 0,
        missed: 0,
        hamletsChanged: [],
        pruned: 0,
        offline: 0,
        timedOut: 0,
        alarms: { raised: 0, cleared: 0 },
        alertsExpired: 0,
        alertsPolled: 0,
        bulletinsPlaced: 0,
      };
    }
    // First: an emergency sent but booked nowhere is the worst this system can leave behind.
    const bulletinsPlaced = await guarded(
      'placing sent bulletins',
      () => services.bulletins.placeUnplaced(),
      0,
    );
    // The series and the missed airings are the tick's own work: a failure of either is the tick's, but
    // only once the steps after it have run, so that the database busy for one step holds back no other.
    const failures: unknown[] = [];
    const owned = async <T>(step: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await step();
      } catch (error) {
        failures.push(error);
        return fallback;
      }
    };
    const extended = await owned(() => services.broadcasts.extendSeries(), {
      added: 0,
      skipped: 0,
      hamletsChanged: [] as readonly string[],
    });
    const missed = await owned(() => services.broadcasts.markMissed(graceMs), 0);
    if (extended.added > 0 || missed > 0) logger.info({ added: extended.added, missed }, 'dispatcher tick');
    const pruned = await pruneHeartbeats(clock.now().getTime());
    const offline = await announceOffline(clock.now().getTime());
    const timedOut = await guarded(
      'timing out receiver commands',
      () => services.receiverCommands.timeOut(),
      0,
    );
    const alarms = await guarded('evaluating receiver alarms', () => services.receiverAlarms.evaluate(), {
      raised: 0,
      cleared: 0,
    });
    const alertsPolled = await pollFeeds();
    // Alerts whose words a processing node spoke since the last tick air now (the edge; none on Node).
    await guarded('airing spoken CAP alerts', () => services.capAlerts.airSpoken(), 0);
    const alertsExpired = await expireAlerts();
    if (failures.length > 0) {
      throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'dispatcher tick failed');
    }
    return {
      leader: true,
      ...extended,
      missed,
      pruned,
      offline,
      timedOut,
      alarms,
      alertsExpired,
      alertsPolled,
      bulletinsPlaced,
    };
  }

  return {
    /** One pass of the dispatcher at the clock's current time. */
    async tick(): Promise<TickReport> {
      const started = performance.now();
      const report = await tickOnce();
      deps.observeTick?.((performance.now() - started) / 1000, report);
      return report;
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
