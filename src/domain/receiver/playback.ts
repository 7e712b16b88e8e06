import type { OccurrenceStatus } from '../broadcast.js';
import type { LogEventType } from './protocol.js';

/** What one receiver did with one occurrence, as people see it on the playback page. */
export const RECEIVER_PLAYBACK_STATUSES = ['scheduled', 'playing', 'played', 'failed', 'missed'] as const;
export type ReceiverPlaybackStatus = (typeof RECEIVER_PLAYBACK_STATUSES)[number];

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
}

export interface ReceiverPlayback {
  readonly status: ReceiverPlaybackStatus;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** The detail of the failure or skip, when there was one. */
  readonly detail: string | null;
}

/**
 * The status of one occurrence on one receiver, from that receiver's events (several when the
 * occurrence has several language parts). A failed part makes the whole a failure; a skip alone means the
 * box knew the item but did not air it (it was off at the time, or an emergency ran over it).
 * @example receiverPlayback([{ type: 'started', at: '…06:00Z' }], { startsAt: '…06:00Z', durationMs: 60000 }, now, grace)
 * // → { status: 'playing', … } until end + grace, then 'played'
 */
export function receiverPlayback(
  events: readonly ReceiverEvent[],
  occurrence: { readonly startsAt: string; readonly durationMs: number },
  nowMs: number,
  graceMs: number = PLAYBACK_GRACE_MS,
): ReceiverPlayback {
  const byTime = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const first = (type: LogEventType) => byTime.find((e) => e.type === type);
  const last = (type: LogEventType) => byTime.findLast((e) => e.type === type);
  const started = first('started');
  const failed = last('failed');
  const completed = last('completed');
  const skipped = last('skipped');
  const endOfWindow = Date.parse(occurrence.startsAt) + occurrence.durationMs + graceMs;
  const startedAt = started?.at ?? null;
  if (failed) return { status: 'failed', startedAt, endedAt: failed.at, detail: failed.detail };
  if (completed) return { status: 'played', startedAt, endedAt: completed.at, detail: null };
  if (started) {
    return { status: nowMs <= endOfWindow ? 'playing' : 'played', startedAt, endedAt: null, detail: null };
  }
  if (skipped) return { status: 'missed', startedAt: null, endedAt: skipped.at, detail: skipped.detail };
  return {
    status: nowMs > endOfWindow ? 'missed' : 'scheduled',
    startedAt: null,
    endedAt: null,
    detail: null,
  };
}

/**
 * The occurrence's status once receivers have reported: played when at least one of the hamlet's
 * receivers aired it (a hamlet has several clusters; one airing reaches people), failed when receivers
 * reported failures and none aired it. Reports that say neither keep the current status, and a
 * cancelled occurrence stays cancelled. Late reports correct a `missed` set by the dispatcher, because
 * boxes play offline and report when back.
 */
export function occurrenceStatusFromReports(
  current: OccurrenceStatus,
  receivers: readonly ReceiverPlaybackStatus[],
): OccurrenceStatus {
  if (current === 'cancelled') return current;
  if (receivers.some((s) => s === 'played' || s === 'playing')) return 'played';
  if (receivers.some((s) => s === 'failed')) return 'failed';
  return current;
}

/** Why an event's time is refused, or null when it is plausible. */
export function eventTimeProblem(atMs: number, nowMs: number): 'in_future' | 'too_old' | null {
  if (atMs > nowMs + MAX_EVENT_FUTURE_MS) return 'in_future';
  if (atMs < nowMs - MAX_EVENT_AGE_MS) return 'too_old';
  return null;
}
