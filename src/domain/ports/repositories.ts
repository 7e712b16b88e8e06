import type {
  Bulletin,
  BulletinDelivery,
  BulletinLevel,
  BulletinPlace,
  DeliveryDecision,
  ReceiverProof,
} from '../bulletin.js';
import type {
  Announcement,
  Approval,
  AudioInfo,
  NewVariant,
  ProcessingStatus,
  VariantWork,
} from '../announcement.js';
import type { MachineScope } from '../api-token.js';
import type { AcceptedAudio } from './audio.js';
import type { AuditRecord } from '../audit.js';
import type { CapAlertRecord, CapAlertState, CapCommuneItem } from '../cap/intake.js';
import type { CapLevel } from '../cap/mapping.js';
import type { Airing, Broadcast, NewOccurrence, Occurrence, OccurrenceStatus, Skip } from '../broadcast.js';
import type { Commune, CommuneSettings } from '../commune.js';
import type {
  BulletinAiring,
  BulletinEnd,
  DisasterBulletin,
  DisasterEvent,
  DisasterEventStatus,
} from '../disaster.js';
import type { Province } from '../province.js';
import type { Hamlet, HamletValues } from '../hamlet.js';
import type { Page, PageRequest } from '../page.js';
import type { ManifestOccurrence } from '../receiver/manifest.js';
import type {
  HeartbeatRecord,
  NewPlaybackEvent,
  OccurrenceForLogs,
  PlaybackReport,
  Receiver,
  ReceiverSession,
} from '../receiver/receiver.js';
import type { ReceiverCommand } from '../receiver/command.js';
import type { AiredAudio } from '../listen-again.js';
import type { AlarmSubject, ReceiverAlarm } from '../receiver/alarm.js';
import type { AiringCount, FactCount } from '../receiver/coverage-report.js';
import type { ApiToken } from '../api-token.js';
import type { AirTimeRow, DeviceRecord, ZonePeriods } from '../province-report.js';
import type {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEventRecord,
  WebhookEventType,
} from '../webhook.js';
import type { Role } from '../actor.js';
import type { JobStatus } from './jobs.js';
import type { User, UserCredentials } from '../user.js';

/**
 * The repositories: the SQL behind the use cases, one port per aggregate. Methods are named for their
 * caller; instants are ISO-8601 UTC strings with milliseconds (they compare as text on every database).
 * None of them opens a transaction of its own: a use case that writes more than once runs them inside
 * one unit of work (`UnitOfWork`).
 */

/** A hamlet's scope filter: 'all' or the ids of the hamlets the caller may see. */
export type HamletScope = 'all' | readonly string[];

export interface AnnouncementsRepository {
  insertAnnouncement(
    a: {
      readonly id: string;
      readonly communeId: string;
      readonly hamletId: string | null;
      readonly title: string;
      readonly category: string;
      readonly createdBy: string;
      readonly approval: Approval;
    },
    now: string,
  ): Promise<void>;
  insertVariant(announcementId: string, variant: NewVariant, now: string): Promise<void>;
  findAnnouncement(id: string): Promise<Announcement | undefined>;
  /** Announcements of a commune visible in `scope`: the scoped hamlets' own and commune-wide ones. */
  listAnnouncements(
    communeId: string,
    scope: HamletScope,
    filter: PageRequest & {
      status?: ProcessingStatus;
      approval?: Approval;
      createdBy?: string;
      /** true: only withdrawn ones; false: none of them; absent: both. */
      withdrawn?: boolean;
    },
  ): Promise<Page<Announcement>>;
  findVariantWork(id: string): Promise<VariantWork | undefined>;
  /** Which of these media keys a variant holds as its source (kept originals still in use). */
  findSourceKeysInUse(keys: readonly string[]): Promise<readonly string[]>;
  setVariantStatus(id: string, status: ProcessingStatus, error: string | null, now: string): Promise<void>;
  /**
   * Puts the original recording in place of the processed file a version was uploaded as (the browser's
   * MP3 on the edge); false when the version has an inspected original already, so the first one stays.
   */
  replaceVariantSource(
    id: string,
    source: { readonly key: string; readonly name: string; readonly inspection: AcceptedAudio },
    now: string,
  ): Promise<boolean>;
  /** Stores an encoded file's measurements once: the same audio processed twice is one asset. */
  saveAsset(asset: AudioInfo, now: string): Promise<void>;
  setVariantAudio(id: string, audioSha256: string, opusSha256: string | null, now: string): Promise<void>;
  setAnnouncementStatus(
    id: string,
    status: ProcessingStatus,
    error: string | null,
    now: string,
  ): Promise<void>;
  setApproval(
    id: string,
    approval: Approval,
    reason: string | null,
    by: string | null,
    now: string,
  ): Promise<void>;
  /** Marks it withdrawn by `by`; returns false when it already was. */
  setWithdrawn(id: string, by: string, now: string): Promise<boolean>;
  /** Moves the versions of an announcement whose approval is one of `from` to `to`. */
  setVariantApprovals(
    announcementId: string,
    from: readonly Approval[],
    to: Approval,
    now: string,
  ): Promise<void>;
}

