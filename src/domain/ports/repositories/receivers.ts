import type { OccurrenceStatus } from '../../broadcast.js';
import type { Page, PageRequest } from '../../page.js';
import type { AlarmSubject, ReceiverAlarm } from '../../receiver/alarm.js';
import type { CommandKind, ReceiverCommand } from '../../receiver/command.js';
import type { ManifestOccurrence } from '../../receiver/manifest.js';
import type {
  HeartbeatRecord,
  NewPlaybackEvent,
  OccurrenceForLogs,
  PlaybackReport,
  Receiver,
  ReceiverSession,
} from '../../receiver/receiver.js';
import type { HamletScope } from './places.js';

export interface ReceiverSyncRepository {
  /** The device behind a token digest, with its hamlet's schedule version and languages. */
  findReceiverSessionByTokenHash(tokenHash: string): Promise<ReceiverSession | undefined>;
  /** Live occurrences of a hamlet starting in [from, to), with their ready audio variants. */
  listManifestOccurrences(hamletId: string, from: string, to: string): Promise<ManifestOccurrence[]>;
  /** One occurrence as a manifest entry, with its hamlet's languages: what an emergency push carries. */
  findManifestOccurrence(
    occurrenceId: string,
  ): Promise<{ occurrence: ManifestOccurrence; hamletId: string; languages: string[] } | undefined>;
  /**
   * The live occurrences of a booking starting by `dueBy` in these hamlets as manifest entries, with
   * their hamlets' languages: what an emergency push carries. More hamlets than one statement can name
   * may bring the booking's others too, for the caller to leave out.
   */
  listDueBookingOccurrences(
    bookingId: string,
    dueBy: string,
    hamletIds: readonly string[],
  ): Promise<{ occurrence: ManifestOccurrence; hamletId: string; languages: string[] }[]>;
  saveHeartbeat(h: HeartbeatRecord): Promise<void>;
  /**
   * Follows a receiver's run of failed playbacks: `reset` when the batch completed one (the run is then
   * the failures after it), else the failures add to the run.
   */
  recordPlaybackRun(
    receiverId: string,
    run: { readonly reset: boolean; readonly failures: number },
  ): Promise<void>;
  findOccurrencesForLogs(ids: readonly string[]): Promise<readonly OccurrenceForLogs[]>;
  /**
   * Of these occurrences, those that started while the receiver was in their hamlet (its stretches per
   * hamlet): a box moved since may still report what it aired there.
   */
  listOccurrencesWhileThere(receiverId: string, occurrenceIds: readonly string[]): Promise<readonly string[]>;
  /**
   * Inserts the new events, ignoring those already stored for the same (receiver, event id); returns the
   * event ids it stored.
   */
  insertPlaybackEvents(events: readonly NewPlaybackEvent[]): Promise<readonly string[]>;
  /**
   * Holds these occurrences until the unit of work ends, so that batches reporting on the same airing at
   * the same moment set its status one after the other, each from every report stored before it.
   */
  lockOccurrences(ids: readonly string[]): Promise<void>;
  listPlaybackReports(occurrenceIds: readonly string[]): Promise<readonly PlaybackReport[]>;
  setOccurrenceStatus(ids: readonly string[], status: OccurrenceStatus, now: string): Promise<void>;
}

export interface ReceiversRepository {
  /** Enabled receivers whose last heartbeat or request came after `since`, across every commune (metrics). */
  countSeenSince(since: string): Promise<number>;
  /**
   * Of these receivers, those not heard from since `since` (no heartbeat nor request): the push channels
   * they hold are kept open by nothing but the operating system.
   */
  listSilentAmong(ids: readonly string[], since: string): Promise<readonly string[]>;
  listReceivers(
    communeId: string,
    scope: HamletScope,
    page: PageRequest & { hamletId?: string | undefined },
  ): Promise<Page<Receiver>>;
  findReceiver(id: string): Promise<Receiver | undefined>;
  /** A new receiver, in its hamlet from `now` (its first stretch there). */
  insertReceiver(
    receiver: { id: string; hamletId: string; name: string; tokenHash: string; isExample?: boolean },
    now: string,
  ): Promise<void>;
  /**
   * A new `hamletId` is a move: the receiver arrives there `now` (its stretches follow with `moveToHamlet`,
   * after this call, which holds the receiver). `playbackFailures: 0` starts its run of failed playbacks again.
   */
  updateReceiver(
    id: string,
    changes: {
      name?: string;
      hamletId?: string;
      tokenHash?: string;
      disabledAt?: string | null;
      playbackFailures?: 0;
    },
    now: string,
  ): Promise<void>;
  /**
   * Ends the receiver's stretch in its hamlet at `at` and starts one in `hamletId`: the reports count what
   * it airs under the hamlet it was in at the time.
   */
  moveToHamlet(receiverId: string, hamletId: string, at: string): Promise<void>;
  /** Keeps a stretch the receiver was off, when it is switched on again (the reports expect nothing then). */
  insertOffPeriod(receiverId: string, from: string, until: string): Promise<void>;
  /**
   * Enabled receivers whose last heartbeat was in (after, until]: those whose online window ended in the
   * span one window later, with the names a notice needs.
   */
  listLastSeenBetween(after: string, until: string): Promise<readonly GoneOffline[]>;
  /** Deletes heartbeat history recorded before `cutoff`, in batches; returns how many rows went. */
  deleteHeartbeatsBefore(
    cutoff: string,
    opts?: { readonly batchSize?: number; readonly maxRows?: number },
  ): Promise<number>;
}

