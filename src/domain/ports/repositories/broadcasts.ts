import type { Airing, Broadcast, NewOccurrence, Occurrence, Skip } from '../../broadcast.js';
import type { Page, PageRequest } from '../../page.js';
import type { HamletScope } from './places.js';

/** A recurring broadcast the dispatcher extends, with the air time of its content per language. */
export interface SeriesToExtend extends Broadcast {
  /** The announcement's title; null for a relay. */
  readonly title: string | null;
  /** The ready variants' durations, or null for a relay. */
  readonly variantDurations: readonly { readonly language: string; readonly durationMs: number }[] | null;
}

/** A broadcast as it is first written: not cancelled, nothing skipped, a lead-in only where one plays. */
export type NewBroadcast = Omit<Broadcast, 'cancelledAt' | 'skips' | 'leadIn'> & {
  readonly leadIn?: Broadcast['leadIn'];
  /** The booking it is made in, shared by the broadcasts booked together (default: its own id). */
  readonly bookingId?: string;
  /** The key its request was sent under (see `findBroadcastByKey`). */
  readonly idempotencyKey?: string;
};

export interface BroadcastsRepository {
  /** Live (not cancelled) occurrences of these hamlets that start before `to` and end after `from`. */
  listBookedBetween(
    hamletIds: readonly string[],
    from: string,
    to: string,
    maxDurationMs: number,
  ): Promise<readonly Occurrence[]>;
  insertBroadcast(b: NewBroadcast): Promise<void>;
  /** Many broadcasts in a few statements (a bulletin booked in every commune at once). */
  insertBroadcasts(list: readonly NewBroadcast[]): Promise<void>;
  /** Replaces a series' list of airings left out (read and written under the hamlets' schedule lock). */
  setSkips(id: string, skips: readonly Skip[]): Promise<void>;
  /** Inserts occurrences; an existing (broadcast, hamlet, start) is kept. Returns how many were new. */
  insertOccurrences(occurrences: readonly NewOccurrence[], now: string): Promise<number>;
  moveOccurrences(moves: readonly { id: string; startsAt: string }[], now: string): Promise<void>;
  cancelOccurrences(ids: readonly string[], now: string): Promise<void>;
  /** Records how far series are materialised, and each one's next start beyond that (null: ended). */
  advanceSeries(
    progress: readonly { readonly id: string; readonly nextStartAt: string | null }[],
    materialisedUntil: string,
  ): Promise<void>;
  findBroadcast(id: string): Promise<Broadcast | undefined>;
  /** The commune's broadcast booked under this key, if any. */
  findBroadcastByKey(communeId: string, idempotencyKey: string): Promise<Broadcast | undefined>;
  listBroadcasts(
    communeId: string,
    filter: PageRequest & { hamletIds?: readonly string[] | undefined; from?: string; to?: string },
  ): Promise<Page<Broadcast>>;
  listOccurrencesOf(broadcastIds: readonly string[]): Promise<readonly Occurrence[]>;
  /** The communes a booking's broadcasts were made in (where an emergency event must be pushed). */
  listCommunesOfBooking(bookingId: string): Promise<readonly string[]>;
  /**
   * Cancels every occurrence that has not started of this announcement (content withdrawn or refused) or
   * in this hamlet (deleted); returns them.
   */
  cancelFutureOccurrences(
    of: { readonly announcementId: string } | { readonly hamletId: string },
    now: string,
  ): Promise<readonly { id: string; hamletId: string }[]>;
  /** Occurrences of this announcement that started at most `maxDurationMs` ago: possibly on air now. */
  listRecentOccurrencesOf(
    announcementId: string,
    now: string,
    maxDurationMs: number,
  ): Promise<readonly Occurrence[]>;
  /**
   * The latest `limit` occurrences of this announcement in `scope` (cancelled ones too), by start time,
   * with their hamlet's name: where and when it airs, and whether it played.
   */
  listAiringsOf(announcementId: string, scope: HamletScope, limit: number): Promise<readonly Airing[]>;
  /** Hamlets targeted by the live (not cancelled) broadcasts of this announcement. */
  listHamletsBookedWith(announcementId: string): Promise<readonly string[]>;
  /** Cancels the broadcast and its occurrences that have not started; returns the hamlets touched. */
  cancelBroadcast(id: string, by: string, now: string): Promise<readonly string[]>;
  /**
   * Live series of these communes (or all) with a start not materialised before `horizon`; series of
   * withdrawn announcements are over.
   */
  listSeriesToExtend(horizon: string, communeIds?: readonly string[]): Promise<readonly SeriesToExtend[]>;
  /** A commune's series that still have airings to come, with their announcement's title (null: a relay). */
  listLiveSeries(communeId: string): Promise<readonly (Broadcast & { readonly title: string | null })[]>;
  /**
   * The skip lists alone of what `listSeriesToExtend` lists, by id, with something still approved to air,
   * to check again under a lock which are still live (not cancelled, withdrawn or refused meanwhile) and
   * which airings were skipped meanwhile.
   */
  listSkipsOfSeriesToExtend(horizon: string): Promise<ReadonlyMap<string, readonly Skip[]>>;
  /**
   * Marks `missed` every scheduled occurrence that started before `startedBefore` and of which no
   * receiver reported a start; returns them.
   */
  markMissed(startedBefore: string, now: string): Promise<readonly { id: string; hamletId: string }[]>;
}
