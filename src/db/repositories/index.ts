import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { createAnnouncementsRepository } from './announcements.repository.js';
import { createAuditRepository } from './audit.repository.js';
import { createBroadcastsRepository } from './broadcasts.repository.js';
import { createCommunesRepository } from './communes.repository.js';
import { createHamletsRepository } from './hamlets.repository.js';
import { createJobsRepository } from './jobs.repository.js';
import { createPlaybackRepository } from './playback.repository.js';
import { createReceiverSyncRepository } from './receiver-sync.repository.js';
import { createReceiversRepository } from './receivers.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createUsersRepository } from './users.repository.js';

export function createRepositories(db: Kysely<Database>) {
  return {
    announcements: createAnnouncementsRepository(db),
    audit: createAuditRepository(db),
    broadcasts: createBroadcastsRepository(db),
    communes: createCommunesRepository(db),
    hamlets: createHamletsRepository(db),
    jobs: createJobsRepository(db),
    receivers: createReceiversRepository(db),
    receiverSync: createReceiverSyncRepository(db),
    playback: createPlaybackRepository(db),
    sessions: createSessionsRepository(db),
    users: createUsersRepository(db),
  } as const;
}

export type Repositories = ReturnType<typeof createRepositories>;
