/**
 * Alarms of the boxes (cảnh báo thiết bị): a receiver that went silent, runs out of storage or fails
 * to play is flagged from the moment it started until its cause is gone, and a technician is called
 * through the province's webhooks.
 */

export const ALARM_KINDS = ['missed_heartbeats', 'low_storage', 'playback_failing'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** What raises an alarm (`ALARM_MISSED_HEARTBEATS`, `ALARM_LOW_STORAGE_MB`). */
export interface AlarmRules {
  /** Heartbeat intervals without one before a box is flagged (default 3). */
  readonly missedHeartbeats: number;
  /** Free bytes below which a box's storage is low. */
  readonly lowStorageBytes: number;
  /** Consecutive failed playbacks that flag a box (the "fails playback twice"). */
  readonly playbackFailures: number;
}

export const DEFAULT_ALARM_RULES: AlarmRules = {
  missedHeartbeats: 3,
  lowStorageBytes: 100 * 1_048_576,
  playbackFailures: 2,
};

/** An alarm of one receiver, open while `clearedAt` is null. */
export interface ReceiverAlarm {
  readonly id: string;
  readonly receiverId: string;
  readonly kind: AlarmKind;
  readonly startedAt: string;
  readonly clearedAt: string | null;
  readonly detail: string;
}

/** A receiver with an alarm's cause now, as the dispatcher finds it. */
export interface AlarmCause {
  readonly receiverId: string;
  readonly kind: AlarmKind;
  /** When the cause began, as far as the data tells (the missed heartbeat's due time, …). */
  readonly since: string;
  readonly detail: string;
}

/** The receiver and where it stands, named for the operations centre. */
export interface AlarmSubject {
  readonly receiverId: string;
  readonly receiverName: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly provinceId: string;
}

/**
 * Which alarms to raise and which to clear: a cause with no open alarm of its kind is raised; an open
 * alarm whose cause is gone is cleared. Pure, so the rule is tested without a database.
 */
export function diffAlarms(
  open: readonly ReceiverAlarm[],
  causes: readonly AlarmCause[],
): { readonly raise: readonly AlarmCause[]; readonly clear: readonly ReceiverAlarm[] } {
  const key = (receiverId: string, kind: AlarmKind) => `${receiverId}\u0000${kind}`;
  const openKeys = new Set(open.map((a) => key(a.receiverId, a.kind)));
  const causeKeys = new Set(causes.map((c) => key(c.receiverId, c.kind)));
  return {
    raise: causes.filter((c) => !openKeys.has(key(c.receiverId, c.kind))),
    clear: open.filter((a) => !causeKeys.has(key(a.receiverId, a.kind))),
  };
}
