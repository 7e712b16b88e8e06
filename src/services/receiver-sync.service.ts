import type { EventBus, LoaEvent } from '../domain/ports/events.js';
import { LoaError } from '../domain/errors.js';
import {
  etagMatches,
  eventTimeProblem,
  manifestEtag,
  manifestItems,
  manifestStep,
  manifestWindow,
  MAX_EVENT_BEFORE_START_MS,
  MANIFEST_STEP_MS,
  interruptionOf,
  occurrenceStatusFromReports,
  receiverPlayback,
  type Heartbeat,
  type LogEvent,
  type CommandMessage,
  type ManifestItem,
  type RejectedEvent,
} from '../domain/receiver/index.js';
import type { OccurrenceStatus } from '../domain/broadcast.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { NewPlaybackEvent, PlaybackReport, ReceiverSession } from '../domain/receiver/receiver.js';
import type { Clock } from '../domain/ports/clock.js';
import { hashToken, type IdGenerator } from '../domain/ports/ids.js';
import type { WebhookOutbox } from './webhook-events.js';

interface Deps {
  readonly repos: Pick<Repositories, 'receiverSync' | 'receiverCommands'>;
  /** Where a box's first report of starting a province bulletin is written (`bulletin.aired`). */
  readonly webhooks?: WebhookOutbox | undefined;
  /** Told of such a report once it has committed. */
  readonly bus?: EventBus | undefined;
  readonly tx: UnitOfWork;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The commands a box has yet to answer, carried by its heartbeat answer. */
  readonly commands?:
    | {
        forBox(
          session: ReceiverSession,
          r: Pick<Repositories, 'receiverCommands'>,
        ): Promise<readonly CommandMessage[]>;
      }
    | undefined;
  /** Rendered manifests kept in memory, keyed by hamlet, version and window step. */
  readonly manifestCacheSize?: number;
}

const reasonText: Record<RejectedEvent['reason'], { en: string; vi: string }> = {
  unknown_occurrence: { en: 'no such occurrence', vi: 'không có lượt phát này' },
  other_hamlet: { en: "occurrence of another hamlet than this receiver's", vi: 'lượt phát của thôn khác' },
  duplicate_in_batch: { en: 'event id used twice in this batch', vi: 'mã sự kiện lặp lại trong cùng lô' },
  in_future: {
    en: 'time is in the future; check the box clock',
    vi: 'thời điểm ở tương lai; kiểm tra đồng hồ',
  },
  too_old: { en: 'older than 30 days', vi: 'cũ hơn 30 ngày' },
  before_start: {
    en: 'minutes before the occurrence starts; check the box clock',
    vi: 'trước giờ phát nhiều phút; kiểm tra đồng hồ',
  },
};

function refusal(rejected: readonly RejectedEvent[]): LoaError {
  const shown = rejected.slice(0, 20);
  const more = rejected.length > shown.length ? ` and ${rejected.length - shown.length} more` : '';
  const moreVi = rejected.length > shown.length ? ` và ${rejected.length - shown.length} sự kiện khác` : '';
  const list = (lang: 'en' | 'vi') =>
    shown.map((r) => `${r.id} (${r.occurrenceId}: ${reasonText[r.reason][lang]})`).join(', ');
  return new LoaError(
    422,
    'invalid_events',
    `Refused ${rejected.length} event(s): ${list('en')}${more}. Nothing of this batch was stored; send it again without them.`,
    `Từ chối ${rejected.length} sự kiện: ${list('vi')}${moreVi}. Chưa lưu sự kiện nào của lô này; hãy gửi lại lô mà không có chúng.`,
    { rejected },
  );
}

