import type { RequestContext } from '../domain/actor.js';
import type { Broadcast, Occurrence, OccurrenceStatus } from '../domain/broadcast.js';
import { invalid, notFound } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { MediaStore } from '../domain/ports/media-store.js';
import type { Repositories } from '../domain/ports/repositories.js';
import {
  onlineSpans,
  onlineWindowMs,
  PLAYBACK_GRACE_MS,
  presenceRule,
  receiverPlayback,
  type OnlineSpan,
  type ReceiverEvent,
  type ReceiverPlayback,
} from '../domain/receiver/index.js';
import { addDays, localToUtc, parseLocalDate, utcToLocal } from '../domain/schedule/index.js';
import { DAY_MS, timeRange, timeZoneOf } from './time-range.js';

interface Deps {
  readonly repos: Pick<
    Repositories,
    'playback' | 'receiverSync' | 'communes' | 'broadcasts' | 'receivers' | 'hamlets'
  >;
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

/** One receiver's playback of one occurrence, named. */
export interface ReceiverPlaybackView extends ReceiverPlayback {
  readonly receiverId: string;
  readonly name: string;
}

export interface PlaybackView extends Occurrence {
  /** Every receiver expected to air it: of its hamlet, existing and enabled when it started. */
  readonly receivers: readonly ReceiverPlaybackView[];
}

export interface BroadcastPlayback {
  readonly broadcast: Broadcast;
  readonly title: string;
  /** Its latest occurrences in the caller's hamlets (at most `BROADCAST_PAGE_LIMIT`), in airing order. */
  readonly occurrences: readonly PlaybackView[];
  readonly truncated: boolean;
}

/** How far the first airing of a broadcast (an emergency's "now") has reached, for the live page. */
export interface BroadcastReach {
  readonly broadcastId: string;
  /** When the first airing started. */
  readonly at: string | null;
  /** Receivers expected to air it. */
  readonly receivers: number;
  /** Of those, online when it was sent: a heartbeat within one online window before the booking. */
  readonly online: number;
  /** Of those, the ones that reported starting it. */
  readonly started: number;
  /** The others, each with its status and whether it was online when it was sent. */
  readonly notStarted: readonly (ReceiverPlaybackView & {
    readonly hamletId: string;
    readonly onlineWhenSent: boolean;
  })[];
}

/** One receiver's day: when it was online, and what it did with each occurrence of its hamlet. */
export interface ReceiverDay {
  readonly receiver: { readonly id: string; readonly name: string; readonly hamletId: string };
  readonly date: string;
  readonly from: string;
  readonly to: string;
  readonly spans: readonly OnlineSpan[];
  readonly items: readonly { readonly occurrence: Occurrence; readonly playback: ReceiverPlayback }[];
}

/** A broadcast page lists at most this many occurrences; a long series shows its latest. */
export const BROADCAST_PAGE_LIMIT = 200;

/** Monitoring for people: what played where, per receiver. */
export function createMonitoringService(deps: Deps) {
  const { clock } = deps;
  const rule = presenceRule(PLAYBACK_GRACE_MS);

  /** Each occurrence with the status of every receiver expected to air it, from events and heartbeats. */
  async function withReceivers(occurrences: readonly Occurrence[], now: number): Promise<PlaybackView[]> {
    const ids = occurrences.map((o) => o.id);
    const [expected, reports] = await Promise.all([
      deps.repos.playback.listExpectedReceivers(ids, rule),
      deps.repos.receiverSync.listPlaybackReports(ids),
    ]);
    const events = new Map<string, ReceiverEvent[]>();
    for (const e of reports) {
      const key = `${e.occurrenceId}\u0000${e.receiverId}`;
      events.set(key, [...(events.get(key) ?? []), e]);
    }
    return occurrences.map((o) => ({
      ...o,
      receivers: expected
        .filter((e) => e.occurrenceId === o.id)
        .map((e) => ({
          receiverId: e.receiverId,
          name: e.name,
          ...receiverPlayback(events.get(`${o.id}\u0000${e.receiverId}`) ?? [], o, now, { heard: e.heard }),
        })),
    }));
  }

  async function loadBroadcast(ctx: RequestContext, id: string): Promise<Broadcast> {
    const row = await deps.repos.broadcasts.findBroadcast(id);
    if (!row || row.communeId !== ctx.actor.communeId) throw notFound('Broadcast', id, 'lịch phát');
    const scope = readScope(ctx.actor);
    if (scope !== 'all' && !row.hamletIds.some((h) => scope.includes(h)))
      assertAllowed(ctx.actor, 'playback.read', row.hamletIds);
    return row;
  }

  const inScope = (ctx: RequestContext) => {
    const scope = readScope(ctx.actor);
    return (o: { hamletId: string }) => scope === 'all' || scope.includes(o.hamletId);
  };

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
      assertAllowed(ctx.actor, 'playback.read');
      if (q.hamletId) {
        // Another commune's hamlet is not found, as an unknown one: a filter must not tell it exists.
        const [known] = await deps.repos.hamlets.findExistingHamletIds(ctx.actor.communeId, [q.hamletId]);
        if (!known) throw notFound('Hamlet', q.hamletId, 'thôn');
        assertAllowed(ctx.actor, 'playback.read', [q.hamletId]);
      }
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
      const last = page.at(-1);
      return {
        items: await withReceivers(page, now),
        nextCursor: rows.length > q.limit && last ? `${last.startsAt}|${last.id}` : null,
      };
    },

