import { z } from 'zod';
import { idText } from './input.js';
import { ZONED_TIME } from './schedule/time-zone.js';
import { PRIORITIES, type Priority } from './schedule/types.js';

/**
 * An occurrence's life: scheduled, then played | failed | missed by the receivers' reports, or cancelled;
 * `interrupted` (added last) when the boxes that reported were all told to stop it, an emergency over it.
 */
export const OCCURRENCE_STATUSES = [
  'scheduled',
  'played',
  'failed',
  'missed',
  'cancelled',
  'interrupted',
] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

const instant = z
  .string()
  .regex(ZONED_TIME, 'must be an ISO 8601 time with an offset, e.g. "2026-12-01T06:00:00+07:00"');

const RelaySchema = z.strictObject({
  url: z.string().min(1).max(2000),
  durationS: z
    .number()
    .int()
    .min(1)
    .max(4 * 3600),
});

/**
 * When a broadcast airs, as asked and as stored with it: an exact time (an emergency may add how it
 * repeats), a standing slot on a local date, or a recurrence. The dispatcher reads the stored value back
 * through this same schema, so a series follows the same rules after the first week as in it.
 */
export const BroadcastWhenSchema = z.strictObject({
  at: instant.optional(),
  slot: z
    .strictObject({
      name: z.string().min(1).max(48),
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD'),
    })
    .optional(),
  /**
   * A series: a cron expression on the commune's wall clock, or a standing slot on some weekdays
   * (`{slot: 'evening', weekdays: [6]}`, 0 = Sunday as in cron), packed into the slot like any slot item.
   */
  recurrence: z
    .strictObject({
      cron: z.string().min(1).max(200).optional(),
      slot: z.string().min(1).max(48).optional(),
      weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).readonly().optional(),
      from: instant,
      until: instant.optional(),
      count: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  /** Emergency only: N times M minutes apart, or every H hours on the hour until cancelled. */
  repeat: z
    .union([
      z.strictObject({
        count: z.number().int().min(1).max(20),
        intervalMin: z.number().int().min(1).max(240),
      }),
      z.strictObject({ everyHours: z.number().int().min(1).max(24) }),
    ])
    .optional(),
});
export type BroadcastWhen = z.infer<typeof BroadcastWhenSchema>;

/**
 * One airing of a series left out (bỏ một buổi): the series' own start for it (a cron run, a slot's
 * opening) on one hamlet. Stored with the broadcast, so the materialiser never creates it.
 */
export interface Skip {
  readonly hamletId: string;
  readonly at: string;
}

/** `POST /api/v1/broadcasts/{id}/skips`: one airing of a series, by its start, on some or all of its hamlets. */
export const SkipRequestSchema = z.strictObject({
  at: instant,
  hamletIds: z.array(idText).min(1).max(500).readonly().optional(),
});
export type SkipRequest = z.output<typeof SkipRequestSchema>;

/** What `POST /api/v1/broadcasts` and the schedule page ask for (lịch phát). */
export const BroadcastRequestSchema = BroadcastWhenSchema.extend({
  announcementId: idText.optional(),
  /** Relay of national or provincial radio: http(s) stream URL and duration. */
  relay: RelaySchema.optional(),
  hamletIds: z.union([z.literal('all'), z.array(idText).max(500).readonly()]),
  priority: z.enum(PRIORITIES).default('normal'),
});
export type BroadcastRequest = z.output<typeof BroadcastRequestSchema>;

/** A broadcast as stored: content × target hamlets × when, with how far its occurrences exist. */
export interface Broadcast {
  readonly id: string;
  readonly communeId: string;
  readonly announcementId: string | null;
  readonly relay: { readonly url: string; readonly durationS: number } | null;
  readonly hamletIds: readonly string[];
  readonly schedule: BroadcastWhen;
  readonly priority: Priority;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly cancelledAt: string | null;
  /** Occurrences exist up to here; the dispatcher extends it with the rolling horizon. Null: all exist. */
  readonly materialisedUntil: string | null;
  /** A series' first start beyond `materialisedUntil`; null when it has none left (or is no series). */
  readonly nextStartAt: string | null;
  /** Airings of the series cancelled one by one before they were materialised. */
  readonly skips: readonly Skip[];
  /** Audio played before the content on every airing (a disaster bulletin's header); null for none. */
  readonly leadIn: LeadIn | null;
}

/** A short part a receiver plays before the content of an airing, and how long it is. */
export interface LeadIn {
  readonly sha256: string;
  readonly durationMs: number;
}

/** One airing of a broadcast in one hamlet (lượt phát), with what people and the rules need to name it. */
export interface Occurrence {
  readonly id: string;
  readonly broadcastId: string;
  readonly hamletId: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly priority: Priority;
  readonly slotName: string | null;
  readonly status: OccurrenceStatus;
  readonly createdAt: string;
  /** When its broadcast was made: in a slot, what was booked first plays first. */
  readonly bookedAt: string;
  /** The announcement's title, or "Tiếp sóng <url>" for a relay. */
  readonly title: string;
}

/** An occurrence to store. */
export type NewOccurrence = Omit<Occurrence, 'status' | 'createdAt' | 'bookedAt' | 'title'>;

/**
 * Where and when an announcement airs, and whether it played: one occurrence as its author reads it on
 * her announcement's page (`announcements.airings`).
 */
export interface Airing {
  readonly occurrenceId: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly slotName: string | null;
  readonly priority: Priority;
  readonly status: OccurrenceStatus;
}

/**
 * Whether an airing is still to come: scheduled and not started. These are what a rejection or a
 * withdrawal cancels.
 */
export const stillToCome = (o: Pick<Airing, 'status' | 'startsAt'>, now: number): boolean =>
  o.status === 'scheduled' && Date.parse(o.startsAt) > now;
