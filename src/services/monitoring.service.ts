import type { RequestContext } from '../domain/actor.js';
import type { Occurrence, OccurrenceStatus } from '../domain/broadcast.js';
import { invalid } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { MediaStore } from '../domain/ports/media-store.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { receiverPlayback, type ReceiverEvent, type ReceiverPlayback } from '../domain/receiver/index.js';
import { DAY_MS, timeRange } from './time-range.js';

interface Deps {
  readonly repos: Pick<Repositories, 'playback' | 'receiverSync' | 'communes'>;
  readonly clock: Clock;
  readonly media: Pick<MediaStore, 'freeBytes'>;
  /** Below this much free space on the media disk, the service warns (uploads and jobs may fail). */
  readonly minFreeMediaBytes: number;
}

/** Free space on the media disk, and whether it is below the warning threshold. */
export interface MediaSpace {
  /** Null when the store cannot tell (no disk of its own, or not reachable). */
  readonly freeBytes: number | null;
  readonly minFreeBytes: number;
  readonly low: boolean;
}

export interface PlaybackQuery {
  readonly hamletId?: string | undefined;
  /** ISO instant or local date (YYYY-MM-DD, the commune's midnight). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly status?: OccurrenceStatus | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

export interface PlaybackView extends Occurrence {
  readonly receivers: readonly (ReceiverPlayback & { readonly receiverId: string; readonly name: string })[];
}

/** Monitoring for people: what played where, per receiver. */
export function createMonitoringService(deps: Deps) {
  const { clock } = deps;

  return {
    /**
     * How much room the media store has left. Public on purpose (the health check shows it): a
     * number of bytes says nothing about the commune.
     */
    async mediaSpace(): Promise<MediaSpace> {
      const freeBytes = await deps.media.freeBytes();
      const minFreeBytes = deps.minFreeMediaBytes;
      return { freeBytes, minFreeBytes, low: freeBytes !== null && freeBytes < minFreeBytes };
    },

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
      const { from, to } = await timeRange(deps.repos, ctx, q, { fromMs: now - DAY_MS, toMs: now + DAY_MS });
      const scope = readScope(ctx.actor);
      const hamletIds = q.hamletId ? [q.hamletId] : scope;
      const after = q.cursor ? parseCursor(q.cursor) : undefined;
      const rows = await deps.repos.playback.listPlaybackOccurrences(ctx.actor.communeId, hamletIds, {
        from,
        to,
        status: q.status,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const receivers = await deps.repos.playback.listReceiversOfHamlets([
        ...new Set(page.map((o) => o.hamletId)),
      ]);
      const reports = new Map<string, ReceiverEvent[]>();
      for (const e of await deps.repos.receiverSync.listPlaybackReports(page.map((o) => o.id))) {
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
  };
}

function parseCursor(cursor: string): { startsAt: string; id: string } {
  const cut = cursor.indexOf('|');
  if (cut < 0) throw invalid('cursor', 'This cursor is not one we gave out.', 'Con trỏ trang không hợp lệ.');
  return { startsAt: cursor.slice(0, cut), id: cursor.slice(cut + 1) };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