    /** One occurrence with every receiver expected to air it. */
    async occurrence(ctx: RequestContext, id: string): Promise<PlaybackView> {
      assertAllowed(ctx.actor, 'playback.read');
      const found = await deps.repos.playback.findPlaybackOccurrence(id);
      if (!found || found.communeId !== ctx.actor.communeId) throw notFound('Occurrence', id, 'lượt phát');
      assertAllowed(ctx.actor, 'playback.read', [found.hamletId]);
      const { communeId: _, ...occurrence } = found;
      return (await withReceivers([occurrence], clock.now().getTime()))[0]!;
    },

    /** A broadcast with its occurrences in the caller's hamlets and every receiver's playback of each. */
    async broadcast(ctx: RequestContext, id: string): Promise<BroadcastPlayback> {
      assertAllowed(ctx.actor, 'playback.read');
      const broadcast = await loadBroadcast(ctx, id);
      const rows = await deps.repos.playback.listBroadcastOccurrences(
        id,
        readScope(ctx.actor),
        BROADCAST_PAGE_LIMIT + 1,
      );
      // The latest ones are read; they are shown in the order they air.
      const visible = rows
        .slice(0, BROADCAST_PAGE_LIMIT)
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.hamletId.localeCompare(b.hamletId));
      const title = rows[0]?.title ?? (broadcast.relay ? `Tiếp sóng ${broadcast.relay.url}` : id);
      return {
        broadcast,
        title,
        occurrences: await withReceivers(visible, clock.now().getTime()),
        truncated: rows.length > BROADCAST_PAGE_LIMIT,
      };
    },

    /**
     * The reach of a broadcast's first airing in each of the caller's hamlets: how many receivers were
     * online when it was sent, how many have started it, and which have not.
     */
    async reach(ctx: RequestContext, id: string): Promise<BroadcastReach> {
      assertAllowed(ctx.actor, 'playback.read');
      const broadcast = await loadBroadcast(ctx, id);
      const all = await deps.repos.broadcasts.listOccurrencesOf([id]);
      const firsts = new Map<string, Occurrence>();
      for (const o of all.filter(inScope(ctx))) {
        const seen = firsts.get(o.hamletId);
        if (!seen || o.startsAt < seen.startsAt) firsts.set(o.hamletId, o);
      }
      const views = await withReceivers([...firsts.values()], clock.now().getTime());
      const receivers = views.flatMap((v) => v.receivers.map((r) => ({ ...r, hamletId: v.hamletId })));
      const sentAt = Date.parse(broadcast.createdAt);
      const heard = new Set(
        await deps.repos.playback.listReceiversHeardBetween(
          receivers.map((r) => r.receiverId),
          new Date(sentAt - onlineWindowMs()).toISOString(),
          broadcast.createdAt,
        ),
      );
      const aired = (r: ReceiverPlaybackView) => r.status === 'playing' || r.status === 'played';
      const at = views.map((v) => v.startsAt).sort()[0] ?? null;
      return {
        broadcastId: id,
        at,
        receivers: receivers.length,
        online: receivers.filter((r) => heard.has(r.receiverId)).length,
        started: receivers.filter(aired).length,
        notStarted: receivers
          .filter((r) => !aired(r))
          .map((r) => ({ ...r, onlineWhenSent: heard.has(r.receiverId) })),
      };
    },

    /**
     * A receiver's local day (`date`, YYYY-MM-DD in the commune's zone): its online and offline stretches
     * from the heartbeats, and its playback of each occurrence of its hamlet that day.
     */
    async receiverDay(ctx: RequestContext, receiverId: string, date: string): Promise<ReceiverDay> {
      assertAllowed(ctx.actor, 'playback.read');
      const receiver = await deps.repos.receivers.findReceiver(receiverId);
      const hamlet = receiver && (await deps.repos.hamlets.findHamlet(receiver.hamletId));
      if (!receiver || !hamlet || hamlet.communeId !== ctx.actor.communeId)
        throw notFound('Receiver', receiverId, 'cụm loa');
      const timeZone = await timeZoneOf(deps.repos, ctx.actor.communeId);
      assertAllowed(ctx.actor, 'playback.read', [receiver.hamletId]);
      const parsed = parseLocalDate(date, 'date');
      if (!parsed.ok) throw invalid('date', parsed.error.messageEn, parsed.error.message);
      const now = clock.now().getTime();
      const fromMs = localToUtc(date, '00:00', timeZone);
      const toMs = localToUtc(addDays(date, 1), '00:00', timeZone);
      const from = new Date(fromMs).toISOString();
      const to = new Date(toMs).toISOString();
      const shownTo = new Date(Math.max(fromMs, Math.min(toMs, now))).toISOString();
      const [beats, occurrences] = await Promise.all([
        deps.repos.playback.listHeartbeatTimes(
          receiverId,
          new Date(fromMs - onlineWindowMs()).toISOString(),
          shownTo,
        ),
        deps.repos.playback.listPlaybackOccurrences(ctx.actor.communeId, [receiver.hamletId], {
          from,
          to,
          limit: 1000,
        }),
      ]);
      const views = await withReceivers(occurrences, now);
      return {
        receiver: { id: receiver.id, name: receiver.name, hamletId: receiver.hamletId },
        date,
        from,
        to,
        spans: onlineSpans(beats, from, shownTo),
        items: views.flatMap((v) => {
          const mine = v.receivers.find((r) => r.receiverId === receiverId);
          if (!mine) return [];
          const { receivers: _, ...occurrence } = v;
          const { receiverId: __, name: ___, ...playback } = mine;
          return [{ occurrence, playback }];
        }),
      };
    },

    /** Today's local date in the commune, for pages that default to it. */
    async today(ctx: RequestContext): Promise<string> {
      return utcToLocal(clock.now().getTime(), await timeZoneOf(deps.repos, ctx.actor.communeId)).date;
    },
  };
}

function parseCursor(cursor: string): { startsAt: string; id: string } {
  const cut = cursor.indexOf('|');
  if (cut < 0) throw invalid('cursor', 'This cursor is not one we gave out.', 'Con trỏ trang không hợp lệ.');
  return { startsAt: cursor.slice(0, cut), id: cursor.slice(cut + 1) };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
