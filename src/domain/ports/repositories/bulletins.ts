import type {
  Bulletin,
  BulletinDelivery,
  BulletinLevel,
  BulletinPlace,
  DeliveryDecision,
  ReceiverProof,
} from '../../bulletin.js';
import type {
  BulletinAiring,
  BulletinEnd,
  DisasterBulletin,
  DisasterEvent,
  DisasterEventStatus,
} from '../../disaster.js';

/** A commune's copy of a bulletin's content, made when the bulletin is sent. */
export interface BulletinCopy {
  readonly communeId: string;
  readonly announcementId: string;
  /** New ids of the copied versions, in the source's version order. */
  readonly variantIds: readonly string[];
}

/** A bulletin as a commune reads it in its inbox: the bulletin and its own delivery. */
export interface InboxItem {
  readonly bulletin: Bulletin;
  readonly delivery: BulletinDelivery;
}

export interface BulletinsRepository {
  insertBulletin(b: Omit<Bulletin, 'sentAt'>): Promise<void>;
  findBulletin(id: string): Promise<Bulletin | undefined>;
  /** The bulletin whose content (the province's own announcement) this is, if any. */
  findBulletinOfAnnouncement(announcementId: string): Promise<Bulletin | undefined>;
  /** The province's bulletins, newest first (keyset on created_at, id). */
  listBulletins(provinceId: string, limit: number): Promise<readonly Bulletin[]>;
  /** Marks it sent unless it already was: false when another request sent it first. */
  markSent(id: string, now: string): Promise<boolean>;
  /**
   * Copies the source announcement (approved, ready, its versions pointing to the same audio) into each
   * commune and writes one delivery row per commune, in batches; `placementDue` marks each delivery due
   * for the province's placement from `now`.
   */
  insertCopiesAndDeliveries(
    bulletin: Pick<Bulletin, 'id' | 'announcementId' | 'title'>,
    copies: readonly BulletinCopy[],
    decision: DeliveryDecision,
    by: string,
    now: string,
    placementDue: boolean,
  ): Promise<void>;
  listDeliveries(bulletinId: string): Promise<readonly BulletinDelivery[]>;
  findDelivery(bulletinId: string, communeId: string): Promise<BulletinDelivery | undefined>;
  /** A commune's inbox, newest first. */
  listInbox(communeId: string, limit: number): Promise<readonly InboxItem[]>;
  /**
   * Moves a delivery from `from` to a decision (the commune's answer, which leaves nothing due for the
   * province to place); false when it is not (any longer) in `from`, so two requests answering the same
   * delivery at once have one winner.
   */
  decide(
    bulletinId: string,
    communeId: string,
    from: DeliveryDecision,
    to: {
      readonly decision: DeliveryDecision;
      readonly reason: string | null;
      readonly by: string;
      readonly now: string;
    },
  ): Promise<boolean>;
  /** The delivery whose commune copy is this announcement, if it is one. */
  findDeliveryOfCopy(announcementId: string): Promise<BulletinDelivery | undefined>;
  /**
   * Puts a scheduled delivery back in the commune's inbox, unanswered (no broadcasts, no first airing,
   * no decider, no slot place): false when it was not scheduled.
   */
  reopen(bulletinId: string, communeId: string, now: string): Promise<boolean>;
  /**
   * Marks these communes' received deliveries of one bulletin that are due for placement scheduled by `by`
   * (the province placing it), before it books them, and no longer due: the communes it claimed, without
   * those that answered first or that another placement claimed or settled.
   */
  claimReceived(
    bulletinId: string,
    communeIds: readonly string[],
    by: string,
    now: string,
  ): Promise<readonly string[]>;
  /**
   * The sent bulletins' deliveries of a province, by bulletin id then commune id, after the given pair:
   * the export's pages (each delivery with its bulletin).
   */
  listExportDeliveries(
    provinceId: string,
    after: { readonly bulletinId: string; readonly communeId: string } | null,
    limit: number,
  ): Promise<readonly InboxItem[]>;
  /** The deliveries of the province's bulletins sent in [from, to), by sending time then commune. */
  listSentBetween(provinceId: string, from: string, to: string): Promise<readonly InboxItem[]>;
  /** Which of these occurrences air a commune's copy of a province bulletin, with what names it. */
  findBulletinAirings(occurrenceIds: readonly string[]): Promise<
    readonly {
      readonly occurrenceId: string;
      readonly bulletinId: string;
      readonly provinceId: string;
      readonly communeId: string;
      readonly communeName: string;
      readonly title: string;
      readonly level: BulletinLevel;
    }[]
  >;
  /** Every enabled receiver of the bulletin's communes with what it reported of the commune's copy. */
  listReceiverProof(bulletinId: string): Promise<readonly ReceiverProof[]>;
  /**
   * Records where the commune put a priority bulletin in its slots, and the instant its broadcasts are
   * ordered by there from now on (the slot plays one priority in booking order).
   */
  setSlotPlace(
    bulletinId: string,
    communeId: string,
    place: BulletinPlace,
    broadcastIds: readonly string[],
    orderAt: string,
    now: string,
  ): Promise<void>;
  /**
   * Gives many communes' claimed deliveries of one bulletin each its one broadcast and first airing, in
   * one statement (an emergency booked everywhere at once).
   */
  placeAll(
    bulletinId: string,
    rows: readonly {
      readonly communeId: string;
      readonly broadcastId: string;
      readonly firstAiringAt: string | null;
    }[],
    by: string,
    now: string,
  ): Promise<void>;
  /**
   * A received delivery whose placement a rule refused is no longer due (the commune books it from its
   * inbox): false when it was not due any more, so that of two placements refused at once one records it.
   */
  settlePlacement(bulletinId: string, communeId: string, now: string): Promise<boolean>;
  /**
   * Sent bulletins with a delivery (of a commune not deleted) due for placement since a time in
   * [from, to], the most recently sent first (an emergency just left unbooked matters most), at most
   * `limit`.
   */
  listPlacementDue(from: string, to: string, limit: number): Promise<readonly Bulletin[]>;
  /** Adds booked broadcasts to a delivery (its first airing kept as the earliest). */
  addBroadcasts(
    bulletinId: string,
    communeId: string,
    broadcastIds: readonly string[],
    firstAiringAt: string | null,
    now: string,
  ): Promise<void>;
}

