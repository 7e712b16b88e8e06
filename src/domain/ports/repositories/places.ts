import type { Commune, CommuneSettings, StoredCommune } from '../../commune.js';
import type { Hamlet, HamletValues } from '../../hamlet.js';
import type { Page, PageRequest } from '../../page.js';
import type { AirTimeRow, DeviceRecord, ZonePeriods } from '../../province-report.js';
import type { Province } from '../../province.js';
import type { FactCount } from '../../receiver/coverage-report.js';
import type { PresenceRule } from './playback.js';

/** A hamlet's scope filter: 'all' or the ids of the hamlets the caller may see. */
export type HamletScope = 'all' | readonly string[];

export interface ProvincesRepository {
  findProvince(id: string): Promise<Province | undefined>;
  findProvinceByCode(code: string): Promise<Province | undefined>;
  /** Adds the province, or names it again when its code is known; returns it as stored. */
  upsertProvince(province: Province, now: string): Promise<Province>;
}

export interface CommunesRepository {
  /** A commune that is not deleted, with the version of its settings. */
  findCommune(id: string): Promise<StoredCommune | undefined>;
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
  /**
   * Holds the commune's row until the unit of work ends, so that settings are read and written by one
   * change at a time (without row locks, a writing unit of work already holds the whole database).
   */
  lockCommune(id: string): Promise<void>;
  /** Stores the settings, one version on. */
  updateSettings(id: string, settings: CommuneSettings, now: string): Promise<void>;
  /** Seeding: insert the commune, or refresh its descriptive fields and settings from the file (one version on). */
  upsertCommune(commune: Commune, now: string): Promise<'inserted' | 'updated' | 'unchanged'>;
}

export interface NamedHamlet {
  readonly id: string;
  readonly name: string;
}

/** Someone whose scope names a hamlet, as the hamlet's pages and refusals name them. */
export interface ScopedUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly disabled: boolean;
}

export interface HamletsRepository {
  listHamlets(communeId: string, scope: HamletScope, page: PageRequest): Promise<Page<Hamlet>>;
  findHamlet(id: string): Promise<Hamlet | undefined>;
  findHamlets(ids: readonly string[]): Promise<readonly Hamlet[]>;
  /** Ids that exist (and are not deleted) among `ids`. */
  findExistingHamletIds(communeId: string, ids: readonly string[]): Promise<readonly string[]>;
  isIdTaken(id: string): Promise<boolean>;
  /** The commune of the hamlet with this id, deleted ones included (an id is never used twice). */
  findCommuneOfHamlet(id: string): Promise<string | undefined>;
  /**
   * The live hamlet of the commune whose name folds like `name` (`hamletNameKey`), one named so before
   * names were unique included.
   */
  findHamletNamed(communeId: string, name: string): Promise<NamedHamlet | undefined>;
  /**
   * False, inserting nothing, when the id is taken (by a deleted hamlet too) or the name (its key) is, at
   * the same moment too.
   */
  insertHamlet(
    values: HamletValues & { id: string; communeId: string; isExample?: boolean },
    now: string,
  ): Promise<boolean>;
  /**
   * `nameKey` goes with a name that folds otherwise than the one it replaces; a name only respelt keeps
   * the key it had (a twin's of migration 0030 too).
   */
  updateHamlet(
    id: string,
    values: Partial<HamletValues> & { readonly nameKey?: string },
    now: string,
  ): Promise<void>;
  /** How many receivers (enabled or not) belong to a hamlet. */
  countReceivers(id: string): Promise<number>;
  /** The people (disabled ones included) whose scope names the hamlet, ordered by username. */
  listScopedUsers(id: string): Promise<readonly ScopedUser[]>;
  /** Hamlets are referenced by history (occurrences, logs), so they are hidden, not removed. */
  softDeleteHamlet(id: string, now: string): Promise<void>;
  listCommuneHamlets(communeId: string): Promise<readonly Hamlet[]>;
  /** The hamlets (not deleted) of several communes at once, by id. */
  listHamletsOfCommunes(communeIds: readonly string[]): Promise<readonly Hamlet[]>;
  /** One more on each hamlet's schedule version: the new versions, by hamlet id. */
  bumpScheduleVersions(ids: readonly string[], now: string): Promise<Readonly<Record<string, number>>>;
  /**
   * Holds these hamlets' schedules until the unit of work ends, so that what a booking checks (no
   * overlap, air time) is still true when it writes, whatever else runs on other connections or
   * instances. Answers those not deleted: a hamlet deleted while this waited for it is left out.
   */
  lockSchedules(ids: readonly string[]): Promise<readonly string[]>;
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
  /** Occurrences per commune and period in its hamlets not deleted, cancelled ones left out. */
  countScheduledByPeriod(
    provinceId: string,
    zones: readonly ZonePeriods[],
  ): Promise<readonly { readonly communeId: string; readonly period: string; readonly count: number }[]>;
  /**
   * Expected airings per commune and period in its hamlets not deleted, grouped by the facts of
   * `playbackStatus` (due at `now`).
   */
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
