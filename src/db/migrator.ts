import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import * as initial from './migrations/0001-initial.js';
import * as communeSettingsEdits from './migrations/0002-commune-settings-edits.js';
import * as receiverHeartbeatsAt from './migrations/0003-receiver-heartbeats-at.js';
import * as variantProbe from './migrations/0004-variant-probe.js';
import * as seriesNextStart from './migrations/0005-series-next-start.js';
import * as variantApproval from './migrations/0006-variant-approval.js';
import * as variantSourceKey from './migrations/0007-variant-source-key.js';
import * as announcementWithdrawal from './migrations/0008-announcement-withdrawal.js';
import * as provinces from './migrations/0009-provinces.js';
import * as playbackAudioSha256 from './migrations/0010-playback-audio-sha256.js';
import * as seriesSkips from './migrations/0011-series-skips.js';
import * as provincePlatform from './migrations/0014-province-platform.js';
import * as bulletins from './migrations/0016-bulletins.js';
import * as receiverCommandsAlarms from './migrations/0018-receiver-commands-alarms.js';
import * as receiverAlarmsOneOpen from './migrations/0019-receiver-alarms-one-open.js';
import * as disasterBulletins from './migrations/0020-disaster-bulletins.js';
import * as capAlerts from './migrations/0021-cap-alerts.js';
import * as broadcastBookings from './migrations/0022-broadcast-bookings.js';
import * as rateLimits from './migrations/0023-rate-limits.js';
import * as receiverOffPeriods from './migrations/0024-receiver-off-periods.js';
import * as receiverArrivals from './migrations/0025-receiver-arrivals.js';
import * as idempotencyKeys from './migrations/0026-idempotency-keys.js';
import * as announcementIdempotencyKey from './migrations/0027-announcement-idempotency-key.js';
import * as audioInUse from './migrations/0028-audio-in-use.js';
import * as usernameKey from './migrations/0029-username-key.js';
import * as hamletNameKey from './migrations/0030-hamlet-name-key.js';
import * as communeSettingsVersion from './migrations/0032-commune-settings-version.js';
import * as receiverHamletStretches from './migrations/0033-receiver-hamlet-stretches.js';
import * as bulletinPlacementDue from './migrations/0034-bulletin-placement-due.js';

// Migrations are listed in code rather than read from a folder so the same build runs on Workers.
const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-commune-settings-edits': communeSettingsEdits,
  '0003-receiver-heartbeats-at': receiverHeartbeatsAt,
  '0004-variant-probe': variantProbe,
  '0005-series-next-start': seriesNextStart,
  '0006-variant-approval': variantApproval,
  '0007-variant-source-key': variantSourceKey,
  '0008-announcement-withdrawal': announcementWithdrawal,
  '0009-provinces': provinces,
  '0010-playback-audio-sha256': playbackAudioSha256,
  '0011-series-skips': seriesSkips,
  '0014-province-platform': provincePlatform,
  '0016-bulletins': bulletins,
  '0018-receiver-commands-alarms': receiverCommandsAlarms,
  '0019-receiver-alarms-one-open': receiverAlarmsOneOpen,
  '0020-disaster-bulletins': disasterBulletins,
  '0021-cap-alerts': capAlerts,
  '0022-broadcast-bookings': broadcastBookings,
  '0023-rate-limits': rateLimits,
  '0024-receiver-off-periods': receiverOffPeriods,
  '0025-receiver-arrivals': receiverArrivals,
  '0026-idempotency-keys': idempotencyKeys,
  '0027-announcement-idempotency-key': announcementIdempotencyKey,
  '0028-audio-in-use': audioInUse,
  '0029-username-key': usernameKey,
  '0030-hamlet-name-key': hamletNameKey,
  '0032-commune-settings-version': communeSettingsVersion,
  '0033-receiver-hamlet-stretches': receiverHamletStretches,
  '0034-bulletin-placement-due': bulletinPlacementDue,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const which = failed ? ` ${failed.migrationName}` : '';
    throw new Error(`Database migration${which} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Brings the schema up or down to the named migration: an upgrade is tested from the schema before it. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw new Error(`Database migration to ${name} failed: ${String(error)}`, { cause: error });
}

/** Names of the migrations this build has that the database has not applied (none when current). */
export async function pendingMigrations(db: Kysely<any>): Promise<readonly string[]> {
  const all = await new Migrator({ db, provider }).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
