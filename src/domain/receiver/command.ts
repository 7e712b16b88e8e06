import { z } from 'zod';
import { utcToLocal } from '../schedule/time-zone.js';

/**
 * Remote control of the boxes (điều khiển từ xa): what an officer asks one receiver to do, how it travels
 * (a `command` push and the heartbeat answer for boxes that only poll), and how the box answers.
 */

export const COMMAND_KINDS = [
  'volume',
  'mute',
  'unmute',
  'hours',
  'refresh',
  'restart',
  'test_tone',
] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/**
 * pending: issued, not yet handed to the box; delivered: pushed or returned in a heartbeat answer;
 * acknowledged / failed: the box said it did it or could not; timed_out: no answer by `expiresAt`;
 * superseded: a newer command set the same thing before this one was answered (see `SETTINGS_OF`);
 * cancelled: the receiver was disabled, or given a new token, before it answered.
 */
export const COMMAND_STATES = [
  'pending',
  'delivered',
  'acknowledged',
  'failed',
  'timed_out',
  'superseded',
  'cancelled',
] as const;
export type CommandState = (typeof COMMAND_STATES)[number];
export const OPEN_COMMAND_STATES = ['pending', 'delivered'] as const satisfies readonly CommandState[];

/**
 * Why the server closed a command the box had not answered, as stored in its `result` (the API's words);
 * pages say each in their own language.
 */
export const CLOSE_REASONS = {
  timed_out: 'no answer from the receiver before the deadline',
  superseded: 'a newer command set the same thing',
  receiver_disabled: 'the receiver was disabled before it answered',
  // A new token is how a dead box is replaced: a restart queued for the old one must not hit the new one.
  token_replaced: 'the receiver got a new token before it answered (a replaced box)',
} as const;
export type CloseReason = keyof typeof CLOSE_REASONS;

/**
 * The reason the server closed `c` with, or null when its result is the box's own words or empty.
 * @example closeReasonOf({ state: 'timed_out', result: CLOSE_REASONS.timed_out }) // → 'timed_out'
 */
export function closeReasonOf(c: Pick<ReceiverCommand, 'state' | 'result'>): CloseReason | null {
  if (c.state === 'acknowledged' || c.state === 'failed') return null;
  const found = Object.entries(CLOSE_REASONS).find(([, text]) => text === c.result);
  return found ? (found[0] as CloseReason) : null;
}

/**
 * The setting a command sets, for those that set one: the newest command of a setting is the box's, so
 * an older one still open (a box offline, then back) is never carried out after it.
 */
export const SETTINGS_OF: Readonly<Partial<Record<CommandKind, readonly CommandKind[]>>> = {
  volume: ['volume'],
  mute: ['mute', 'unmute'],
  unmute: ['mute', 'unmute'],
  hours: ['hours'],
};

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM, e.g. 05:30');

/** Daily on/off hours: the box plays only from `on` to `off` (local time of `timeZone`), emergencies always. */
export const OnHoursSchema = z.strictObject({
  on: localTime,
  off: localTime,
  /** Filled in by the server from the commune: a box has no idea of its commune's zone. */
  timeZone: z.string().min(1).max(64),
});
export type OnHours = z.infer<typeof OnHoursSchema>;

/** What an officer sends; `hours: null` lifts the daily hours. */
export const CommandInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('volume'), volume: z.number().int().min(0).max(100) }),
  z.strictObject({ kind: z.literal('mute') }),
  z.strictObject({ kind: z.literal('unmute') }),
  z.strictObject({
    kind: z.literal('hours'),
    hours: z.strictObject({ on: localTime, off: localTime }).nullable(),
  }),
  z.strictObject({ kind: z.literal('refresh') }),
  z.strictObject({ kind: z.literal('restart') }),
  z.strictObject({ kind: z.literal('test_tone') }),
]);
export type CommandInput = z.infer<typeof CommandInputSchema>;

/** The arguments as the box reads them. */
export const CommandArgsSchema = z.strictObject({
  volume: z.number().int().min(0).max(100).optional(),
  hours: OnHoursSchema.nullable().optional(),
});
export type CommandArgs = z.infer<typeof CommandArgsSchema>;

/** A command as stored and listed. */
export interface ReceiverCommand {
  readonly id: string;
  readonly receiverId: string;
  readonly hamletId: string;
  readonly kind: CommandKind;
  readonly args: CommandArgs;
  readonly issuedBy: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly state: CommandState;
  readonly deliveredAt: string | null;
  readonly answeredAt: string | null;
  /** The box's words (test tone: what the player said), or why it timed out. */
  readonly result: string | null;
}

/** How long a box has to answer: a restart or a test tone takes longer than a volume change. */
export const COMMAND_TTL_MS: Readonly<Record<CommandKind, number>> = {
  volume: 5 * 60_000,
  mute: 5 * 60_000,
  unmute: 5 * 60_000,
  hours: 5 * 60_000,
  refresh: 5 * 60_000,
  restart: 10 * 60_000,
  test_tone: 10 * 60_000,
};

/** A command on the wire: the `command` push event and the items of `commands` in a heartbeat answer. */
export const CommandMessageSchema = z.object({
  id: z.string().min(1).max(100),
  kind: z.enum(COMMAND_KINDS),
  args: CommandArgsSchema,
  expiresAt: z.string(),
});
export type CommandMessage = z.infer<typeof CommandMessageSchema>;

export const toCommandMessage = (c: ReceiverCommand): CommandMessage => ({
  id: c.id,
  kind: c.kind,
  args: c.args,
  expiresAt: c.expiresAt,
});

/** The box's answer to `POST /api/v1/receiver/commands/{id}/ack`. */
export const CommandAckSchema = z.strictObject({
  ok: z.boolean(),
  result: z.string().max(500).nullable().optional(),
});
export type CommandAck = z.infer<typeof CommandAckSchema>;

export const CommandAckAnswerSchema = z.object({ id: z.string(), state: z.enum(COMMAND_STATES) });

/**
 * Whether instant `ms` is inside the daily on-hours. `on` after `off` spans midnight; equal times mean
 * all day.
 * @example withinOnHours(Date.parse('2026-11-27T15:00:00Z'), { on: '05:00', off: '21:30', timeZone: 'Asia/Ho_Chi_Minh' }) // → false (22:00)
 */
export function withinOnHours(ms: number, hours: OnHours | null | undefined): boolean {
  if (!hours || hours.on === hours.off) return true;
  const { time } = utcToLocal(ms, hours.timeZone);
  return hours.on < hours.off ? time >= hours.on && time < hours.off : time >= hours.on || time < hours.off;
}
