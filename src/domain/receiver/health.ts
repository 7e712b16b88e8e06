/** How often the agent sends a heartbeat unless configured otherwise. */
export const HEARTBEAT_INTERVAL_S = 60;

export interface ReceiverHealth {
  /** A heartbeat arrived within two intervals: one lost heartbeat is not an outage. */
  readonly online: boolean;
  readonly lastSeenAt: string | null;
  readonly volume: number | null;
  readonly signal: number | null;
  readonly appVersion: string | null;
  readonly freeBytes: number | null;
  readonly uptimeS: number | null;
  readonly scheduleVersion: number | null;
  readonly pendingEvents: number | null;
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * A receiver's health from its latest heartbeat as stored.
 * @example receiverHealth('2026-11-27T01:00:00.000Z', { volume: 80 }, Date.parse('2026-11-27T01:01:59Z'))
 * // → { online: true, volume: 80, … }
 */
export function receiverHealth(
  lastSeenAt: string | null,
  lastState: Readonly<Record<string, unknown>> | null,
  nowMs: number,
  intervalS: number = HEARTBEAT_INTERVAL_S,
): ReceiverHealth {
  const state = lastState ?? {};
  return {
    online: lastSeenAt !== null && nowMs - Date.parse(lastSeenAt) <= 2 * intervalS * 1000,
    lastSeenAt,
    volume: numberOrNull(state.volume),
    signal: numberOrNull(state.signal),
    appVersion: typeof state.appVersion === 'string' ? state.appVersion : null,
    freeBytes: numberOrNull(state.freeBytes),
    uptimeS: numberOrNull(state.uptimeS),
    scheduleVersion: numberOrNull(state.scheduleVersion),
    pendingEvents: numberOrNull(state.pendingEvents),
  };
}

/** How long one heartbeat keeps a receiver online: two intervals, so one lost heartbeat is no outage. */
export const onlineWindowMs = (intervalS: number = HEARTBEAT_INTERVAL_S): number => 2 * intervalS * 1000;

/**
 * The heartbeats that show a receiver could have aired an occurrence: those from one online window
 * before its start to the end of its grace. A heartbeat in there means the box was online (by the same
 * rule as the receiver list) at some moment between the start and the time its report was due; a box
 * with none was offline all that time. Both ends are included.
 * @example presenceWindow({ startsAt: '2026-11-27T02:00:00.000Z', durationMs: 60_000 }, 600_000)
 * // → { from: '2026-11-27T01:58:00.000Z', to: '2026-11-27T02:11:00.000Z' }
 */
export function presenceWindow(
  occurrence: { readonly startsAt: string; readonly durationMs: number },
  graceMs: number,
  intervalS: number = HEARTBEAT_INTERVAL_S,
): { readonly from: string; readonly to: string } {
  const start = Date.parse(occurrence.startsAt);
  return {
    from: new Date(start - onlineWindowMs(intervalS)).toISOString(),
    to: new Date(start + occurrence.durationMs + graceMs).toISOString(),
  };
}

/** A stretch of a receiver's day, online or not. */
export interface OnlineSpan {
  readonly from: string;
  readonly to: string;
  readonly online: boolean;
}

/**
 * A receiver's online and offline stretches in [from, to), from its heartbeat times: each heartbeat
 * keeps it online for one online window. Pass the heartbeats from one window before `from`, so that a
 * day starts online when the box was online at midnight.
 * @example onlineSpans(['2026-11-27T02:00:00.000Z'], '2026-11-27T01:00:00.000Z', '2026-11-27T03:00:00.000Z')
 * // → [{ 01:00–02:00 offline }, { 02:00–02:02 online }, { 02:02–03:00 offline }]
 */
export function onlineSpans(
  heartbeats: readonly string[],
  from: string,
  to: string,
  intervalS: number = HEARTBEAT_INTERVAL_S,
): readonly OnlineSpan[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (!(end > start)) return [];
  const window = onlineWindowMs(intervalS);
  const times = heartbeats.map((t) => Date.parse(t)).sort((a, b) => a - b);
  const online: [number, number][] = [];
  for (const t of times) {
    const a = Math.max(t, start);
    const b = Math.min(t + window, end);
    if (b <= a) continue;
    const lastSpan = online.at(-1);
    if (lastSpan && a <= lastSpan[1]) lastSpan[1] = Math.max(lastSpan[1], b);
    else online.push([a, b]);
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  const spans: OnlineSpan[] = [];
  let cursor = start;
  for (const [a, b] of online) {
    if (a > cursor) spans.push({ from: iso(cursor), to: iso(a), online: false });
    spans.push({ from: iso(a), to: iso(b), online: true });
    cursor = b;
  }
  if (cursor < end) spans.push({ from: iso(cursor), to: iso(end), online: false });
  return spans;
}

/**
 * The numbers of `presenceWindow` as the database applies them to every pair at once: heartbeats from
 * one online window before the start to the grace after the end.
 */
export const presenceRule = (
  graceMs: number,
  intervalS: number = HEARTBEAT_INTERVAL_S,
): { readonly beforeMs: number; readonly graceMs: number } => ({
  beforeMs: onlineWindowMs(intervalS),
  graceMs,
});
