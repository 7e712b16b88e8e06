import type { RequestContext } from '../domain/actor.js';
import type { BroadcastWhen } from '../domain/broadcast.js';
import { notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import {
  communeRules,
  iso,
  LONGEST_ITEM_MS,
  projectSeries,
  type Priority,
  type TimeWindow,
} from '../domain/schedule/index.js';
import { bookedOf, projectedSeries } from './bookings.js';
import type { SchedulingDeps } from './series.js';

/** An airing of a series the dispatcher has not materialised yet, as it will be placed. */
export interface ProjectedAiring {
  /** Stable while the series and what is booked stay the same: broadcast, hamlet and `airingAt`. */
  readonly id: string;
  readonly broadcastId: string;
  readonly hamletId: string;
  /** Its real start, packed in its slot. */
  readonly startsAt: string;
  /** The start its rule gives it (the cron run, the slot's opening): what skipping it names. */
  readonly airingAt: string;
  readonly durationMs: number;
  readonly slotName: string | null;
  readonly priority: Priority;
  readonly title: string;
  readonly schedule: BroadcastWhen;
  readonly hamletIds: readonly string[];
}

/**
 * The future of a hamlet's series beyond the rolling horizon, for weeks the dispatcher has not reached:
 * worked out by the same projection a booking checks itself against (`projectSeries`, the one
 * materialiser in the dispatcher's order), so that what is shown is what will be materialised unless
 * something is booked or cancelled meanwhile.
 */
export function createUpcoming(deps: SchedulingDeps) {
  return {
    async upcoming(ctx: RequestContext, hamletId: string, window: TimeWindow): Promise<ProjectedAiring[]> {
      const { repos } = deps;
      const hamlet = await repos.hamlets.findHamlet(hamletId);
      if (!hamlet || hamlet.communeId !== ctx.actor.communeId) throw notFound('Hamlet', hamletId, 'thôn');
      assertAllowed(ctx.actor, 'broadcast.read', [hamletId], { [hamletId]: hamlet.name });
      const series = (await repos.broadcasts.listSeriesToExtend(iso(window.to), [hamlet.communeId])).filter(
        (s) => s.hamletIds.includes(hamletId),
      );
      if (series.length === 0) return [];
      const commune = await repos.communes.findCommune(hamlet.communeId);
      if (!commune) throw notFound('Commune', hamlet.communeId, 'xã');
      const stored = await repos.broadcasts.listBookedBetween(
        [hamletId],
        iso(window.from),
        iso(window.to),
        LONGEST_ITEM_MS,
      );
      const byId = new Map(series.map((s) => [s.id, s]));
      return projectSeries(
        series.map((s) => projectedSeries(s, [hamlet])),
        communeRules(commune),
        stored.map(bookedOf),
        window,
      )
        .filter((b) => b.virtual && b.startsAt >= window.from && b.startsAt < window.to)
        .sort((a, b) => a.startsAt - b.startsAt)
        .map((b) => {
          const s = byId.get(b.broadcastId)!;
          return {
            id: b.id,
            broadcastId: b.broadcastId,
            hamletId: b.hamletId,
            startsAt: iso(b.startsAt),
            airingAt: iso(b.airingAt ?? b.startsAt),
            durationMs: b.durationMs,
            slotName: b.slotName,
            priority: b.priority,
            title: b.title,
            schedule: s.schedule,
            hamletIds: s.hamletIds,
          };
        });
    },
  };
}
