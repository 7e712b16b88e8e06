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