export interface AuditRepository {
  appendAudit(record: AuditRecord): Promise<void>;
  listRecentAudit(limit: number): Promise<readonly AuditRecord[]>;
}

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
  listBroadcasts(
    communeId: string,
    filter: PageRequest & { hamletIds?: readonly string[] | undefined; from?: string; to?: string },
  ): Promise<Page<Broadcast>>;
  listOccurrencesOf(broadcastIds: readonly string[]): Promise<readonly Occurrence[]>;
  /** The communes a booking's broadcasts were made in (where an emergency event must be pushed). */
  listCommunesOfBooking(bookingId: string): Promise<readonly string[]>;
  /**
   * Cancels every occurrence of this announcement that has not started (content withdrawn or refused);
   * returns them.
   */
  cancelFutureOccurrencesOf(
    announcementId: string,
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
  /** The ids alone of what `listSeriesToExtend` lists, to check again under a lock which are still live. */
  listSeriesIdsToExtend(horizon: string): Promise<readonly string[]>;
  /**
   * Marks `missed` every scheduled occurrence that started before `startedBefore` and of which no
   * receiver reported a start; returns them.
   */
  markMissed(startedBefore: string, now: string): Promise<readonly { id: string; hamletId: string }[]>;
}

export interface ProvincesRepository {
  findProvince(id: string): Promise<Province | undefined>;
  findProvinceByCode(code: string): Promise<Province | undefined>;
  /** Adds the province, or names it again when its code is known; returns it as stored. */
  upsertProvince(province: Province, now: string): Promise<Province>;
}

export interface CommunesRepository {
  /** A commune that is not deleted. */
  findCommune(id: string): Promise<Commune | undefined>;
  /**
   * Hides the commune: its users no longer sign in, its receivers' tokens no longer open anything, and
   * it leaves every list; its history stays for the province's records.
   */
  softDeleteCommune(id: string, now: string): Promise<void>;
  /** Every receiver of the commune, disabled ones included (their push channels are closed on delete). */
  listReceiverIds(communeId: string): Promise<readonly string[]>;
  /** A live commune by its 5-digit code (the listen-again page's address). */
  findCommuneByCode(code: string): Promise<Commune | undefined>;
  /** The province's communes that are not deleted, by name. */
  listCommunes(provinceId: string): Promise<readonly Commune[]>;
  insertCommune(commune: Commune, now: string): Promise<void>;
  /** Whether a commune, deleted ones included, has this id or this code (codes are national, never reused). */
  isCommuneIdTaken(id: string, code: string): Promise<boolean>;
  /** The communes among `ids` that are not deleted (a deleted commune's series are no longer extended). */
  findCommunes(ids: readonly string[]): Promise<readonly Commune[]>;
  updateSettings(id: string, settings: CommuneSettings, now: string): Promise<void>;
  /** Seeding: insert the commune, or refresh its descriptive fields and settings from the file. */
  upsertCommune(commune: Commune, now: string): Promise<'inserted' | 'updated' | 'unchanged'>;
}

