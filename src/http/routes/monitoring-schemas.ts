import { z } from '@hono/zod-openapi';
import { OCCURRENCE_STATUSES } from '../../domain/broadcast.js';
import { RECEIVER_PLAYBACK_STATUSES } from '../../domain/receiver/playback.js';
import { INTERRUPTION_DETAILS } from '../../domain/receiver/protocol.js';
import { PRIORITIES } from '../../domain/schedule/index.js';
import type { PlaybackView } from '../../services/monitoring.service.js';

/** The answers of the monitoring routes, as OpenAPI schemas. */

export const when = z.string().max(40).optional().openapi({
  description:
    'ISO 8601 time with its offset (…Z or …+07:00), or a date YYYY-MM-DD meaning midnight in the commune',
});

export const OccurrenceStatus = z.enum(OCCURRENCE_STATUSES);

const INTERRUPTION_KEYS = Object.keys(INTERRUPTION_DETAILS) as [keyof typeof INTERRUPTION_DETAILS];

export const ReceiverPlaybackSchema = z
  .object({
    receiverId: z.string(),
    name: z.string(),
    status: z.enum(RECEIVER_PLAYBACK_STATUSES).openapi({
      description:
        '`interrupted`: the box stopped because it was told to (see `interruption`), which is no failure; `failed` is a failure of its own',
    }),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    detail: z
      .string()
      .nullable()
      .openapi({ description: "the failure's or skip's detail, as the box wrote it" }),
    interruption: z.enum(INTERRUPTION_KEYS).nullable().openapi({
      description:
        'when `interrupted`, why the box was told to stop: `preempted` (an emergency over it), `stopped` (the emergency was cancelled), `offAir` (withdrawn or taken off the air), `shutdown` (its agent stopped), `muted`',
    }),
    sha256s: z.array(z.string()).openapi({
      description: 'SHA-256 of each audio part the receiver reported starting, in play order',
    }),
  })
  .openapi('ReceiverPlayback');

export const PlaybackItem = z
  .object({
    id: z.string(),
    broadcastId: z.string(),
    hamletId: z.string(),
    startsAt: z.string(),
    durationMs: z.number().int(),
    priority: z.enum(PRIORITIES),
    slotName: z.string().nullable(),
    status: OccurrenceStatus,
    title: z.string(),
    receivers: z.array(ReceiverPlaybackSchema),
  })
  .openapi('PlaybackOccurrence');

/** An occurrence as the routes answer it: the fields of `PlaybackItem`, nothing more. */
export const playbackDto = (o: PlaybackView) => ({
  id: o.id,
  broadcastId: o.broadcastId,
  hamletId: o.hamletId,
  startsAt: o.startsAt,
  durationMs: o.durationMs,
  priority: o.priority,
  slotName: o.slotName,
  status: o.status,
  title: o.title,
  receivers: o.receivers.map((r) => ({ ...r, sha256s: [...r.sha256s] })),
});

const airings = {
  expected: z
    .number()
    .int()
    .openapi({ description: 'airings whose outcome is known: played + failed + missed + offline' }),
  played: z.number().int(),
  failed: z.number().int().openapi({ description: 'the box could not play it (interrupted ones left out)' }),
  missed: z.number().int(),
  offline: z.number().int(),
  interrupted: z.number().int().openapi({
    description:
      'the box cut it short because it was told to (an emergency over it, the item taken off the air, the box stopped or muted, its agent stopped): not failed, and not in `expected`',
  }),
  rate: z.number().nullable().openapi({ description: 'played / expected' }),
};

export const CoverageSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    hamlets: z.array(
      z.object({
        hamletId: z.string(),
        hamletName: z.string(),
        scheduled: z.number().int().openapi({ description: 'occurrences, cancelled ones left out' }),
        ...airings,
      }),
    ),
    receivers: z.array(
      z.object({ receiverId: z.string(), name: z.string(), hamletId: z.string(), ...airings }),
    ),
  })
  .openapi('Coverage');

export const BroadcastPlaybackSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    priority: z.enum(PRIORITIES),
    hamletIds: z.array(z.string()),
    createdAt: z.string(),
    cancelledAt: z.string().nullable(),
    occurrences: z.array(PlaybackItem),
    truncated: z.boolean().openapi({ description: 'true when only the latest 200 occurrences are listed' }),
  })
  .openapi('BroadcastPlayback');

export const ReachSchema = z
  .object({
    broadcastId: z.string(),
    at: z.string().nullable(),
    receivers: z.number().int(),
    online: z.number().int(),
    started: z.number().int(),
    notStarted: z.array(ReceiverPlaybackSchema.extend({ hamletId: z.string(), onlineWhenSent: z.boolean() })),
  })
  .openapi('BroadcastReach');

export const TimelineSchema = z
  .object({
    receiver: z.object({ id: z.string(), name: z.string(), hamletId: z.string() }),
    date: z.string(),
    from: z.string(),
    to: z.string(),
    spans: z.array(z.object({ from: z.string(), to: z.string(), online: z.boolean() })),
    items: z.array(
      z.object({
        occurrence: PlaybackItem.omit({ receivers: true }),
        playback: ReceiverPlaybackSchema.omit({ receiverId: true, name: true }),
      }),
    ),
  })
  .openapi('ReceiverTimeline');
