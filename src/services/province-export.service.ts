import type { MachineActor, RequestContext } from '../domain/actor.js';
import {
  deliveryStatus,
  type Bulletin,
  type BulletinDelivery,
  type DeliveryStatus,
} from '../domain/bulletin.js';
import { invalid } from '../domain/errors.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  deviceState,
  zonePeriods,
  type CommuneDay,
  type DeviceRecord,
  type DeviceState,
} from '../domain/province-report.js';
import { countAiringFacts, PLAYBACK_GRACE_MS, presenceRule } from '../domain/receiver/index.js';
import {
  addDays,
  datesFrom,
  DEFAULT_TIME_ZONE,
  parseLocalDate,
  utcToLocal,
} from '../domain/schedule/index.js';
import { groupBy } from './group-by.js';
import { localRange } from './local-range.js';
import { MAX_ROLLUP_DAYS } from './reports.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'communes' | 'provinceReports' | 'bulletins'>;
  readonly clock: Clock;
}

/** A device with its state now. */
export interface DeviceView extends DeviceRecord {
  readonly state: DeviceState;
  readonly stateSince: string | null;
}

/** One commune's delivery of a sent bulletin, with the bulletin and the status the province reads. */
export interface BulletinDeliveryView {
  readonly bulletin: Bulletin;
  readonly delivery: BulletinDelivery;
  readonly status: DeliveryStatus;
}

export interface ExportPage<T> {
  /** When the page was read. */
  readonly generatedAt: string;
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

const badCursor = () =>
  invalid('cursor', 'This cursor is not one this export gave out.', 'Con trỏ trang không hợp lệ.');

/**
 * The province's export for its information-source system (hệ thống thông tin nguồn), read with a machine
 * token: every query is scoped to the token's province. Pages are keyset cursors, so a system walking
 * them while data changes neither skips nor repeats an item it already has.
 */
export function createProvinceExportService(deps: Deps) {
  const reports = deps.repos.provinceReports;

  return {
    /** The province's receivers by id, each with its state now and since when. */
    async devices(
      ctx: RequestContext<MachineActor>,
      q: { cursor?: string | undefined; limit: number },
    ): Promise<ExportPage<DeviceView>> {
      const rows = await reports.listDevices(ctx.actor.provinceId, q.cursor, q.limit + 1);
      const now = deps.clock.now().getTime();
      const page = rows.slice(0, q.limit).map((d) => {
        const { state, since } = deviceState(d, now);
        return { ...d, state, stateSince: since };
      });
      return {
        generatedAt: new Date(now).toISOString(),
        items: page,
        nextCursor: rows.length > q.limit ? (page.at(-1)?.receiverId ?? null) : null,
      };
    },

    /**
     * The province's sent bulletins and their delivery per commune, by bulletin id then commune id: one
     * item per bulletin and commune, with the status the province's own pages show.
     */
    async bulletins(
      ctx: RequestContext<MachineActor>,
      q: { cursor?: string | undefined; limit: number },
    ): Promise<ExportPage<BulletinDeliveryView>> {
      let after: { bulletinId: string; communeId: string } | null = null;
      if (q.cursor) {
        const [bulletinId, communeId, extra] = q.cursor.split('|');
        if (!bulletinId || !communeId || extra !== undefined) throw badCursor();
        after = { bulletinId, communeId };
      }
      const rows = await deps.repos.bulletins.listExportDeliveries(ctx.actor.provinceId, after, q.limit + 1);
      const now = deps.clock.now().getTime();
      const items = rows.slice(0, q.limit).map((r) => ({
        ...r,
        status: deliveryStatus(r.delivery, r.bulletin.answerBy, now),
      }));
      const last = items.at(-1);
      return {
        generatedAt: new Date(now).toISOString(),
        items,
        nextCursor: rows.length > q.limit && last ? `${last.bulletin.id}|${last.delivery.communeId}` : null,
      };
    },

    /**
     * Playback statistics per commune and local day (the commune's own days), every commune on every day
     * of the range, ordered by day then commune id: the airings expected of its receivers and what
     * became of them, as the commune's coverage report counts them. Default: the last seven days before
     * today. One set of queries per page, whatever the number of communes.
     */
    async playbackDays(
      ctx: RequestContext<MachineActor>,
      q: { from?: string | undefined; to?: string | undefined; cursor?: string | undefined; limit: number },
    ): Promise<ExportPage<CommuneDay>> {
      const communes = [...(await deps.repos.communes.listCommunes(ctx.actor.provinceId))].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
      const now = deps.clock.now().getTime();
      const today = utcToLocal(now, communes[0]?.timeZone ?? DEFAULT_TIME_ZONE).date;
      const range = localRange(q, { from: addDays(today, -7), to: addDays(today, -1) }, MAX_ROLLUP_DAYS);
      const days = datesFrom(range.from, range.to);
      const n = communes.length;
      const generatedAt = new Date(now).toISOString();
      if (n === 0) return { generatedAt, items: [], nextCursor: null };

      // The grid (day × commune) is walked by position; the cursor names the last item given, and the walk
      // goes on from the first item after it, by key: a commune deleted meanwhile, or a default range that
      // moved on at midnight, does not break it.
      let start = 0;
      if (q.cursor) {
        const [date = '', communeId = ''] = q.cursor.split('|');
        if (!parseLocalDate(date).ok || communeId === '') throw badCursor();
        const d = days.findIndex((day) => day >= date);
        const c = communes.findIndex((x) => x.id > communeId);
        start = d < 0 ? days.length * n : days[d] === date ? d * n + (c < 0 ? n : c) : d * n;
      }
      const end = Math.min(days.length * n, start + q.limit);
      if (start >= end) return { generatedAt, items: [], nextCursor: null };
      const firstDay = days[Math.floor(start / n)]!;
      const lastDay = days[Math.floor((end - 1) / n)]!;
      const zones = zonePeriods(
        communes.map((c) => c.timeZone),
        firstDay,
        lastDay,
        'day',
      );
      const [scheduled, airings] = await Promise.all([
        reports.countScheduledByPeriod(ctx.actor.provinceId, zones),
        reports.countAiringsByPeriod(
          ctx.actor.provinceId,
          zones,
          new Date(now).toISOString(),
          presenceRule(PLAYBACK_GRACE_MS),
        ),
      ]);
      const scheduledOf = groupBy(scheduled, (r) => `${r.communeId}\u0000${r.period}`);
      const airingsOf = groupBy(airings, (r) => `${r.communeId}\u0000${r.period}`);
      const items: CommuneDay[] = [];
      for (let i = start; i < end; i++) {
        const date = days[Math.floor(i / n)]!;
        const commune = communes[i % n]!;
        const key = `${commune.id}\u0000${date}`;
        items.push({
          communeId: commune.id,
          date,
          scheduled: (scheduledOf.get(key) ?? []).reduce((sum, s) => sum + s.count, 0),
          ...countAiringFacts(airingsOf.get(key) ?? []),
        });
      }
      const last = items.at(-1)!;
      return {
        generatedAt,
        items,
        nextCursor: end < days.length * n ? `${last.date}|${last.communeId}` : null,
      };
    },
  };
}

export type ProvinceExportService = ReturnType<typeof createProvinceExportService>;
