import type { OccurrenceStatus } from '../broadcast.js';
import { INTERRUPTION_DETAILS, type LogEventType } from './protocol.js';

/**
 * What one receiver did with one occurrence, as people see it on the playback page. `offline`: it
 * reported nothing and was not heard from (no heartbeat) at any time the occurrence could have played.
 * `interrupted` (last, so that clients that list the values keep their order): it stopped because it was
 * told to (`INTERRUPTION_DETAILS`), which is no failure of the box.
 */
export const RECEIVER_PLAYBACK_STATUSES = [
  'scheduled',
  'playing',
  'played',
  'failed',
  'missed',
  'offline',
  'interrupted',
] as const;
export type ReceiverPlaybackStatus = (typeof RECEIVER_PLAYBACK_STATUSES)[number];

/** Why a box was told to stop: the keys of `INTERRUPTION_DETAILS`. */
export type Interruption = keyof typeof INTERRUPTION_DETAILS;

/**
 * The details of a box's `failed` report that mean it was told to stop (an emergency over the item, the
 * commune taking it off the air or cancelling the emergency, muting the box, the agent stopped): the
 * failing-playback alarm leaves these out, and so do the statuses and coverage.
 */
export const INTERRUPTIONS: readonly string[] = Object.values(INTERRUPTION_DETAILS);

/**
 * The interruption a `failed` report's detail names, or null for a real failure.
 * @example interruptionOf('interrupted by an emergency broadcast') // → 'preempted'
 */
export function interruptionOf(detail: string | null | undefined): Interruption | null {
  const found = Object.entries(INTERRUPTION_DETAILS).find(([, text]) => text === detail);
  return found ? (found[0] as Interruption) : null;
}

/**
 * How long after an occurrence's planned end a receiver that reported nothing counts as having missed it,
 * and a `started` without `completed` stops counting as still playing.
 */
export const PLAYBACK_GRACE_MS = 10 * 60_000;

/** Events may be this far in the future (clock error of a box that has not synced yet). */
export const MAX_EVENT_FUTURE_MS = 10 * 60_000;
/**
 * Events this long before their occurrence's start are refused: a box plays nothing that early, so such
 * a report comes from a wrong clock and must not mark the occurrence failed or played.
 */
export const MAX_EVENT_BEFORE_START_MS = 5 * 60_000;

/** Events older than this are refused: no box keeps a queue that long, and reports would be stale. */
export const MAX_EVENT_AGE_MS = 30 * 86_400_000;

export interface ReceiverEvent {
  readonly type: LogEventType;
  readonly at: string;
  readonly detail: string | null;
  /** The SHA-256 of the audio a `started` part played; null for relays and from agents before 0.2. */
  readonly sha256?: string | null;
}

export interface ReceiverPlayback {
  readonly status: ReceiverPlaybackStatus;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** The detail of the failure or skip, when there was one, as the box wrote it. */
  readonly detail: string | null;
  /** Why the box was told to stop, when the status is `interrupted`; null otherwise. */
  readonly interruption: Interruption | null;
  /** The SHA-256 of each audio part the box started, in the order it played them (none for relays). */
  readonly sha256s: readonly string[];
}

/**
 * What is known of one receiver and one occurrence, as flags: what it reported, whether the occurrence
 * is over (its end plus the grace), and whether the receiver was heard from meanwhile. The database can
 * count (receiver, occurrence) pairs by these flags, and `playbackStatus` gives each combination its
 * status, so a report over months never loads the pairs one by one.
 */
export interface PlaybackFacts {
  /** A part reported `failed`. */
  readonly failed: boolean;
  /** It reported `failed`, and every such report was one of `INTERRUPTIONS`. */
  readonly interrupted: boolean;
  /** A part reported `started` or `completed`. */
  readonly aired: boolean;
  /** Every part it started reported `completed` (only tells playing from played before the end). */
  readonly completed: boolean;
  /** A part reported `skipped`. */
  readonly skipped: boolean;
  /** The occurrence's end plus the grace has passed. */
  readonly due: boolean;
  /** A heartbeat arrived in the occurrence's presence window (see `presenceWindow`). */
  readonly heard: boolean;
}

/**
 * The one rule from facts to status. Reports come first, whenever they arrive: a box plays from its
 * cache without a network and reports later, so a late `started` turns `offline` into `played`. With
 * no report, nothing is decided before the grace is over; then a box that was heard from missed it, and
 * one that was not is offline. A failure the box was told to have is `interrupted`; one of its own, even
 * beside such, is `failed`.
 * @example playbackStatus({ failed: false, interrupted: false, aired: false, completed: false, skipped: false, due: true, heard: false })
 * // → 'offline'
 */
