import type { Commune } from '../domain/commune.js';
import type { Hamlet } from '../domain/hamlet.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories, SeriesToExtend, UnitOfWork } from '../domain/ports/repositories.js';
import {
  airTimeMs,
  communeRules,
  createSeriesExpansion,
  iso,
  LONGEST_ITEM_MS,
  planReach,
  type CommuneRules,
  type SeriesExpansion,
  type PlanRequest,
  type Start,
} from '../domain/schedule/index.js';
import type { AuditTrail } from './audit.service.js';
import { bookedOf, seriesAirs, seriesContent } from './bookings.js';
import { materialise } from './materialise.js';

/** What scheduling needs: the booking use cases and the dispatcher's extension of series share it. */
export interface SchedulingDeps {
  readonly repos: Pick<Repositories, 'broadcasts' | 'communes' | 'hamlets'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger?: Logger | undefined;
  /** Occurrences of series are materialised this far ahead; the dispatcher keeps it rolling. */
  readonly horizonMs: number;
}

export interface Extension {
  /** Occurrences added. */
  readonly added: number;
  /** Airings a rule refused (another item holds the time, the slot is full …): logged and audited. */
  readonly skipped: number;
  readonly hamletsChanged: readonly string[];
}

interface Pending {
  readonly series: SeriesToExtend;
  readonly rules: CommuneRules;
  readonly starts: readonly Start[];
  readonly hamlets: readonly Hamlet[];
}

/**
 * The rolling horizon (DESIGN.md "Scheduling semantics"): each tick, series whose next airing falls
 * before the new horizon get their occurrences up to it, placed by the same materialiser as a booking,
 * in the order the series were booked. Reads a constant number of times per tick, whatever the number
 * of series or hamlets: the series due, then under their hamlets' lock their communes, their hamlets
 * and what is booked there.
 */
