import { z } from 'zod';
import type { OccurrenceStatus } from '../broadcast.js';
import { humanText, idText } from '../input.js';
import type { LogEventType } from './protocol.js';

/** A loudspeaker cluster's controller box (cụm loa) as people manage it. */
export interface Receiver {
  readonly id: string;
  readonly hamletId: string;
  readonly name: string;
  readonly disabledAt: string | null;
  readonly isExample: boolean;
  readonly lastSeenAt: string | null;
  /** Its latest heartbeat, as sent. */
  readonly lastState: Readonly<Record<string, unknown>> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A row of the example commune that no box has ever answered for: seeded with a secret nobody knows,
 * it stays one until a token rotated onto a real box brings its first heartbeat.
 *
 * @example isPlaceholderBox({ isExample: true, lastSeenAt: null }) // true
 */
export const isPlaceholderBox = (r: Pick<Receiver, 'isExample' | 'lastSeenAt'>): boolean =>
  r.isExample && r.lastSeenAt === null;

export const ReceiverInputSchema = z.strictObject({ hamletId: idText, name: humanText(200) });
export type ReceiverInput = z.output<typeof ReceiverInputSchema>;

export const ReceiverPatchSchema = z.strictObject({
  name: humanText(200).optional(),
  hamletId: idText.optional(),
  disabled: z.boolean().optional(),
});
export type ReceiverPatch = z.output<typeof ReceiverPatchSchema>;

/** An enabled receiver with what every protocol call needs from its hamlet. */
export interface ReceiverSession {
  readonly id: string;
  /** The digest it was found by. */
  readonly tokenHash: string;
  readonly hamletId: string;
  readonly scheduleVersion: number;
  /** The hamlet's language order as stored (JSON): parsed only when a manifest is rendered. */
  readonly languagesJson: string;
}

/** An occurrence with what checking a playback report against it needs. */
export interface OccurrenceForLogs {
  readonly id: string;
  readonly hamletId: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly status: OccurrenceStatus;
}

export interface NewPlaybackEvent {
  readonly id: string;
  readonly receiverId: string;
  readonly eventId: string;
  readonly occurrenceId: string;
  readonly type: LogEventType;
  readonly at: string;
  readonly detail: string | null;
  /** The audio the box played, on `started` events of agents that send it. */
  readonly sha256: string | null;
  readonly receivedAt: string;
}

/** What one receiver reported about one occurrence (PlaybackEvent, as the reports read it). */
export interface PlaybackReport {
  readonly occurrenceId: string;
  readonly receiverId: string;
  readonly type: LogEventType;
  readonly at: string;
  readonly detail: string | null;
  readonly sha256: string | null;
}

export interface HeartbeatRecord {
  readonly id: string;
  readonly receiverId: string;
  readonly at: string;
  readonly volume: number;
  readonly uptimeS: number;
  readonly freeBytes: number;
  readonly signal: number | null;
  readonly appVersion: string;
  /** Everything the box sent, kept as its latest state. */
  readonly state: Readonly<Record<string, unknown>>;
}
