import type { RequestContext } from '../domain/actor.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  hamletCoverage,
  PLAYBACK_GRACE_MS,
  presenceRule,
  receiverCoverage,
  type HamletCoverage,
  type ReceiverCoverage,
} from '../domain/receiver/index.js';
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
  /** Per hamlet: its occurrences, and its receivers' airings added up. */
  readonly hamlets: readonly CoverageRow[];
  /** Per receiver: the airings expected of it and what became of them. */
  readonly receivers: readonly ReceiverCoverage[];
}

/** Reports for the commune office: what aired, counted per receiver and per hamlet, for the page, the API and CSV alike. */
export function createReportsService(deps: Deps) {
  return {
    /**
     * Per receiver and per hamlet in the actor's scope (default: the last 30 days): the airings expected
     * (each receiver × each occurrence it should have played, once its outcome is known), how many it
     * played, failed, missed or was offline for, and the rate played ÷ expected.
     */
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
      const communeId = ctx.actor.communeId;
      const [scheduled, counts, enabled] = await Promise.all([
        deps.repos.playback.countScheduledByHamlet(communeId, ids, from, to),
        deps.repos.playback.countAirings(
          communeId,
          ids,
          { from, to, now: new Date(now).toISOString() },
          presenceRule(PLAYBACK_GRACE_MS),
        ),
        deps.repos.playback.listReceiversOfHamlets(ids),
      ]);
      const receivers = receiverCoverage(enabled, counts);
      const names = new Map(hamlets.map((h) => [h.id, h.name]));
      return {
        from,
        to,
        timeZone,
        hamlets: hamletCoverage(ids, scheduled, receivers).map((c) => ({
          ...c,
          hamletName: names.get(c.hamletId) ?? c.hamletId,
        })),
        receivers,
      };
    },
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