export function createSeriesExtension(deps: SchedulingDeps) {
  const { clock } = deps;

  /** Each due series with its starts in the new stretch of the horizon, worked out from plain values. */
  function pendingOf(
    listed: readonly SeriesToExtend[],
    communes: ReadonlyMap<string, Commune>,
    hamlets: ReadonlyMap<string, Hamlet>,
    now: number,
    horizon: number,
    expansion: SeriesExpansion,
  ): readonly Pending[] {
    const rulesOf = new Map([...communes].map(([id, commune]) => [id, communeRules(commune)]));
    return listed.flatMap((series) => {
      const rules = rulesOf.get(series.communeId);
      if (!rules) return [];
      // From now at the earliest: a series extended late (its content refused for a while, the dispatcher
      // down) gets no airings in the past, which no box could have played.
      const from = Math.max(now, Date.parse(series.materialisedUntil ?? series.nextStartAt ?? iso(horizon)));
      const starts = expansion.startsOf(series.schedule, series.priority, rules, { from, to: horizon });
      const targets = series.hamletIds.flatMap((id) => hamlets.get(id) ?? []);
      return [{ series, rules, starts, hamlets: targets }];
    });
  }

  return {
    async extendSeries(): Promise<Extension> {
      const now = clock.now().getTime();
      const horizon = now + deps.horizonMs;
      const expansion = createSeriesExpansion();
      const listed = await deps.repos.broadcasts.listSeriesToExtend(iso(horizon));
      if (listed.length === 0) return { added: 0, skipped: 0, hamletsChanged: [] };

      const result = await deps.tx(async (r) => {
        // The commune's rules and the hamlets are read under the lock, as a booking reads them: a hamlet
        // deleted, a language taken from it, quiet hours or slots changed while this tick read the series
        // come wholly before it (and are followed) or after it (and see what it booked).
        const hamletIds = [...new Set(listed.flatMap((s) => s.hamletIds))];
        await r.hamlets.lockSchedules(hamletIds);
        const communeIds = [...new Set(listed.map((s) => s.communeId))];
        const communes = new Map((await r.communes.findCommunes(communeIds)).map((c) => [c.id, c]));
        const hamlets = new Map((await r.hamlets.findHamlets(hamletIds)).map((h) => [h.id, h]));
        const pending = pendingOf(listed, communes, hamlets, now, horizon, expansion);
        const targets = [
          ...new Set(pending.filter((p) => p.starts.length > 0).flatMap((p) => p.hamlets.map((h) => h.id))),
        ];
        // Read again under the lock: a series cancelled, withdrawn or refused meanwhile gets nothing, an
        // airing skipped meanwhile is left out; one booked meanwhile waits for the next tick.
        const live = await r.broadcasts.listSkipsOfSeriesToExtend(iso(horizon));
        const due = pending.filter((p) => live.has(p.series.id));
        const reaches = due.flatMap((p) => planReach(p.starts, p.rules, LONGEST_ITEM_MS) ?? []);
        const from = Math.min(...reaches.map((w) => w.from));
        const to = Math.max(...reaches.map((w) => w.to));
        const booked =
          reaches.length === 0
            ? []
            : (await r.broadcasts.listBookedBetween(targets, iso(from), iso(to), LONGEST_ITEM_MS)).map(
                bookedOf,
              );
        const batch = due.map((p): { request: PlanRequest; rules: CommuneRules } => {
          const content = seriesContent(p.series);
          return {
            rules: p.rules,
            request: {
              broadcastId: p.series.id,
              priority: p.series.priority,
              bookedAt: Date.parse(p.series.createdAt),
              title: p.series.title ?? `Tiếp sóng ${p.series.relay?.url ?? ''}`,
              starts: p.starts,
              hamlets: p.hamlets
                .map((h) => ({ id: h.id, airTimeMs: airTimeMs(content, h) }))
                .filter(seriesAirs),
              field: p.series.schedule.recurrence ? 'recurrence' : 'at',
              skips: live
                .get(p.series.id)!
                .map((k) => ({ hamletId: k.hamletId, startsAt: Date.parse(k.at) })),
            },
          };
        });
        const done = await materialise(r, batch, booked, {
          newId: () => deps.ids.id(),
          onRefusal: 'skip',
          now,
        });
        await r.broadcasts.advanceSeries(
          due.map((p) => {
            const next = expansion.nextStartOf(p.series.schedule, p.series.priority, p.rules, horizon);
            return { id: p.series.id, nextStartAt: next === null ? null : iso(next) };
          }),
          iso(horizon),
        );
        const skipped = done.plans.flatMap((plan, i) =>
          plan.skipped.map((s) => ({ broadcastId: due[i]!.series.id, ...s })),
        );
        for (const s of skipped) {
          await deps.audit.record(r, {
            actor: null,
            requestId: null,
            action: 'broadcast.occurrence_skipped',
            targetType: 'broadcast',
            targetId: s.broadcastId,
            details: {
              hamletId: s.hamletId,
              at: iso(s.startsAt),
              reason: s.error.code,
              message: s.error.message,
            },
          });
        }
        const changed = done.hamletsChanged;
        const versions = await r.hamlets.bumpScheduleVersions(changed, iso(now));
        return { added: done.added, skipped, changed, versions };
      });

      for (const s of result.skipped) {
        deps.logger?.warn(
          { broadcast: s.broadcastId, hamletId: s.hamletId, at: iso(s.startsAt), reason: s.error.code },
          'series airing skipped',
        );
      }
      if (result.changed.length > 0)
        deps.bus.publish({ type: 'schedule-changed', versions: result.versions });
      return { added: result.added, skipped: result.skipped.length, hamletsChanged: result.changed };
    },

    /**
     * Marks `missed` every scheduled occurrence that started more than `graceMs` ago without a
     * receiver reporting a start; returns how many.
     */
    async markMissed(graceMs: number): Promise<number> {
      const now = clock.now().getTime();
      return (await deps.repos.broadcasts.markMissed(iso(now - graceMs), iso(now))).length;
    },
  };
}