export interface HamletsRepository {
  listHamlets(communeId: string, scope: HamletScope, page: PageRequest): Promise<Page<Hamlet>>;
  findHamlet(id: string): Promise<Hamlet | undefined>;
  findHamlets(ids: readonly string[]): Promise<readonly Hamlet[]>;
  /** Ids that exist (and are not deleted) among `ids`. */
  findExistingHamletIds(communeId: string, ids: readonly string[]): Promise<readonly string[]>;
  isIdTaken(id: string): Promise<boolean>;
  insertHamlet(
    values: HamletValues & { id: string; communeId: string; isExample?: boolean },
    now: string,
  ): Promise<void>;
  updateHamlet(id: string, values: Partial<HamletValues>, now: string): Promise<void>;
  /** How many receivers (enabled or not) belong to a hamlet. */
  countReceivers(id: string): Promise<number>;
  /** Hamlets are referenced by history (occurrences, logs), so they are hidden, not removed. */
  softDeleteHamlet(id: string, now: string): Promise<void>;
  listCommuneHamlets(communeId: string): Promise<readonly Hamlet[]>;
  /** The hamlets (not deleted) of several communes at once, by id. */
  listHamletsOfCommunes(communeIds: readonly string[]): Promise<readonly Hamlet[]>;
  findScheduleVersions(ids: readonly string[]): Promise<Readonly<Record<string, number>>>;
  bumpScheduleVersion(ids: readonly string[], now: string): Promise<void>;
  /**
   * Holds these hamlets' schedules until the unit of work ends, so that what a booking checks (no
   * overlap, air time) is still true when it writes, whatever else runs on other connections or
   * instances.
   */
  lockSchedules(ids: readonly string[]): Promise<void>;
}

export interface LeasedJob {
  readonly id: string;
  readonly name: string;
  readonly data: string;
  readonly attempts: number;
  readonly maxAttempts: number;
}

export interface JobsRepository {
  /** Adds a job unless one with this id exists: enqueueing twice is harmless. */
  enqueueJob(
    job: { id: string; name: string; data: string; maxAttempts: number; runAt: string },
    now: string,
  ): Promise<boolean>;
  /**
   * Claims up to `limit` due jobs for `worker`: queued ones whose time has come and running ones whose
   * lease expired. Two workers never both win the same job.
   */
  leaseDueJobs(worker: string, now: string, leaseUntil: string, limit: number): Promise<readonly LeasedJob[]>;
  extendLease(id: string, worker: string, leaseUntil: string): Promise<void>;
  finishJob(
    id: string,
    worker: string,
    status: 'done' | 'failed',
    error: string | null,
    now: string,
  ): Promise<void>;
  retryJobLater(id: string, worker: string, error: string, runAt: string, now: string): Promise<void>;
  /**
   * Puts a job `worker` holds back in the queue until `runAt` without spending the attempt it just
   * made: it gets one attempt more (a full disk is nobody's failure).
   */
  postponeJob(id: string, worker: string, reason: string, runAt: string, now: string): Promise<void>;
  /**
   * Puts every job leased by `worker` back in the queue, expired or not, and returns how many: called
   * by a restarted process with the same worker id, whose earlier self died holding them.
   */
  reclaimLeases(worker: string, now: string): Promise<number>;
  findJob(id: string): Promise<
    | {
        readonly id: string;
        readonly name: string;
        readonly data: string;
        readonly status: JobStatus;
        readonly attempts: number;
        readonly maxAttempts: number;
        readonly lastError: string | null;
        readonly runAt: string;
        readonly leasedBy: string | null;
      }
    | undefined
  >;
  countUnfinishedJobs(): Promise<number>;
  /** Jobs of every status (`queued`, `running`, `done`, `failed`), for the metrics. */
  countJobsByStatus(): Promise<Readonly<Record<string, number>>>;
}

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
  /** A broadcast's latest `limit` occurrences, newest first. */
  listBroadcastOccurrences(broadcastId: string, limit: number): Promise<readonly Occurrence[]>;
  /** Enabled receivers of these hamlets. */
  listReceiversOfHamlets(
    hamletIds: readonly string[],
  ): Promise<readonly { id: string; hamletId: string; name: string }[]>;
  /**
   * The receivers expected to air each occurrence (of its hamlet, existing and enabled when it started),
   * and whether each was heard from in its presence window.
   */
  listExpectedReceivers(
    occurrenceIds: readonly string[],
    rule: PresenceRule,
  ): Promise<readonly ExpectedReceiver[]>;
  /**
   * Expected airings of the occurrences starting in [from, to), grouped by receiver and facts (reports,
   * due at `now`, heard from).
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
   * The live occurrences of a booking starting by `dueBy` as manifest entries, with their hamlets'
   * languages, in one query: what an emergency push carries. `hamletIds` narrows them down when given.
   */
  listDueBookingOccurrences(
    bookingId: string,
    dueBy: string,
    hamletIds?: readonly string[],
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
  /** Inserts the new events, ignoring those already stored for the same (receiver, event id). */
  insertPlaybackEvents(events: readonly NewPlaybackEvent[]): Promise<number>;
  listPlaybackReports(occurrenceIds: readonly string[]): Promise<readonly PlaybackReport[]>;
  setOccurrenceStatus(ids: readonly string[], status: OccurrenceStatus, now: string): Promise<void>;
}

