import { z } from 'zod';
import { AnnouncementMetaSchema, TextAnnouncementSchema } from './announcement.js';
import { BroadcastWhenSchema } from './broadcast.js';
import { humanText, idText } from './input.js';
import { addDays, localToUtc, utcToLocal } from './schedule/time-zone.js';
import { PRIORITIES, type LocalDate, type Priority, type Slot } from './schedule/types.js';

/**
 * A bulletin's level (cấp độ bản tin, Thông tư 39/2020): the three levels of the grassroots radio rules.
 * `normal` lands in the commune's inbox and the commune decides; `priority` is placed into the commune's
 * next standing slot ahead of its own normal items; `emergency` plays at once everywhere targeted.
 */
export const BULLETIN_LEVELS = PRIORITIES;
export type BulletinLevel = Priority;

/** Vietnamese names of the levels as the circular writes them. */
export const BULLETIN_LEVEL_VI: Readonly<Record<BulletinLevel, string>> = {
  normal: 'Thường',
  priority: 'Ưu tiên',
  emergency: 'Khẩn cấp',
};

/**
 * What a commune did with a bulletin, as stored: it arrived (`received`), the commune booked it
 * (`scheduled`, also what priority and emergency bulletins are on arrival) or declined it with a reason.
 */
export const DELIVERY_DECISIONS = ['received', 'scheduled', 'declined'] as const;
export type DeliveryDecision = (typeof DELIVERY_DECISIONS)[number];

/**
 * A delivery's status as the province reads it: the stored decision, and what the receivers and the
 * clock add to it — `aired` once a box reported playing it, `no_answer` when a normal bulletin is still
 * only received after the deadline the province set.
 */
