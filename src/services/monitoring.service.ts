import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import type { HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { PlaybackOccurrenceRow, PlaybackRepository } from '../db/repositories/playback.repository.js';
import type { ReceiverSyncRepository } from '../db/repositories/receiver-sync.repository.js';
import { invalid } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import {
  coverageFromCounts,
  receiverPlayback,
  type ReceiverEvent,
  type ReceiverPlayback,
} from '../domain/receiver/index.js';
import { localToUtc, type HamletCoverage } from '../domain/schedule/index.js';
import type { RequestContext } from '../domain/context.js';
import type { Clock } from '../domain/ports.js';

interface Deps {
  readonly playback: PlaybackRepository;
  readonly receiverSync: Pick<ReceiverSyncRepository, 'listPlaybackReports'>;
  readonly hamlets: HamletsRepository;
  readonly communes: CommunesRepository;
  readonly clock: Clock;
}

export type OccurrenceStatusFilter = PlaybackOccurrenceRow['status'];

export interface PlaybackQuery {
  readonly hamletId?: string | undefined;
  /** ISO instant or local date (YYYY-MM-DD, the commune's midnight). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly status?: OccurrenceStatusFilter | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

export interface PlaybackView extends PlaybackOccurrenceRow {
  readonly receivers: readonly (ReceiverPlayback & { readonly receiverId: string; readonly name: string })[];
}

export interface CoverageRow extends HamletCoverage {
  readonly hamletName: string;
}

const DAY_MS = 86_400_000;
/** Longest range a playback or coverage request may span; longer reports are several requests. */
const MAX_RANGE_DAYS = 400;

/** Monitoring for people: what played where, per receiver, and coverage per hamlet. */
export function createMonitoringService(deps: Deps) {
  const { clock } = deps;

  async function timeZoneOf(communeId: string): Promise<string> {
    return (await deps.communes.findCommune(communeId))?.timeZone ?? 'Asia/Ho_Chi_Minh';
  }

  /** Parses `from`/`to`: an ISO instant, or a local date meaning the commune's midnight. */
  function instant(field: string, value: string, timeZone: string): string {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? localToUtc(value, '00:00', timeZone) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      throw invalid(
        field,
        `${field} must be an ISO 8601 time or a date YYYY-MM-DD (got ${JSON.stringify(value)}).`,
        `${field} phải là thời điểm ISO 8601 hoặc ngày YYYY-MM-DD.`,
      );
    }
    return new Date(ms).toISOString();
  }

  async function range(
    ctx: RequestContext,
    q: { from?: string | undefined; to?: string | undefined },
    defaults: { fromMs: number; toMs: number },
  ): Promise<{ from: string; to: string }> {
    const timeZone = await timeZoneOf(ctx.actor.communeId);
    const from = q.from ? instant('from', q.from, timeZone) : new Date(defaults.fromMs).toISOString();
    const to = q.to ? instant('to', q.to, timeZone) : new Date(defaults.toMs).toISOString();
    if (from >= to)
      throw invalid('to', '`to` must be after `from`.', 'Thời điểm kết thúc phải sau thời điểm bắt đầu.');
    if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * DAY_MS) {
      throw invalid(
        'to',
        `Ask for at most ${MAX_RANGE_DAYS} days at a time.`,
        `Mỗi lần chỉ xem tối đa ${MAX_RANGE_DAYS} ngày.`,
      );
    }
    return { from, to };
  }

  /** Hamlets of the commune the actor may see, optionally narrowed to one. */
  async function hamletsInScope(ctx: RequestContext, hamletId?: string) {
    const scope = readScope(ctx.actor);
    const all = await deps.hamlets.listCommuneHamlets(ctx.actor.communeId);
    return all.filter((h) => (scope === 'all' || scope.includes(h.id)) && (!hamletId || h.id === hamletId));
  }

  return {
    /**
     * Occurrences in a time range (default: the last and the next 24 h), each with the status of every
     * receiver of its hamlet as derived from that receiver's events. Keyset-paginated by time.
     */
    async playback(
      ctx: RequestContext,
      q: PlaybackQuery,
    ): Promise<{ items: PlaybackView[]; nextCursor: string | null }> {
      assertAllowed(ctx.actor, 'playback.read', q.hamletId ? [q.hamletId] : undefined);
      const now = clock.now().getTime();
      const { from, to } = await range(ctx, q, { fromMs: now - DAY_MS, toMs: now + DAY_MS });
      const scope = readScope(ctx.actor);
      const hamletIds = q.hamletId ? [q.hamletId] : scope;
      const after = q.cursor ? parseCursor(q.cursor) : undefined;
      const rows = await deps.playback.listPlaybackOccurrences(ctx.actor.communeId, hamletIds, {
        from,
        to,
        status: q.status,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const receivers = await deps.playback.listReceiversOfHamlets([...new Set(page.map((o) => o.hamletId))]);
      const reports = new Map<string, ReceiverEvent[]>();
      for (const e of await deps.receiverSync.listPlaybackReports(page.map((o) => o.id))) {
        const key = `${e.occurrenceId}\u0000${e.receiverId}`;
        reports.set(key, [...(reports.get(key) ?? []), e]);
      }
      const items = page.map((o) => ({
        ...o,
        receivers: receivers
          .filter((r) => r.hamletId === o.hamletId)
          .map((r) => ({
            receiverId: r.id,
            name: r.name,
            ...receiverPlayback(reports.get(`${o.id}\u0000${r.id}`) ?? [], o, now),
          })),
      }));
      const last = page.at(-1);
      return { items, nextCursor: rows.length > q.limit && last ? `${last.startsAt}|${last.id}` : null };
    },

    /** Per hamlet in the actor's scope: scheduled, played, failed, missed and play rate (default: last 30 days). */
    async coverage(
      ctx: RequestContext,
      q: { from?: string | undefined; to?: string | undefined },
    ): Promise<{ from: string; to: string; timeZone: string; hamlets: CoverageRow[] }> {
      assertAllowed(ctx.actor, 'report.read');
      const now = clock.now().getTime();
      const { from, to } = await range(ctx, q, { fromMs: now - 30 * DAY_MS, toMs: now });
      const hamlets = await hamletsInScope(ctx);
      const ids = hamlets.map((h) => h.id);
      const counts = await deps.playback.countOccurrencesByHamletAndStatus(
        ctx.actor.communeId,
        ids,
        from,
        to,
      );
      const names = new Map(hamlets.map((h) => [h.id, h.name]));
      return {
        from,
        to,
        timeZone: await timeZoneOf(ctx.actor.communeId),
        hamlets: coverageFromCounts(ids, counts).map((c) => ({
          ...c,
          hamletName: names.get(c.hamletId) ?? c.hamletId,
        })),
      };
    },
  };
}

function parseCursor(cursor: string): { startsAt: string; id: string } {
  const cut = cursor.indexOf('|');
  if (cut < 0) throw invalid('cursor', 'This cursor is not one we gave out.', 'Con trỏ trang không hợp lệ.');
  return { startsAt: cursor.slice(0, cut), id: cursor.slice(cut + 1) };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
