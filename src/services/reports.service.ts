import type { RequestContext } from '../domain/actor.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { coverageFromCounts } from '../domain/receiver/index.js';
import type { HamletCoverage } from '../domain/schedule/index.js';
import { DAY_MS, timeRange } from './time-range.js';

interface Deps {
  readonly repos: Pick<Repositories, 'playback' | 'hamlets' | 'communes'>;
  readonly clock: Clock;
}

export interface CoverageRow extends HamletCoverage {
  readonly hamletName: string;
}

export interface CoverageReport {
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly hamlets: readonly CoverageRow[];
}

/** Reports for the commune office: what aired, counted per hamlet, for the page, the API and CSV alike. */
export function createReportsService(deps: Deps) {
  return {
    /** Per hamlet in the actor's scope: scheduled, played, failed, missed and play rate (default: last 30 days). */
    async coverage(
      ctx: RequestContext,
      q: { from?: string | undefined; to?: string | undefined },
    ): Promise<CoverageReport> {
      assertAllowed(ctx.actor, 'report.read');
      const now = deps.clock.now().getTime();
      const { from, to, timeZone } = await timeRange(deps.repos, ctx, q, {
        fromMs: now - 30 * DAY_MS,
        toMs: now,
      });
      const scope = readScope(ctx.actor);
      const hamlets = (await deps.repos.hamlets.listCommuneHamlets(ctx.actor.communeId)).filter(
        (h) => scope === 'all' || scope.includes(h.id),
      );
      const ids = hamlets.map((h) => h.id);
      const counts = await deps.repos.playback.countOccurrencesByHamletAndStatus(
        ctx.actor.communeId,
        ids,
        from,
        to,
      );
      const names = new Map(hamlets.map((h) => [h.id, h.name]));
      return {
        from,
        to,
        timeZone,
        hamlets: coverageFromCounts(ids, counts).map((c) => ({
          ...c,
          hamletName: names.get(c.hamletId) ?? c.hamletId,
        })),
      };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