export interface ReceiversRepository {
  /** Enabled receivers whose last heartbeat or request came after `since`, across every commune (metrics). */
  countSeenSince(since: string): Promise<number>;
  listReceivers(
    communeId: string,
    scope: HamletScope,
    page: PageRequest & { hamletId?: string | undefined },
  ): Promise<Page<Receiver>>;
  findReceiver(id: string): Promise<Receiver | undefined>;
  insertReceiver(
    receiver: { id: string; hamletId: string; name: string; tokenHash: string; isExample?: boolean },
    now: string,
  ): Promise<void>;
  updateReceiver(
    id: string,
    changes: { name?: string; hamletId?: string; tokenHash?: string; disabledAt?: string | null },
    now: string,
  ): Promise<void>;
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

/** What aired, for listening again. */
export interface ListenAgainRepository {
  /**
   * Ready, approved variants of approved, not withdrawn announcements whose occurrences in [from, to)
   * played in the commune (or one hamlet), with a box's `started` report of that very audio (or of the
   * occurrence, from agents that do not name the file), newest first.
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

export interface ApiTokensRepository {
  insertApiToken(
    token: {
      readonly id: string;
      readonly provinceId: string;
      readonly name: string;
      readonly tokenHash: string;
      /** Default: the export only, as before scopes existed. */
      readonly scopes?: readonly MachineScope[];
      readonly createdBy: string;
    },
    now: string,
  ): Promise<void>;
  /** The province's tokens, newest first, revoked ones too. */
  listApiTokens(provinceId: string): Promise<readonly ApiToken[]>;
  findApiToken(provinceId: string, id: string): Promise<ApiToken | undefined>;
  /** Revokes a live token of the province; false when there is none to revoke. */
  revokeApiToken(provinceId: string, id: string, now: string): Promise<boolean>;
  /** The live (not revoked) token behind a digest. */
  findLiveApiToken(tokenHash: string): Promise<
    | {
        readonly id: string;
        readonly provinceId: string;
        readonly name: string;
        readonly scopes: readonly MachineScope[];
      }
    | undefined
  >;
  /** Records a use, unless one was recorded after `unlessAfter` (one write a minute per token at most). */
  touchApiToken(id: string, now: string, unlessAfter: string): Promise<void>;
}

/** A delivery leased for one attempt, with what sending it needs. */
export interface LeasedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
  /** This attempt's number, 1-based. */
  readonly attempt: number;
  readonly url: string;
  readonly sealedSecret: string;
  /** The body exactly as stored: every attempt sends the same bytes. */
  readonly body: string;
}