/** Disaster events (sự kiện thiên tai) and their bulletins. */
export interface DisasterRepository {
  /**
   * Writes an event; under a key another event of the commune already has, writes nothing and returns
   * false (a concurrent one with the key is waited for).
   */
  insertEvent(e: Omit<DisasterEvent, 'endedAt'>, idempotencyKey?: string): Promise<boolean>;
  /** The commune's event or bulletin made under this key, if any. */
  findEventByKey(communeId: string, idempotencyKey: string): Promise<DisasterEvent | undefined>;
  findBulletinByKey(communeId: string, idempotencyKey: string): Promise<DisasterBulletin | undefined>;
  /**
   * Holds the event until the unit of work ends (PostgreSQL: its row `for update`), so that two bulletins
   * of one event are numbered and replace each other one after the other. Taken before any hamlet lock.
   */
  lockEvent(id: string): Promise<void>;
  findEvent(id: string): Promise<DisasterEvent | undefined>;
  /** A commune's events, newest first (at most 200), of one status or all. */
  listEvents(communeId: string, status?: DisasterEventStatus): Promise<readonly DisasterEvent[]>;
  endEvent(id: string, by: string, now: string): Promise<void>;
  /** The number the next bulletin of an event takes (1 for the first). */
  nextSequence(eventId: string): Promise<number>;
  insertBulletin(
    b: Omit<DisasterBulletin, 'endedAt' | 'endReason' | 'title' | 'hamletIds'>,
    idempotencyKey?: string,
  ): Promise<void>;
  findBulletin(id: string): Promise<DisasterBulletin | undefined>;
  /** Bulletins of these events, newest first within each. */
  listBulletinsOfEvents(eventIds: readonly string[]): Promise<readonly DisasterBulletin[]>;
  /** Takes bulletins off the air for `reason`; those already off stay as they ended. */
  endBulletins(ids: readonly string[], reason: BulletinEnd, now: string): Promise<void>;
  /** Per bulletin and hamlet: the last airing a receiver reported played, and the next one to come. */
  listBulletinAirings(bulletinIds: readonly string[], now: string): Promise<readonly BulletinAiring[]>;
}