/** A receiver whose heartbeats stopped, named for the province's operations centre. */
export interface GoneOffline {
  readonly receiverId: string;
  readonly receiverName: string;
  readonly hamletId: string;
  readonly hamletName: string;
  readonly communeId: string;
  readonly communeName: string;
  readonly provinceId: string;
  readonly lastSeenAt: string;
}

/** Commands to receivers (remote control) and their answers. */
export interface ReceiverCommandsRepository {
  insertCommands(commands: readonly ReceiverCommand[]): Promise<void>;
  findCommand(id: string): Promise<ReceiverCommand | undefined>;
  /** A receiver's commands, newest first. */
  listCommands(receiverId: string, limit: number): Promise<readonly ReceiverCommand[]>;
  /** The latest commands of a commune's receivers, newest first (the monitor page). */
  listCommuneCommands(communeId: string, limit: number): Promise<readonly ReceiverCommand[]>;
  /** A receiver's commands still waiting for its answer and not past their deadline, oldest first. */
  listOpenCommands(receiverId: string, now: string): Promise<readonly ReceiverCommand[]>;
  /** Marks pending commands delivered; returns how many moved. */
  markDelivered(ids: readonly string[], now: string): Promise<number>;
  /** Records the box's answer on an open command; false when it was not open any more. */
  answerCommand(
    id: string,
    answer: { readonly state: 'acknowledged' | 'failed'; readonly result: string | null },
    now: string,
  ): Promise<boolean>;
  /** Open commands past their deadline become timed out; returns them as they were. */
  timeOutCommands(now: string): Promise<readonly ReceiverCommand[]>;
  /**
   * Holds these receivers until the unit of work ends, so that two commands of one setting to one box
   * supersede one after the other; returns those still enabled.
   */
  lockEnabledReceivers(receiverIds: readonly string[]): Promise<readonly string[]>;
  /** Closes a receiver's open commands as cancelled with `reason`; returns them. */
  cancelOpenCommands(receiverId: string, reason: string, now: string): Promise<readonly ReceiverCommand[]>;
  /** Marks the open commands of these kinds to these receivers superseded; returns how many. */
  supersedeCommands(
    receiverIds: readonly string[],
    kinds: readonly CommandKind[],
    now: string,
  ): Promise<number>;
}

/** Alarms of the boxes and the facts that raise them. */
export interface ReceiverAlarmsRepository {
  listOpenAlarms(): Promise<readonly ReceiverAlarm[]>;
  /** A commune's open alarms (the monitor page), oldest first. */
  listCommuneOpenAlarms(communeId: string): Promise<readonly ReceiverAlarm[]>;
  /** Enabled receivers heard from before `before` (missed heartbeats). */
  listSilentSince(before: string): Promise<readonly { receiverId: string; lastSeenAt: string }[]>;
  /** Enabled receivers whose latest heartbeat reported fewer free bytes than `bytes`. */
  listLowStorage(
    bytes: number,
  ): Promise<readonly { receiverId: string; freeBytes: number; lastSeenAt: string }[]>;
  /** Enabled receivers with at least `failures` failed playbacks in a row. */
  listFailingPlayback(failures: number): Promise<readonly { receiverId: string; failures: number }[]>;
  /** Inserts the alarms not open already (by receiver and kind); returns the ids written. */
  insertAlarms(alarms: readonly ReceiverAlarm[]): Promise<readonly string[]>;
  /** Clears the alarms still open; returns the ids cleared. */
  clearAlarms(ids: readonly string[], now: string): Promise<readonly string[]>;
  /** The receivers named for a notice. */
  findSubjects(receiverIds: readonly string[]): Promise<readonly AlarmSubject[]>;
}