export interface WebhooksRepository {
  insertEndpoint(endpoint: WebhookEndpoint & { readonly sealedSecret: string }, now: string): Promise<void>;
  /** The province's endpoints, newest first, disabled ones too. */
  listEndpoints(provinceId: string): Promise<readonly WebhookEndpoint[]>;
  findEndpoint(provinceId: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** Disables an enabled endpoint of the province; false when there is none to disable. */
  disableEndpoint(provinceId: string, id: string, now: string): Promise<boolean>;
  /** Enabled endpoints of the province that subscribed to `type`. */
  listSubscribedEndpointIds(provinceId: string, type: WebhookEventType): Promise<readonly string[]>;
  /** Stores the event unless one with its key exists; true when it was new. */
  insertEvent(event: WebhookEventRecord, occurredAt: string, now: string): Promise<boolean>;
  /** One delivery per (event, endpoint); an existing one is kept. */
  insertDeliveries(
    deliveries: readonly { readonly id: string; readonly eventId: string; readonly endpointId: string }[],
    now: string,
  ): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` whose lease is free or expired, for `worker`
   * until `leaseUntil`, counting the attempt. Two workers never both win the same attempt.
   */
  leaseDueDeliveries(
    worker: string,
    now: string,
    leaseUntil: string,
    limit: number,
  ): Promise<readonly LeasedDelivery[]>;
  /** Records that an attempt started (before anything is sent). */
  startAttempt(attempt: {
    readonly id: string;
    readonly deliveryId: string;
    readonly attempt: number;
    readonly startedAt: string;
  }): Promise<void>;
  finishAttempt(
    deliveryId: string,
    attempt: number,
    result: {
      readonly statusCode: number | null;
      readonly durationMs: number;
      readonly error: string | null;
      readonly finishedAt: string;
    },
  ): Promise<void>;
  /**
   * Settles the attempt `worker` holds: delivered, pending again until `nextAttemptAt`, or failed for
   * good; false when its lease was lost meanwhile (another worker owns the delivery now).
   */
  settleDelivery(
    id: string,
    worker: string,
    outcome: {
      readonly status: WebhookDeliveryStatus;
      readonly nextAttemptAt: string | null;
      readonly error: string | null;
    },
    now: string,
  ): Promise<boolean>;
  /** An endpoint's deliveries, newest first, each with its attempts. */
  listDeliveries(endpointId: string, page: PageRequest): Promise<Page<WebhookDelivery>>;
  /** How many deliveries of each endpoint are pending and failed. */
  countOpenDeliveries(
    endpointIds: readonly string[],
  ): Promise<readonly { readonly endpointId: string; readonly pending: number; readonly failed: number }[]>;
}

/**
 * The province's roll-ups: one set of queries for all its communes, grouped by the database. Periods
 * are each commune's own local days or months (`ZonePeriods`); an airing is counted in the period its
 * start falls in.
 */
export interface ProvinceReportsRepository {
  /** Enabled receivers per commune of the province, and how many were heard from after `onlineAfter`. */
  countReceiversByCommune(
    provinceId: string,
    onlineAfter: string,
  ): Promise<readonly { readonly communeId: string; readonly total: number; readonly online: number }[]>;
  /** Occurrences per commune and period, cancelled ones left out. */
  countScheduledByPeriod(
    provinceId: string,
    zones: readonly ZonePeriods[],
  ): Promise<readonly { readonly communeId: string; readonly period: string; readonly count: number }[]>;
  /** Expected airings per commune and period, grouped by the facts of `playbackStatus` (due at `now`). */
  countAiringsByPeriod(
    provinceId: string,
    zones: readonly ZonePeriods[],
    now: string,
    rule: PresenceRule,
  ): Promise<readonly (FactCount & { readonly communeId: string; readonly period: string })[]>;
  /** Occurrences that aired (a box reported starting them) per commune, month, category and level. */
  sumAirTime(provinceId: string, zones: readonly ZonePeriods[]): Promise<readonly AirTimeRow[]>;
  /** The province's receivers by id, after `after`, at most `limit`. */
  listDevices(provinceId: string, after: string | undefined, limit: number): Promise<readonly DeviceRecord[]>;
}

export interface SessionsRepository {
  insertSession(
    session: { id: string; tokenHash: string; userId: string; expiresAt: string },
    now: string,
  ): Promise<void>;
  /** The live session for a token digest: not revoked, not expired, user not disabled. */
  findLiveSession(tokenHash: string, now: string): Promise<{ id: string; userId: string } | undefined>;
  revokeSession(id: string, now: string): Promise<void>;
  revokeUserSessions(userId: string, now: string): Promise<void>;
}

export interface UsersRepository {
  /**
   * Users with one of `roles`: of one commune (its staff), or of every commune of a province (the
   * province's staff, who keep a home commune).
   */
  listUsers(
    where: { readonly communeId: string } | { readonly provinceId: string },
    roles: readonly Role[],
    page: PageRequest,
    /** Accounts left out (the commune's CAP account). */
    excludeIds?: readonly string[],
  ): Promise<Page<User>>;
  findUser(id: string): Promise<User | undefined>;
  findCredentialsByUsername(username: string): Promise<UserCredentials | undefined>;
  isUsernameTaken(username: string): Promise<boolean>;
  countUsers(): Promise<number>;
  insertUser(
    user: {
      id: string;
      username: string;
      displayName: string;
      passwordHash: string;
      role: Role;
      communeId: string;
      hamletIds: readonly string[];
    },
    now: string,
  ): Promise<void>;
  updateUser(
    id: string,
    changes: {
      displayName?: string;
      role?: Role;
      passwordHash?: string;
      disabledAt?: string | null;
      hamletIds?: readonly string[];
    },
    now: string,
  ): Promise<void>;
}

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
   * commune and writes one delivery row per commune, in batches.
   */
  insertCopiesAndDeliveries(
    bulletin: Pick<Bulletin, 'id' | 'announcementId' | 'title'>,
    copies: readonly BulletinCopy[],
    decision: DeliveryDecision,
    by: string,
    now: string,
  ): Promise<void>;
  listDeliveries(bulletinId: string): Promise<readonly BulletinDelivery[]>;
  findDelivery(bulletinId: string, communeId: string): Promise<BulletinDelivery | undefined>;
  /** A commune's inbox, newest first. */
  listInbox(communeId: string, limit: number): Promise<readonly InboxItem[]>;
  /**
   * Moves a delivery from `from` to a decision; false when it is not (any longer) in `from`, so two
   * requests answering the same delivery at once have one winner.
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
   * Marks many communes' deliveries of one bulletin scheduled by `by`, each with its one broadcast and
   * first airing, in one statement (an emergency booked everywhere at once).
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
  insertEvent(e: Omit<DisasterEvent, 'endedAt'>): Promise<void>;
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
  insertBulletin(b: Omit<DisasterBulletin, 'endedAt' | 'endReason' | 'title' | 'hamletIds'>): Promise<void>;
  findBulletin(id: string): Promise<DisasterBulletin | undefined>;
  /** Bulletins of these events, newest first within each. */
  listBulletinsOfEvents(eventIds: readonly string[]): Promise<readonly DisasterBulletin[]>;
  /** Takes bulletins off the air for `reason`; those already off stay as they ended. */
  endBulletins(ids: readonly string[], reason: BulletinEnd, now: string): Promise<void>;
  /** Per bulletin and hamlet: the last airing a receiver reported played, and the next one to come. */
  listBulletinAirings(bulletinIds: readonly string[], now: string): Promise<readonly BulletinAiring[]>;
}

/** A commune's CAP item with what the officer needs to decide on it. */
export interface CapQueueItem extends CapCommuneItem {
  readonly headline: string;
  readonly sender: string;
  readonly sent: string;
  readonly msgType: string;
  readonly level: CapLevel | 'none';
  readonly expiresAt: string | null;
}

/** CAP 1.2 alerts received, and what each became in each commune. */
export interface CapAlertsRepository {
  insertAlert(a: CapAlertRecord, document: string): Promise<void>;
  findAlert(id: string): Promise<CapAlertRecord | undefined>;
  /** The document as it was received. */
  findDocument(id: string): Promise<string | undefined>;
  findAlertByKey(provinceId: string, key: string): Promise<CapAlertRecord | undefined>;
  findAlertsByKeys(provinceId: string, keys: readonly string[]): Promise<readonly CapAlertRecord[]>;
  insertItem(item: CapCommuneItem): Promise<void>;
  updateItem(
    id: string,
    changes: {
      readonly state?: CapAlertState;
      readonly bulletinId?: string | null;
      readonly eventId?: string | null;
      readonly broadcastId?: string | null;
    },
    now: string,
  ): Promise<void>;
  findItem(id: string): Promise<CapCommuneItem | undefined>;
  listItemsOfAlerts(alertIds: readonly string[]): Promise<readonly CapCommuneItem[]>;
  /** A commune's items, newest first (at most 200), in these states or all. */
  listCommuneItems(communeId: string, states?: readonly CapAlertState[]): Promise<readonly CapQueueItem[]>;
  /** Items on the air whose alert has expired by `now`. */
  listExpiredAiring(now: string): Promise<readonly CapCommuneItem[]>;
  /** Items `speaking` whose words a processing node has spoken (their announcement is ready). */
  listSpokenWaiting(): Promise<readonly CapCommuneItem[]>;
}

export interface Repositories {
  readonly capAlerts: CapAlertsRepository;
  readonly disaster: DisasterRepository;
  readonly provinces: ProvincesRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly webhooks: WebhooksRepository;
  readonly provinceReports: ProvinceReportsRepository;
  readonly announcements: AnnouncementsRepository;
  readonly bulletins: BulletinsRepository;
  readonly audit: AuditRepository;
  readonly broadcasts: BroadcastsRepository;
  readonly communes: CommunesRepository;
  readonly hamlets: HamletsRepository;
  readonly jobs: JobsRepository;
  readonly playback: PlaybackRepository;
  readonly receiverSync: ReceiverSyncRepository;
  readonly receivers: ReceiversRepository;
  readonly receiverCommands: ReceiverCommandsRepository;
  readonly receiverAlarms: ReceiverAlarmsRepository;
  readonly listenAgain: ListenAgainRepository;
  readonly sessions: SessionsRepository;
  readonly users: UsersRepository;
}

/**
 * One unit of work (`deps.tx`): runs `work` with repositories bound to one database transaction, and
 * commits what it wrote together, or nothing when it throws. Audit rows and enqueued jobs are written
 * through the same repositories, so they commit with what they describe.
 */
export type UnitOfWork = <T>(work: (r: Repositories) => Promise<T>) => Promise<T>;
