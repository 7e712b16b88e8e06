import type { Occurrence, OccurrenceStatus } from '../../broadcast.js';
import type { AiredAudio } from '../../listen-again.js';
import type { AiringCount } from '../../receiver/coverage-report.js';
import type { HamletScope } from './places.js';

export interface PlaybackFilter {
  readonly from: string;
  readonly to: string;
  readonly status?: OccurrenceStatus | undefined;
  /** Keyset position: rows after this (startsAt, id). */
  readonly after?: { readonly startsAt: string; readonly id: string } | undefined;
  readonly limit: number;
}

/** How the database decides whether a receiver was heard from around an occurrence (`presenceWindow`). */
export interface PresenceRule {
  /** A heartbeat counts from this long before the start… */
  readonly beforeMs: number;
  /** …to this long after the end (the grace before a missing report counts). */
  readonly graceMs: number;
}

/** A receiver expected to air an occurrence, and whether it sent a heartbeat in its presence window. */
export interface ExpectedReceiver {
  readonly occurrenceId: string;
  readonly receiverId: string;
  readonly name: string;
  readonly hamletId: string;
  readonly heard: boolean;
}

export interface PlaybackRepository {
  /** Occurrences of these hamlets (of one commune) starting in [from, to), by time then id. */
  listPlaybackOccurrences(
    communeId: string,
    hamletIds: HamletScope,
    filter: PlaybackFilter,
  ): Promise<readonly Occurrence[]>;
  /** One occurrence with its title, and the commune it belongs to. */
  findPlaybackOccurrence(id: string): Promise<(Occurrence & { readonly communeId: string }) | undefined>;
  /** A broadcast's latest `limit` occurrences in these hamlets, newest first. */
  listBroadcastOccurrences(
    broadcastId: string,
    hamletIds: HamletScope,
    limit: number,
  ): Promise<readonly Occurrence[]>;
  /** Enabled receivers of these hamlets. */
  listReceiversOfHamlets(
    hamletIds: readonly string[],
  ): Promise<readonly { id: string; hamletId: string; name: string }[]>;
  /**
   * The receivers expected to air each occurrence (in its hamlet and enabled when it started, wherever
   * they are now), and whether each was heard from in its presence window.
   */
  listExpectedReceivers(
    occurrenceIds: readonly string[],
    rule: PresenceRule,
  ): Promise<readonly ExpectedReceiver[]>;
  /**
   * Expected airings of the occurrences starting in [from, to), grouped by receiver, the hamlet it aired
   * them for (where it was then) and facts (reports, due at `now`, heard from).
   */
  countAirings(
    communeId: string,
    hamletIds: HamletScope,
    range: { readonly from: string; readonly to: string; readonly now: string },
    rule: PresenceRule,
  ): Promise<readonly AiringCount[]>;
  /** Occurrences per hamlet in [from, to), cancelled ones left out. */
  countScheduledByHamlet(
    communeId: string,
    hamletIds: HamletScope,
    from: string,
    to: string,
  ): Promise<readonly { readonly hamletId: string; readonly count: number }[]>;
  /** A receiver's heartbeat times in [from, to], oldest first. */
  listHeartbeatTimes(receiverId: string, from: string, to: string): Promise<readonly string[]>;
  /** Which of these receivers sent a heartbeat in [from, to]. */
  listReceiversHeardBetween(
    receiverIds: readonly string[],
    from: string,
    to: string,
  ): Promise<readonly string[]>;
}

/** What aired, for listening again. */
export interface ListenAgainRepository {
  /**
   * Ready, approved variants of approved, not withdrawn announcements whose occurrences in [from, to)
   * played in the commune (or one hamlet), with a box's `started` report of that very audio (or of the
   * occurrence, from agents that do not name the file), per hamlet, language and priority with their
   * first and last airing, the latest aired first.
   */
  listAiredAudio(query: {
    readonly communeId: string;
    readonly hamletId: string | null;
    readonly from: string;
    readonly to: string;
    readonly categories: readonly string[] | null;
    readonly limit: number;
  }): Promise<readonly AiredAudio[]>;
}
