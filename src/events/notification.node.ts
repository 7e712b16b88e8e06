/**
 * What travels between instances in a PostgreSQL notification: one event in an envelope naming its sender,
 * as JSON of at most `NOTIFY_MAX_BYTES`, checked against the events' schema when it arrives.
 */
import { z } from 'zod';
import type { LoaEvent } from '../domain/ports/events.js';
import { ALARM_KINDS } from '../domain/receiver/alarm.js';
import { CommandMessageSchema } from '../domain/receiver/command.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (`NOTIFY_PAYLOAD_MAX_LENGTH`). */
export const NOTIFY_MAX_BYTES = 7999;

const id = z.string().min(1).max(500);
/** A receiver named down to its province, so that an operations centre can be told without a lookup. */
const namedReceiver = {
  receiverId: id,
  receiverName: z.string().max(500),
  hamletId: id,
  hamletName: z.string().max(500),
  communeId: id,
  communeName: z.string().max(500),
  provinceId: id,
};
const EventSchema: z.ZodType<LoaEvent> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('schedule-changed'),
    versions: z.record(z.string().min(1), z.number().int().nonnegative()),
  }),
  z.object({ type: z.literal('emergency'), bookingId: id, dueBy: id }),
  z.object({ type: z.literal('stop'), hamletIds: z.array(id).min(1), occurrenceId: id.nullable() }),
  z.object({ type: z.literal('receiver-revoked'), receiverId: id }),
  z.object({
    type: z.literal('receiver-offline'),
    ...namedReceiver,
    lastSeenAt: id,
  }),
  z.object({
    type: z.literal('emergency-sent'),
    broadcastId: id,
    provinceId: id,
    communeId: id,
    hamletIds: z.array(id).max(1000),
    startsAt: id,
    title: z.string().max(1000),
    sentBy: z.string().max(500),
    sentAt: id,
  }),
  z.object({
    type: z.literal('receiver-command'),
    receiverId: id,
    hamletId: id,
    command: CommandMessageSchema,
  }),
  z.object({
    type: z.literal('receiver-alarm'),
    state: z.enum(['raised', 'cleared']),
    alarmId: id,
    kind: z.enum(ALARM_KINDS),
    detail: z.string().max(1000),
    startedAt: id,
    clearedAt: id.nullable(),
    ...namedReceiver,
  }),
  z.object({
    type: z.literal('bulletin-aired'),
    bulletinId: id,
    provinceId: id,
    communeId: id,
    communeName: z.string().max(500),
    title: z.string().max(1000),
    level: z.enum(['normal', 'priority', 'emergency']),
    receiverId: id,
    startedAt: id,
  }),
]);
const EnvelopeSchema = z.object({ from: id, event: EventSchema });

/** What travels in a notification: the publishing instance and one event. */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** A payload's size as PostgreSQL counts it: bytes of UTF-8. */
export const payloadBytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The NOTIFY payloads for one event: one, or, for a `schedule-changed` or a `stop` over many hamlets, as
 * many as it takes to stay under `maxBytes` each. A payload may still be over the limit when a single
 * entry is. An emergency names its booking, not its hamlets: it always fits in one.
 * @example encodeEvent('i-1', { type: 'stop', hamletIds: ['un-ta'], occurrenceId: null })
 * // → ['{"from":"i-1","event":{"type":"stop","hamletIds":["un-ta"],"occurrenceId":null}}']
 */
export function encodeEvent(from: string, event: LoaEvent, maxBytes: number = NOTIFY_MAX_BYTES): string[] {
  const whole = JSON.stringify({ from, event });
  if (payloadBytes(whole) <= maxBytes) return [whole];
  if (event.type === 'schedule-changed')
    return inChunks(
      JSON.stringify({ from, event: { ...event, versions: {} } }),
      '"versions":{}',
      Object.entries(event.versions).map(([hamletId, version]) => `${JSON.stringify(hamletId)}:${version}`),
      maxBytes,
    );
  if (event.type === 'stop')
    return inChunks(
      JSON.stringify({ from, event: { ...event, hamletIds: [] } }),
      '"hamletIds":[]',
      event.hamletIds.map((hamletId) => JSON.stringify(hamletId)),
      maxBytes,
    );
  return [whole];
}

/**
 * Spreads the JSON `pieces` of one list or object of an event over payloads of at most `maxBytes`:
 * `empty` is the event's JSON with it empty (`hole`, its key and brackets), and each payload puts a run of
 * the pieces joined by `,` between the brackets, as JSON.stringify writes them. Built as text: the country's
 * 30,000 schedule versions are split in a few milliseconds.
 */
function inChunks(empty: string, hole: string, pieces: readonly string[], maxBytes: number): string[] {
  const at = empty.indexOf(hole) + hole.length - 1;
  const [head, tail] = [empty.slice(0, at), empty.slice(at)];
  const emptySize = payloadBytes(empty);
  const payloads: string[] = [];
  let start = 0;
  let size = emptySize;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    // Hamlet ids are ASCII but for rare exceptions: their length is their size in bytes.
    const pieceSize = /^[\x20-\x7e]*$/.test(piece) ? piece.length : payloadBytes(piece);
    if (i > start && size + 1 + pieceSize > maxBytes) {
      payloads.push(head + pieces.slice(start, i).join(',') + tail);
      start = i;
      size = emptySize;
    }
    size += (i > start ? 1 : 0) + pieceSize;
  }
  if (pieces.length > start) payloads.push(head + pieces.slice(start).join(',') + tail);
  return payloads;
}

/** The envelope in a notification's payload, or undefined when it is not one of ours. */
export function decodeNotification(payload: string | undefined): Envelope | undefined {
  if (!payload) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const parsed = EnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
