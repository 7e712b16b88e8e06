import { z } from 'zod';
import { PRIORITIES } from '../schedule/types.js';
import { CommandMessageSchema, type CommandMessage } from './command.js';

/**
 * The receiver protocol v1 (DESIGN.md "Receiver protocol") as zod schemas, shared by the server routes
 * and the agent so that both sides validate the same messages.
 */

export const LOG_EVENT_TYPES = ['started', 'completed', 'failed', 'skipped'] as const;
export type LogEventType = (typeof LOG_EVENT_TYPES)[number];

/**
 * The details of a `failed` event when the box was told to stop, not when it could not play: these do not
 * count towards a box's run of failed playbacks (its alarm).
 */
export const INTERRUPTION_DETAILS = {
  preempted: 'interrupted by an emergency broadcast',
  stopped: 'stopped: the commune cancelled this emergency',
  offAir: 'stopped: the commune took it off the air',
  shutdown: 'the receiver agent was stopped',
  muted: 'stopped: the commune muted this receiver',
} as const;

/** Largest log batch the server takes at once; the agent sends at most half of it. */
export const MAX_LOG_BATCH = 1000;

/**
 * How often the server writes a keep-alive comment on every push channel: a box that hears nothing for
 * longer than two of them takes the channel for dead.
 */
export const PUSH_KEEP_ALIVE_MS = 25_000;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 time, e.g. 2026-11-27T05:30:00.000Z',
});

export const ManifestItemSchema = z.object({
  occurrenceId: z.string(),
  /** Index within the occurrence: language variants of one announcement play back to back. */
  part: z.number().int().min(0),
  at: z.string(),
  durationMs: z.number().int().min(0),
  priority: z.enum(PRIORITIES),
  kind: z.enum(['audio', 'relay']),
  title: z.string(),
  language: z.string().nullable(),
  audio: z
    .object({ url: z.string(), sha256, bytes: z.number().int().min(0), format: z.enum(['mp3', 'opus']) })
    .nullable(),
  relay: z.object({ url: z.string() }).nullable(),
});
export type ManifestItem = z.infer<typeof ManifestItemSchema>;

export const ManifestSchema = z.object({
  receiverId: z.string(),
  hamletId: z.string(),
  version: z.number().int(),
  serverTime: z.string(),
  /** The manifest lists occurrences starting in [from, to). */
  from: z.string(),
  to: z.string(),
  items: z.array(ManifestItemSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const HeartbeatSchema = z.strictObject({
  /** Amplifier volume, percent. */
  volume: z.number().int().min(0).max(100),
  uptimeS: z
    .number()
    .int()
    .min(0)
    .max(20 * 365 * 86_400),
  freeBytes: z
    .number()
    .int()
    .min(0)
    .max(2 ** 50),
  /** Cellular signal in dBm (−150 … 0); null on a wired link. */
  signal: z.number().int().min(-150).max(0).nullable(),
  appVersion: z.string().regex(/^[\w.+-]{1,64}$/, 'must be a version such as 1.2.0'),
  /** The schedule version the box plays from, to spot boxes that stopped syncing. */
  scheduleVersion: z.number().int().min(0).optional(),
  /** Log events waiting in the box's queue. */
  pendingEvents: z.number().int().min(0).max(10_000_000).optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const HeartbeatAnswerSchema = z.object({
  serverTime: z.string(),
  scheduleVersion: z.number().int(),
  /** Commands waiting for this box, oldest first: how a box without a push channel gets them. */
  commands: z.array(CommandMessageSchema).optional(),
});

export const LogEventSchema = z.strictObject({
  /** The receiver's own id for the event; the server keeps each (receiver, id) once. */
  id: z.string().regex(/^[\w.:-]{1,100}$/, 'must be 1–100 letters, digits or . _ : -'),
  occurrenceId: z.string().min(1).max(100),
  type: z.enum(LOG_EVENT_TYPES),
  at: isoInstant,
  // 500 characters × 1,000 events stays under the 1 MB body limit.
  detail: z.string().max(500).nullable().optional(),
  /**
   * On `started`: the SHA-256 of the audio file the box checked and is playing, the proof of what aired.
   * Optional, so agents that do not send it keep working.
   */
  sha256: sha256.nullable().optional(),
});
export type LogEvent = z.infer<typeof LogEventSchema>;

export const LogBatchSchema = z.strictObject({
  events: z
    .array(LogEventSchema)
    .min(1, 'send at least one event')
    .max(MAX_LOG_BATCH, `send at most ${MAX_LOG_BATCH} events per batch; split larger queues`),
});

export const LogAnswerSchema = z.object({ accepted: z.number().int(), duplicates: z.number().int() });

/** Why the server refused an event of a batch; a refused batch stores nothing. */
export const REJECTION_REASONS = [
  'unknown_occurrence',
  'other_hamlet',
  'duplicate_in_batch',
  'in_future',
  'too_old',
  'before_start',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
export interface RejectedEvent {
  readonly id: string;
  readonly occurrenceId: string;
  readonly reason: RejectionReason;
}

/** Messages pushed over `GET /api/v1/receiver/events`. */
export type PushMessage =
  | { readonly type: 'schedule'; readonly version: number }
  | { readonly type: 'play'; readonly occurrenceId: string; readonly items: readonly ManifestItem[] }
  | { readonly type: 'stop'; readonly occurrenceId: string | null }
  | ({ readonly type: 'command' } & CommandMessage);

export const PlayMessageSchema = z.object({
  occurrenceId: z.string(),
  items: z.array(ManifestItemSchema).min(1),
});
export const ScheduleMessageSchema = z.object({ version: z.number().int() });
export const StopMessageSchema = z.object({ occurrenceId: z.string().nullable() });
