import { rollupBulletins, type RollupBulletin } from '../domain/bulletin.js';
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
import {
  airTimeTotals,
  rollupTotal,
  zonePeriods,
  type AirTimeRow,
  type AirTimeTotal,
  type CommuneRollup,
  type ZonePeriods,
} from '../domain/province-report.js';
import { countAiringFacts, onlineWindowMs, type AiringCounts } from '../domain/receiver/index.js';
import { addDays, DEFAULT_TIME_ZONE, iso, localToUtc, utcToLocal } from '../domain/schedule/index.js';
import type { Commune } from '../domain/commune.js';
import { groupBy } from './group-by.js';
import { localRange, type LocalRange } from './local-range.js';
import { DAY_MS, timeRange, timeZoneOf } from './time-range.js';

interface Deps {
  readonly repos: Pick<Repositories, 'playback' | 'hamlets' | 'communes' | 'provinceReports' | 'bulletins'>;
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
  /**
   * Per receiver and hamlet: the airings expected of it there and what became of them. A box moved in the
   * range has a row in each hamlet, each with what aired while it was there.
   */
  readonly receivers: readonly ReceiverCoverage[];
}

/** The province's roll-up over a range of local dates (each commune's own days). */
export interface ProvinceRollup extends LocalRange {
  readonly communes: readonly CommuneRollup[];
  readonly total: AiringCounts & Pick<CommuneRollup, 'receivers' | 'scheduled'>;
  /** The province's bulletins sent in the range (the province's own days), each commune's status now. */
  readonly bulletins: readonly RollupBulletin[];
}

/** Air time per month, category and level: per commune, and added up for the province. */
export interface ProvinceAirTime extends LocalRange {
  readonly months: readonly string[];
  readonly communes: readonly (AirTimeRow & { readonly communeName: string })[];
  readonly total: readonly AirTimeTotal[];
}

/** The longest range a province roll-up covers in one request: a year and a day. */
export const MAX_ROLLUP_DAYS = 366;

/** The whole range as one period per zone, so that the database groups by commune alone. */
const asOnePeriod = (zones: readonly ZonePeriods[]): readonly ZonePeriods[] =>
  zones.map((z) => ({
    timeZone: z.timeZone,
    periods:
      z.periods.length === 0 ? [] : [{ label: 'range', from: z.periods[0]!.from, to: z.periods.at(-1)!.to }],
  }));

/** Reports for the commune office: what aired, counted per receiver and per hamlet, for the page, the API and CSV alike. */
export function createReportsService(deps: Deps) {
  /** The province's communes and the range asked for (default: this month so far, in the home commune). */
  async function provinceRange(
    ctx: RequestContext,
    q: { from?: string | undefined; to?: string | undefined },
  ): Promise<{ communes: readonly Commune[]; range: LocalRange }> {
    assertAllowed(ctx.actor, 'province.read');
    const today = utcToLocal(
      deps.clock.now().getTime(),
      await timeZoneOf(deps.repos, ctx.actor.communeId),
    ).date;
    const range = localRange(q, { from: `${today.slice(0, 8)}01`, to: today }, MAX_ROLLUP_DAYS);
    return { communes: await deps.repos.communes.listCommunes(ctx.actor.provinceId), range };
  }

  return {
    /**
     * The province's communes over a range of local dates: each one's receivers online now out of its
     * enabled ones, its occurrences, and its receivers' airings counted as its own coverage report counts
     * them (`countAiringFacts`, the rule of `receiverCoverage`). One set of queries for every commune.
     */
    async rollup(
      ctx: RequestContext,
      q: { from?: string | undefined; to?: string | undefined },
    ): Promise<ProvinceRollup> {
      const { communes, range } = await provinceRange(ctx, q);
      const now = deps.clock.now().getTime();
      const zones = asOnePeriod(
        zonePeriods(
          communes.map((c) => c.timeZone),
          range.from,
          range.to,
          'day',
        ),
      );
      const provinceId = ctx.actor.provinceId;
      const reports = deps.repos.provinceReports;
      // Bulletins are the province's: counted on its days (its communes share one zone in Vietnam).
      const zone = communes[0]?.timeZone ?? DEFAULT_TIME_ZONE;
      const [receivers, scheduled, airings, sent] = await Promise.all([
        reports.countReceiversByCommune(provinceId, new Date(now - onlineWindowMs()).toISOString()),
        reports.countScheduledByPeriod(provinceId, zones),
        reports.countAiringsByPeriod(
          provinceId,
          zones,
          new Date(now).toISOString(),
          presenceRule(PLAYBACK_GRACE_MS),
        ),
        deps.repos.bulletins.listSentBetween(
          provinceId,
          iso(localToUtc(range.from, '00:00', zone)),
          iso(localToUtc(addDays(range.to, 1), '00:00', zone)),
        ),
      ]);
      const boxesOf = new Map(receivers.map((r) => [r.communeId, r]));
      const scheduledOf = groupBy(scheduled, (s) => s.communeId);
      const airingsOf = groupBy(airings, (a) => a.communeId);
      const rows: CommuneRollup[] = communes.map((c) => {
        const boxes = boxesOf.get(c.id);
        return {
          communeId: c.id,
          communeName: c.name,
          communeCode: c.code,
          receivers: { online: boxes?.online ?? 0, total: boxes?.total ?? 0 },
          scheduled: (scheduledOf.get(c.id) ?? []).reduce((n, s) => n + s.count, 0),
          ...countAiringFacts(airingsOf.get(c.id) ?? []),
        };
      });
      return { ...range, communes: rows, total: rollupTotal(rows), bulletins: rollupBulletins(sent, now) };
    },

    /**
     * Air time per local month, category (announcements.category; `relay` for relays) and level: each
     * hamlet's airing that a box reported starting counts once, with its length.
     */
    async airTime(
      ctx: RequestContext,
      q: { from?: string | undefined; to?: string | undefined },
    ): Promise<ProvinceAirTime> {
      const { communes, range } = await provinceRange(ctx, q);
      const zones = zonePeriods(
        communes.map((c) => c.timeZone),
        range.from,
        range.to,
        'month',
      );
      const rows = await deps.repos.provinceReports.sumAirTime(ctx.actor.provinceId, zones);
      const months = [...new Set(zones.flatMap((z) => z.periods.map((p) => p.label)))].sort();
      const names = new Map(communes.map((c) => [c.id, c.name]));
      return {
        ...range,
        months,
        communes: rows.map((r) => ({ ...r, communeName: names.get(r.communeId) ?? r.communeId })),
        total: airTimeTotals(rows),
      };
    },

    /**
     * Per receiver and per hamlet in the actor's scope (default: the last 30 days): the airings expected
     * (each receiver × each occurrence it should have played, once its outcome is known), how many it
     * played, failed, missed or was offline for, and the rate played ÷ expected. An airing counts under
     * the hamlet the box was in when it aired, so a head still sees what a box moved away aired for her
     * hamlet.
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
