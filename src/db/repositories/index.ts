import type { Kysely } from 'kysely';
import type { Repositories, UnitOfWork } from '../../domain/ports/repositories.js';
import type { Db, DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';
import { createAnnouncementsRepository } from './announcements.repository.js';
import { createApiTokensRepository } from './api-tokens.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createBulletinsRepository } from './bulletins.repository.js';
import { createBroadcastsRepository } from './broadcasts.repository.js';
import { createCapAlertsRepository } from './cap-alerts.repository.js';
import { createCommunesRepository } from './communes.repository.js';
import { createDisasterRepository } from './disaster.repository.js';
import { createHamletsRepository } from './hamlets.repository.js';
import { createJobsRepository } from './jobs.repository.js';
import { createPlaybackRepository } from './playback.repository.js';
import { createProvinceReportsRepository } from './province-reports.repository.js';
import { createProvincesRepository } from './provinces.repository.js';
import { createReceiverSyncRepository } from './receiver-sync.repository.js';
import { createReceiversRepository } from './receivers.repository.js';
import { createReceiverCommandsRepository } from './receiver-commands.repository.js';
import { createReceiverAlarmsRepository } from './receiver-alarms.repository.js';
import { createListenAgainRepository } from './listen-again.repository.js';
import { createRateLimitsRepository } from './rate-limits.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createUsersRepository } from './users.repository.js';
import { createWebhooksRepository } from './webhooks.repository.js';

/** The repositories over one connection or transaction. */
export function createRepositories(db: Kysely<Database>, capabilities: DbCapabilities): Repositories {
  return {
    provinces: createProvincesRepository(db),
    apiTokens: createApiTokensRepository(db),
    webhooks: createWebhooksRepository(db),
    provinceReports: createProvinceReportsRepository(db, capabilities),
    announcements: createAnnouncementsRepository(db, capabilities),
    bulletins: createBulletinsRepository(db, capabilities),
    audit: createAuditRepository(db),
    broadcasts: createBroadcastsRepository(db),
    communes: createCommunesRepository(db, capabilities),
    disaster: createDisasterRepository(db, capabilities),
    capAlerts: createCapAlertsRepository(db),
    hamlets: createHamletsRepository(db, capabilities),
    jobs: createJobsRepository(db),
    receivers: createReceiversRepository(db),
    receiverCommands: createReceiverCommandsRepository(db, capabilities),
    receiverAlarms: createReceiverAlarmsRepository(db),
    listenAgain: createListenAgainRepository(db),
    receiverSync: createReceiverSyncRepository(db, capabilities),
    playback: createPlaybackRepository(db, capabilities),
    sessions: createSessionsRepository(db),
    rateLimits: createRateLimitsRepository(db),
    users: createUsersRepository(db, capabilities),
  };
}

/**
 * The unit of work on a database: each call is one transaction (on SQLite `begin immediate`, so a write
 * never has to upgrade a read lock), with repositories bound to it. `decorate` wraps them (tests inject
 * failures between the steps of a use case with it).
 */
export function createUnitOfWork(
  db: Db,
  decorate: (repositories: Repositories) => Repositories = (r) => r,
): UnitOfWork {
  return (work) =>
    db.kysely.transaction().execute((trx) => work(decorate(createRepositories(trx, db.capabilities))));
}