export function playbackStatus(f: PlaybackFacts): ReceiverPlaybackStatus {
  if (f.failed) return f.interrupted ? 'interrupted' : 'failed';
  if (f.aired) return f.completed || f.due ? 'played' : 'playing';
  if (f.skipped) return 'missed';
  if (!f.due) return 'scheduled';
  return f.heard ? 'missed' : 'offline';
}

/**
 * The status of one occurrence on one receiver, from that receiver's events (several when the
 * occurrence has several language parts). A failed part makes the whole a failure; a skip alone means the
 * box knew the item but did not air it (it was off at the time, or an emergency ran over it). `heard`
 * says whether the box sent a heartbeat in the occurrence's presence window; without it a box that
 * reported nothing counts as missed, not offline.
 * @example receiverPlayback([{ type: 'started', at: '…06:00Z' }], { startsAt: '…06:00Z', durationMs: 60000 }, now)
 * // → { status: 'playing', … } until end + grace, then 'played'
 */
export function receiverPlayback(
  events: readonly ReceiverEvent[],
  occurrence: { readonly startsAt: string; readonly durationMs: number },
  nowMs: number,
  options: { readonly heard?: boolean; readonly graceMs?: number } = {},
): ReceiverPlayback {
  const graceMs = options.graceMs ?? PLAYBACK_GRACE_MS;
  const byTime = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const first = (type: LogEventType) => byTime.find((e) => e.type === type);
  const last = (type: LogEventType) => byTime.findLast((e) => e.type === type);
  const count = (type: LogEventType) => byTime.filter((e) => e.type === type).length;
  const started = first('started');
  const failed = last('failed');
  const completed = last('completed');
  const skipped = last('skipped');
  // A failure of the box's own is the one shown, even when it was told to stop later.
  const ownFailure = byTime.findLast((e) => e.type === 'failed' && interruptionOf(e.detail) === null);
  const status = playbackStatus({
    failed: failed !== undefined,
    interrupted: failed !== undefined && ownFailure === undefined,
    aired: started !== undefined || completed !== undefined,
    completed: completed !== undefined && count('completed') >= count('started'),
    skipped: skipped !== undefined,
    due: nowMs > Date.parse(occurrence.startsAt) + occurrence.durationMs + graceMs,
    heard: options.heard ?? true,
  });
  const sha256s = [...new Set(byTime.flatMap((e) => (e.type === 'started' && e.sha256 ? [e.sha256] : [])))];
  const startedAt = started?.at ?? null;
  const none = { interruption: null, sha256s } as const;
  if (status === 'failed')
    return { status, startedAt, endedAt: ownFailure!.at, detail: ownFailure!.detail, ...none };
  if (status === 'interrupted') {
    const interruption = interruptionOf(failed!.detail);
    return { status, startedAt, endedAt: failed!.at, detail: failed!.detail, interruption, sha256s };
  }
  if (status === 'played' || status === 'playing') {
    const endedAt = status === 'played' ? (completed?.at ?? null) : null;
    return { status, startedAt, endedAt, detail: null, ...none };
  }
  if (skipped) return { status, startedAt: null, endedAt: skipped.at, detail: skipped.detail, ...none };
  return { status, startedAt: null, endedAt: null, detail: null, ...none };
}

/**
 * The occurrence's status once receivers have reported: played when at least one of the hamlet's
 * receivers aired it (a hamlet has several clusters; one airing reaches people), failed when receivers
 * reported failures and none aired it, interrupted when the boxes that reported were all told to stop (an
 * emergency over it). Reports that say none of these keep the current status, and a cancelled occurrence
 * stays cancelled. Late reports correct a `missed` set by the dispatcher, because boxes play offline and
 * report when back.
 */
export function occurrenceStatusFromReports(
  current: OccurrenceStatus,
  receivers: readonly ReceiverPlaybackStatus[],
): OccurrenceStatus {
  if (current === 'cancelled') return current;
  if (receivers.some((s) => s === 'played' || s === 'playing')) return 'played';
  if (receivers.some((s) => s === 'failed')) return 'failed';
  if (receivers.some((s) => s === 'interrupted')) return 'interrupted';
  return current;
}

/** Why an event's time is refused, or null when it is plausible. */
export function eventTimeProblem(atMs: number, nowMs: number): 'in_future' | 'too_old' | null {
  if (atMs > nowMs + MAX_EVENT_FUTURE_MS) return 'in_future';
  if (atMs < nowMs - MAX_EVENT_AGE_MS) return 'too_old';
  return null;
}