export const DELIVERY_STATUSES = ['received', 'scheduled', 'declined', 'aired', 'no_answer'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_STATUS_VI: Readonly<Record<DeliveryStatus, string>> = {
  received: 'Đã nhận',
  scheduled: 'Đã xếp lịch',
  declined: 'Từ chối',
  aired: 'Đã phát',
  no_answer: 'Quá hạn chưa trả lời',
};

/** A bulletin sent down by the province (bản tin của tỉnh). */
export interface Bulletin {
  readonly id: string;
  readonly provinceId: string;
  /** The province's own content, made by the announcement pipeline (kept out of the communes' lists). */
  readonly announcementId: string;
  readonly title: string;
  readonly level: BulletinLevel;
  /** Chosen communes, or null for the whole province (toàn tỉnh) as it was when sent. */
  readonly communeIds: readonly string[] | null;
  /** Normal level only: when the province expects each commune's answer. */
  readonly answerBy: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Null until it is sent (its audio is still being processed, or the province has not sent it yet). */
  readonly sentAt: string | null;
}

/** One commune's copy of a bulletin and what it did with it (tình trạng tiếp nhận). */
export interface BulletinDelivery {
  readonly bulletinId: string;
  readonly communeId: string;
  readonly communeName: string;
  /** The commune's own copy of the content: its language versions are added there. */
  readonly announcementId: string;
  readonly decision: DeliveryDecision;
  /** The broadcasts it was booked as (one per booking). */
  readonly broadcastIds: readonly string[];
  /** The first airing booked, for "scheduled (when)". */
  readonly firstAiringAt: string | null;
  readonly declineReason: string | null;
  /** Who decided, and when: the commune user for normal bulletins, the province officer otherwise. */
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  /** Priority bulletins: where the commune put it against its own priority items (null: as booked). */
  readonly slotPlace: BulletinPlace | null;
  /** Distinct receivers that reported starting one of its airings. */
  readonly airedReceivers: number;
  /**
   * Priority and emergency: sent, and not yet booked by the province, refused by a rule, nor answered by
   * the commune; what sending again and the dispatcher's sweep still place.
   */
  readonly placementDue: boolean;
  readonly createdAt: string;
}

/** The status a delivery shows: the receivers' proof first, then the deadline, then the decision. */
export function deliveryStatus(
  d: Pick<BulletinDelivery, 'decision' | 'airedReceivers'>,
  answerBy: string | null,
  now: number,
): DeliveryStatus {
  if (d.decision === 'declined') return 'declined';
  if (d.airedReceivers > 0) return 'aired';
  if (d.decision === 'received' && answerBy !== null && Date.parse(answerBy) < now) return 'no_answer';
  return d.decision;
}

const instant = BroadcastWhenSchema.shape.at.unwrap();

/** `POST /api/v1/province/bulletins`: the targets and level; the content comes as for an announcement. */
export const BulletinTargetSchema = z.strictObject({
  level: z.enum(BULLETIN_LEVELS),
  /** Commune ids, or "all" for every commune of the province. */
  communeIds: z.union([z.literal('all'), z.array(idText).min(1).max(5000).readonly()]),
  answerBy: instant.optional(),
});
export type BulletinTarget = z.output<typeof BulletinTargetSchema>;

/** A bulletin from a typed text (JSON): the announcement's fields and the targets. */
export const TextBulletinSchema = TextAnnouncementSchema.omit({ hamletId: true }).extend(
  BulletinTargetSchema.shape,
);

/**
 * A bulletin from a recording (multipart form fields beside the file): `communeIds` is "all" or ids
 * separated by commas.
 */
export const BulletinUploadFieldsSchema = AnnouncementMetaSchema.omit({ hamletId: true }).extend({
  level: BulletinTargetSchema.shape.level,
  communeIds: z
    .string()
    .max(100_000)
    .transform((v): 'all' | readonly string[] =>
      v.trim() === 'all'
        ? ('all' as const)
        : v
            .split(',')
            .map((id) => id.trim())
            .filter((id) => id.length > 0),
    )
    .pipe(BulletinTargetSchema.shape.communeIds),
  answerBy: BulletinTargetSchema.shape.answerBy,
});

/**
 * A commune's booking of a normal bulletin: any slot, time or series, in chosen hamlets, as for its own
 * announcements (the content is the bulletin's; the level stays normal).
 */
export const BulletinScheduleSchema = BroadcastWhenSchema.omit({ repeat: true }).extend({
  hamletIds: z.union([z.literal('all'), z.array(idText).max(500).readonly()]),
});
export type BulletinSchedule = z.output<typeof BulletinScheduleSchema>;

/**
 * A commune's refusal. The reason is required — the province reads it — and its absence is answered
 * with 422 by the use case (`declineReason`), like every rule a person breaks rather than a malformed body.
 */
export const BulletinDeclineSchema = z.strictObject({ reason: z.string().max(500).optional() });

/** The reason of a refusal, trimmed; null when there is none. */
export function declineReason(reason: string | undefined): string | null {
  const parsed = humanText(500).safeParse(reason ?? '');
  return parsed.success ? parsed.data : null;
}

/**
 * Where a priority bulletin plays in a slot against the commune's own priority items: first, or after
 * them (the circular leaves that order to the commune).
 */
export const BULLETIN_PLACES = ['first', 'after_commune_priority'] as const;
export type BulletinPlace = (typeof BULLETIN_PLACES)[number];
export const BulletinOrderSchema = z.strictObject({ place: z.enum(BULLETIN_PLACES) });

/**
 * The next standing slot that has not opened yet, where a priority bulletin is placed: the earliest
 * opening after `now` among the commune's slots today and tomorrow on its wall clock.
 * @example nextSlotOpening([{name: 'evening', start: '17:00', …}], 'Asia/Ho_Chi_Minh', Date.parse('2026-11-27T01:00Z'))
 * // → { name: 'evening', date: '2026-11-27', opensAt: Date.parse('2026-11-27T10:00Z') }
 */
export function nextSlotOpening(
  slots: readonly Slot[],
  timeZone: string,
  now: number,
): { readonly name: string; readonly date: LocalDate; readonly opensAt: number } | null {
  const today = utcToLocal(now, timeZone).date;
  let best: { name: string; date: LocalDate; opensAt: number } | null = null;
  for (const date of [today, addDays(today, 1), addDays(today, 2)]) {
    for (const slot of slots) {
      const opensAt = localToUtc(date, slot.start, timeZone);
      if (opensAt > now && (best === null || opensAt < best.opensAt))
        best = { name: slot.name, date, opensAt };
    }
  }
  return best;
}

/** A bulletin in the province's roll-up: sent in the range, with each target commune's status. */
export interface RollupBulletin {
  readonly bulletinId: string;
  readonly title: string;
  readonly level: BulletinLevel;
  readonly sentAt: string;
  readonly communes: readonly {
    readonly communeId: string;
    readonly status: DeliveryStatus;
    readonly airedReceivers: number;
  }[];
}

/**
 * Deliveries with their bulletin, grouped per bulletin for the roll-up, in the order given, with the
 * status each commune shows at `now`.
 */
export function rollupBulletins(
  items: readonly { readonly bulletin: Bulletin; readonly delivery: BulletinDelivery }[],
  now: number,
): readonly RollupBulletin[] {
  const out = new Map<string, RollupBulletin & { communes: RollupBulletin['communes'][number][] }>();
  for (const { bulletin, delivery } of items) {
    let entry = out.get(bulletin.id);
    if (!entry) {
      entry = {
        bulletinId: bulletin.id,
        title: bulletin.title,
        level: bulletin.level,
        sentAt: bulletin.sentAt ?? '',
        communes: [],
      };
      out.set(bulletin.id, entry);
    }
    entry.communes.push({
      communeId: delivery.communeId,
      status: deliveryStatus(delivery, bulletin.answerBy, now),
      airedReceivers: delivery.airedReceivers,
    });
  }
  return [...out.values()];
}

/** Per receiver, what it reported of a bulletin's airings in its commune (the emergency's proof). */
export interface ReceiverProof {
  readonly communeId: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly receiverId: string;
  readonly receiverName: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly failedAt: string | null;
}