/** The rules of the receiver protocol: manifests, heartbeats and playback logs of one device. */
export function createReceiverSyncService(deps: Deps) {
  const { clock } = deps;
  const repo = deps.repos.receiverSync;
  const cacheSize = deps.manifestCacheSize ?? 2000;
  // The part of a manifest shared by a hamlet's receivers, rendered once per (hamlet, version, window
  // step) as UTF-8 JSON without its closing brace: a version never changes content, so entries are never
  // stale, only evicted (oldest first) when the map is full. What differs per answer (the receiver, the
  // time) is appended, so an answer costs one copy and no encoding of the Vietnamese titles.
  const rendered = new Map<string, Uint8Array>();
  const utf8 = new TextEncoder();

  async function sharedPart(session: ReceiverSession, step: number): Promise<Uint8Array> {
    const key = `${session.hamletId}\u0000${session.scheduleVersion}\u0000${step}`;
    let part = rendered.get(key);
    if (part === undefined) {
      const window = manifestWindow(step * MANIFEST_STEP_MS);
      const occurrences = await repo.listManifestOccurrences(session.hamletId, window.from, window.to);
      const json = JSON.stringify({
        hamletId: session.hamletId,
        version: session.scheduleVersion,
        from: window.from,
        to: window.to,
        items: manifestItems(occurrences, JSON.parse(session.languagesJson) as string[]),
      });
      part = utf8.encode(json.slice(0, -1));
      if (rendered.size >= cacheSize) rendered.delete(rendered.keys().next().value!);
      rendered.set(key, part);
    }
    return part;
  }

  async function refreshStatuses(
    r: Pick<Repositories, 'receiverSync'>,
    occurrenceIds: readonly string[],
    current: ReadonlyMap<string, OccurrenceForStatus>,
  ) {
    // Another box's batch on the same airing may be storing its reports now: without the lock, each reads
    // only its own, and the last to commit sets the status ("failed" though the other box aired it).
    await r.receiverSync.lockOccurrences(occurrenceIds);
    const byOccurrence = new Map<string, Map<string, PlaybackReport[]>>();
    for (const report of await r.receiverSync.listPlaybackReports(occurrenceIds)) {
      let receivers = byOccurrence.get(report.occurrenceId);
      if (!receivers) byOccurrence.set(report.occurrenceId, (receivers = new Map()));
      receivers.set(report.receiverId, [...(receivers.get(report.receiverId) ?? []), report]);
    }
    const now = clock.now();
    const changes = new Map<OccurrenceStatus, string[]>();
    for (const id of occurrenceIds) {
      const occurrence = current.get(id)!;
      const statuses = [...(byOccurrence.get(id)?.values() ?? [])].map(
        (events) => receiverPlayback(events, occurrence, now.getTime()).status,
      );
      const next = occurrenceStatusFromReports(occurrence.status, statuses);
      if (next !== occurrence.status) changes.set(next, [...(changes.get(next) ?? []), id]);
    }
    for (const [status, ids] of changes)
      await r.receiverSync.setOccurrenceStatus(ids, status, now.toISOString());
  }

  /**
   * A started report of a province bulletin's airing is news for the province: its webhook is written in
   * the unit of work that stores the report (the outbox keeps one event per bulletin and commune), and the
   * facts are returned to be published once it has committed.
   */
  async function recordBulletinsAired(
    r: Pick<Repositories, 'bulletins' | 'webhooks' | 'communes'>,
    session: ReceiverSession,
    events: readonly LogEvent[],
  ): Promise<readonly LoaEvent[]> {
    const started = events.filter((e) => e.type === 'started');
    if (!deps.webhooks || started.length === 0) return [];
    const airings = await r.bulletins.findBulletinAirings([...new Set(started.map((e) => e.occurrenceId))]);
    const byOccurrence = new Map(airings.map((a) => [a.occurrenceId, a]));
    const told = new Map<string, LoaEvent>();
    for (const e of started) {
      const a = byOccurrence.get(e.occurrenceId);
      if (!a || told.has(a.bulletinId)) continue;
      told.set(a.bulletinId, {
        type: 'bulletin-aired',
        bulletinId: a.bulletinId,
        provinceId: a.provinceId,
        communeId: a.communeId,
        communeName: a.communeName,
        title: a.title,
        level: a.level,
        receiverId: session.id,
        startedAt: new Date(e.at).toISOString(),
      });
    }
    await deps.webhooks.record(r, [...told.values()]);
    return [...told.values()];
  }

  return {
    /** The enabled device behind a bearer token, or undefined (unknown, disabled, rotated). */
    async authenticate(token: string): Promise<ReceiverSession | undefined> {
      return repo.findReceiverSessionByTokenHash(await hashToken(token));
    },

    /**
     * The manifest for the next 48 h as UTF-8 JSON, or no body when `ifNoneMatch` holds its current ETag;
     * that answer needs nothing beyond the session already loaded.
     */
    async schedule(
      session: ReceiverSession,
      ifNoneMatch: string | undefined,
    ): Promise<{ etag: string; serverTime: string; body: Uint8Array | null }> {
      const now = clock.now();
      const step = manifestStep(now.getTime());
      const etag = manifestEtag(session.hamletId, session.scheduleVersion, step);
      const serverTime = now.toISOString();
      if (etagMatches(ifNoneMatch, etag)) return { etag, serverTime, body: null };
      const shared = await sharedPart(session, step);
      const own = `,"receiverId":${JSON.stringify(session.id)},"serverTime":"${serverTime}"}`;
      // Room for the worst case of UTF-8 (3 bytes per UTF-16 unit); what is unused is cut off.
      const body = new Uint8Array(shared.length + own.length * 3);
      body.set(shared);
      const { written } = utf8.encodeInto(own, body.subarray(shared.length));
      return { etag, serverTime, body: body.subarray(0, shared.length + written) };
    },

    /**
     * The payload of an emergency push, for every hamlet of `hamletIds` the booking reaches: the first of
     * its occurrences there due by `dueBy` (later repeats come with the manifest), as the hamlet plays it.
     * One lookup whatever the number of hamlets, named in the query as far as the database can bind them
     * (else read with the booking and kept here).
     */
    async emergencyItems(
      bookingId: string,
      dueBy: string,
      hamletIds: readonly string[],
    ): Promise<{ hamletId: string; occurrenceId: string; items: readonly ManifestItem[] }[]> {
      const held = new Set(hamletIds);
      const rows = await repo.listDueBookingOccurrences(bookingId, dueBy, hamletIds);
      const pushes = new Map<
        string,
        { hamletId: string; occurrenceId: string; items: readonly ManifestItem[] }
      >();
      for (const { occurrence, hamletId, languages } of rows) {
        if (!held.has(hamletId) || pushes.has(hamletId)) continue;
        const items = manifestItems([occurrence], languages);
        if (items.length > 0)
          pushes.set(hamletId, { hamletId, occurrenceId: occurrence.occurrenceId, items });
      }
      return [...pushes.values()];
    },

    async heartbeat(
      session: ReceiverSession,
      beat: Heartbeat,
    ): Promise<{ serverTime: string; scheduleVersion: number; commands?: CommandMessage[] }> {
      const now = clock.now().toISOString();
      // The latest state and a history row together, and in the same unit the commands waiting for the box.
      const commands = await deps.tx(async (r) => {
        await r.receiverSync.saveHeartbeat({
          id: deps.ids.id(),
          receiverId: session.id,
          at: now,
          volume: beat.volume,
          uptimeS: beat.uptimeS,
          freeBytes: beat.freeBytes,
          signal: beat.signal,
          appVersion: beat.appVersion,
          state: { ...beat },
        });
        return (await deps.commands?.forBox(session, r)) ?? [];
      });
      return {
        serverTime: now,
        scheduleVersion: session.scheduleVersion,
        ...(commands.length > 0 && { commands: [...commands] }),
      };
    },

    /**
     * Stores a batch of playback events once each. The whole batch is refused (422, naming each bad
     * event) when an event is for an unknown occurrence or another hamlet's (one the box was not in when
     * it aired), repeats an id of the batch, or has an implausible time; the agent drops those and sends
     * the rest again. Occurrence statuses follow the reports, also after the dispatcher marked them missed.
     */
    async ingestLogs(
      session: ReceiverSession,
      events: readonly LogEvent[],
    ): Promise<{ accepted: number; duplicates: number }> {
      const now = clock.now();
      const rejected: RejectedEvent[] = [];
      const seen = new Set<string>();
      for (const e of events) {
        if (seen.has(e.id))
          rejected.push({ id: e.id, occurrenceId: e.occurrenceId, reason: 'duplicate_in_batch' });
        seen.add(e.id);
        const timeProblem = eventTimeProblem(Date.parse(e.at), now.getTime());
        if (timeProblem) rejected.push({ id: e.id, occurrenceId: e.occurrenceId, reason: timeProblem });
      }
      const occurrenceIds = [...new Set(events.map((e) => e.occurrenceId))];
      const occurrences = new Map((await repo.findOccurrencesForLogs(occurrenceIds)).map((o) => [o.id, o]));
      // Another hamlet's airing is the box's own if it aired while the box was there: a box moved since
      // delivers what it queued there. Asked only of those, so a box's usual batch costs no lookup.
      const elsewhere = occurrenceIds.filter((id) => {
        const o = occurrences.get(id);
        return o !== undefined && o.hamletId !== session.hamletId;
      });
      const wasThere = new Set(
        elsewhere.length > 0 ? await repo.listOccurrencesWhileThere(session.id, elsewhere) : [],
      );
      for (const e of events) {
        const o = occurrences.get(e.occurrenceId);
        if (!o) rejected.push({ id: e.id, occurrenceId: e.occurrenceId, reason: 'unknown_occurrence' });
        else if (o.hamletId !== session.hamletId && !wasThere.has(o.id)) {
          rejected.push({ id: e.id, occurrenceId: e.occurrenceId, reason: 'other_hamlet' });
        } else if (Date.parse(e.at) < Date.parse(o.startsAt) - MAX_EVENT_BEFORE_START_MS) {
          rejected.push({ id: e.id, occurrenceId: e.occurrenceId, reason: 'before_start' });
        }
      }
      if (rejected.length > 0) throw refusal(rejected);

      const receivedAt = now.toISOString();
      const rows: NewPlaybackEvent[] = events.map((e) => ({
        id: deps.ids.id(),
        receiverId: session.id,
        eventId: e.id,
        occurrenceId: e.occurrenceId,
        type: e.type,
        at: new Date(e.at).toISOString(),
        detail: e.detail ?? null,
        sha256: e.sha256 ?? null,
        receivedAt,
      }));
      // Only a failure can move a played occurrence; a cancelled one never moves. Skipping the others
      // keeps a busy occurrence (many clusters, many parts) from being re-read on every batch.
      const failing = new Set(events.filter((e) => e.type === 'failed').map((e) => e.occurrenceId));
      const open = occurrenceIds.filter((id) => {
        const status = occurrences.get(id)!.status;
        return status !== 'cancelled' && (status !== 'played' || failing.has(id));
      });
      const { accepted, aired } = await deps.tx(async (r) => {
        const stored = new Set(await r.receiverSync.insertPlaybackEvents(rows));
        // Events of a retried batch were counted (and told) the first time; a retry may carry newer ones.
        const fresh = events.filter((e) => stored.has(e.id));
        const run = playbackRun(fresh);
        if (run) await r.receiverSync.recordPlaybackRun(session.id, run);
        if (stored.size > 0 && open.length > 0) await refreshStatuses(r, open, occurrences);
        return { accepted: stored.size, aired: await recordBulletinsAired(r, session, fresh) };
      });
      for (const fact of aired) deps.bus?.publish(fact);
      return { accepted, duplicates: events.length - accepted };
    },
  };
}

/**
 * What a batch says of the box's run of failed playbacks (the `playback_failing` alarm): the failures
 * after its last completed playback, and whether one completed at all. Undefined when it tells nothing.
 */
function playbackRun(events: readonly LogEvent[]): { reset: boolean; failures: number } | undefined {
  // A stop the box was told to make is no failure of it: the report's rule (`interruptionOf`) too.
  const outcomes = events
    .filter((e) => e.type === 'completed' || (e.type === 'failed' && interruptionOf(e.detail) === null))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (outcomes.length === 0) return undefined;
  const lastCompleted = outcomes.map((e) => e.type).lastIndexOf('completed');
  return { reset: lastCompleted >= 0, failures: outcomes.length - 1 - lastCompleted };
}

type OccurrenceForStatus = {
  readonly startsAt: string;
  readonly durationMs: number;
  readonly status: OccurrenceStatus;
};

export type ReceiverSyncService = ReturnType<typeof createReceiverSyncService>;
