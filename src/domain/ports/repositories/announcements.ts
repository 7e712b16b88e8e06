import type {
  Announcement,
  Approval,
  AudioInfo,
  NewVariant,
  ProcessingStatus,
  VariantWork,
} from '../../announcement.js';
import type { Page, PageRequest } from '../../page.js';
import type { AcceptedAudio } from '../audio.js';
import type { HamletScope } from './places.js';

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
      readonly idempotencyKey?: string | undefined;
    },
    now: string,
  ): Promise<void>;
  insertVariant(announcementId: string, variant: NewVariant, now: string): Promise<void>;
  findAnnouncement(id: string): Promise<Announcement | undefined>;
  /** The announcement a request sent under `idempotencyKey` made in the commune. */
  findAnnouncementByKey(communeId: string, idempotencyKey: string): Promise<Announcement | undefined>;
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
      /** The newest first (a person's lists), else the oldest (the API's pages, the office's queue). */
      newestFirst?: boolean;
    },
  ): Promise<Page<Announcement>>;
  findVariantWork(id: string): Promise<VariantWork | undefined>;
  /** Which of these media keys a variant holds as its source (kept originals still in use). */
  findSourceKeysInUse(keys: readonly string[]): Promise<readonly string[]>;
  /** Whether an encoded file's measurements are stored: content saved with it uses it, or did. */
  isAssetSaved(sha256: string): Promise<boolean>;
  setVariantStatus(id: string, status: ProcessingStatus, error: string | null, now: string): Promise<void>;
  /** Moves a version from `from` to `to` with `error`; false when it was not in `from` any more. */
  moveVariantStatus(
    id: string,
    from: ProcessingStatus,
    to: ProcessingStatus,
    error: string | null,
    now: string,
  ): Promise<boolean>;
  /**
   * Puts the original recording in place of the processed file a version was uploaded as (the browser's
   * MP3 on the edge); false when the version has an inspected original already, so the first one stays.
   */
  replaceVariantSource(
    id: string,
    source: { readonly key: string; readonly name: string; readonly inspection: AcceptedAudio },
    now: string,
  ): Promise<boolean>;
  /**
   * Holds the announcement until the unit of work ends, so that the office's decision, a new version and
   * a withdrawal of it happen one after the other: PostgreSQL takes its row lock; SQLite's unit of work
   * holds the database's one write lock already.
   */
  lockAnnouncement(id: string): Promise<void>;
  /**
   * Whether content not withdrawn nor refused still uses this encoded audio (a version's MP3 or Opus, a
   * broadcast's lead-in, a disaster bulletin's header): what is not is no longer served.
   */
  isAudioLive(sha256: string): Promise<boolean>;
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
  /** Moves the versions of an announcement whose approval is one of `from` (of `only`, if given) to `to`. */
  setVariantApprovals(
    announcementId: string,
    from: readonly Approval[],
    to: Approval,
    now: string,
    only?: readonly string[],
  ): Promise<void>;
}
