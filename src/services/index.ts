import type { Db } from '../db/database.js';
import { createRepositories, type Repositories } from '../db/repositories/index.js';
import type { JobQueue } from '../jobs/queue.js';
import { createAnnouncementsService } from './announcements.service.js';
import { createAuditTrail } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import { createBroadcastsService } from './broadcasts.service.js';
import { createCommunesService } from './communes.service.js';
import type { EventBus } from '../domain/events.js';
import { createHamletsService } from './hamlets.service.js';
import { createMonitoringService } from './monitoring.service.js';
import type { AudioInspector, Clock, IdGenerator, MediaStore, PasswordHasher } from '../domain/ports.js';
import { createReceiverHub } from './receiver-hub.js';
import { createReceiverSyncService } from './receiver-sync.service.js';
import { createReceiversService } from './receivers.service.js';
import { createSeedService } from './seed/seed.service.js';
import { createUsersService } from './users.service.js';

export interface ServiceDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
  readonly sessionTtlHours: number;
  readonly bus: EventBus;
  /** Built by the caller when it needs them first (the job handlers do). */
  readonly repos?: Repositories;
  readonly media: MediaStore;
  readonly inspector: AudioInspector;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  /** How far ahead occurrences are materialised (rolling horizon, default 7 days). */
  readonly horizonMs?: number;
}

/** Wires repositories into the services; each service gets only what it uses. */
export function createServices(deps: ServiceDeps) {
  const { clock, ids, passwords } = deps;
  const repos = deps.repos ?? createRepositories(deps.db.kysely);
  const audit = createAuditTrail({ audit: repos.audit, clock, ids });
  const receiverSync = createReceiverSyncService({ receiverSync: repos.receiverSync, clock, ids });
  return {
    repos,
    audit,
    auth: createAuthService({
      users: repos.users,
      sessions: repos.sessions,
      audit,
      clock,
      ids,
      passwords,
      sessionTtlHours: deps.sessionTtlHours,
    }),
    hamlets: createHamletsService({ hamlets: repos.hamlets, communes: repos.communes, audit, clock, ids }),
    users: createUsersService({
      users: repos.users,
      hamlets: repos.hamlets,
      sessions: repos.sessions,
      audit,
      clock,
      ids,
      passwords,
    }),
    receivers: createReceiversService({
      receivers: repos.receivers,
      hamlets: repos.hamlets,
      audit,
      clock,
      ids,
      bus: deps.bus,
    }),
    receiverSync,
    receiverHub: createReceiverHub({
      bus: deps.bus,
      playItems: receiverSync.playItems,
      recheck: repos.receiverSync.findReceiverSessionByTokenHash,
    }),
    monitoring: createMonitoringService({
      playback: repos.playback,
      receiverSync: repos.receiverSync,
      hamlets: repos.hamlets,
      communes: repos.communes,
      clock,
    }),
    announcements: createAnnouncementsService({
      announcements: repos.announcements,
      hamlets: repos.hamlets,
      communes: repos.communes,
      audit,
      media: deps.media,
      inspector: deps.inspector,
      jobs: deps.jobs,
      clock,
      ids,
    }),
    communes: createCommunesService({ communes: repos.communes, audit, clock }),
    broadcasts: createBroadcastsService({
      broadcasts: repos.broadcasts,
      announcements: repos.announcements,
      hamlets: repos.hamlets,
      communes: repos.communes,
      audit,
      bus: deps.bus,
      clock,
      ids,
      horizonMs: deps.horizonMs ?? 7 * 86_400_000,
    }),
    seed: createSeedService({ repos, audit, clock, ids, passwords }),
  } as const;
}

export type Services = ReturnType<typeof createServices>;
