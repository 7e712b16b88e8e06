import type { AudioInspector, AudioWork } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { JobRunnerSignal } from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { MediaStore } from '../domain/ports/media-store.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { ResolveHost, SecretBox, WebhookTransport } from '../domain/ports/webhooks.js';
import { createApiTokensService } from './api-tokens.service.js';
import { createAnnouncementsService } from './announcements.service.js';
import { createAudioService } from './audio.service.js';
import { createAuditTrail } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import { createBroadcastsService } from './broadcasts.service.js';
import { createBulletinsService } from './bulletins.service.js';
import { createCommunesService } from './communes.service.js';
import { createHamletsService } from './hamlets.service.js';
import { createMonitoringService } from './monitoring.service.js';
import { createProvinceExportService } from './province-export.service.js';
import { createReceiverHub } from './receiver-hub.js';
import { createReceiverSyncService } from './receiver-sync.service.js';
import { createReceiversService } from './receivers.service.js';
import { createReportsService } from './reports.service.js';
import { createSeedService } from './seed/seed.service.js';
import { createUsersService } from './users.service.js';
import { createWebhooksService } from './webhooks.service.js';

export interface ServiceDeps {
  /** Repositories outside any transaction, for reads. */
  readonly repos: Repositories;
  /** The unit of work: everything a use case writes commits together. */
  readonly tx: UnitOfWork;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly passwords: PasswordHasher;
  readonly sessionTtlHours: number;
  readonly bus: EventBus;
  readonly inspector: AudioInspector;
  readonly audio: AudioWork;
  readonly jobs: JobRunnerSignal;
  readonly media: MediaStore;
  /** Below this much free space on the media disk, monitoring warns. */
  readonly minFreeMediaBytes: number;
  /** How far ahead occurrences of series are materialised (rolling horizon, default 7 days). */
  readonly horizonMs?: number;
  /** Seals webhook signing secrets with a key kept outside the database. */
  readonly secrets: SecretBox;
  readonly webhookTransport: WebhookTransport;
  /** The resolver the webhook transport connects with, for the check at registration. */
  readonly resolveHost: ResolveHost;
  /** `WEBHOOK_ALLOW_PRIVATE`: webhook endpoints on the province's own network. */
  readonly webhookAllowPrivate: boolean;
  /** The service's version, in the webhooks' `User-Agent`. */
  readonly version: string;
}

/** Wires the ports into the use cases; each service gets only what it uses. */
export function createServices(deps: ServiceDeps) {
  const { repos, tx, clock, ids, passwords, bus, logger } = deps;
  const audit = createAuditTrail({ clock, ids });
  const receiverSync = createReceiverSyncService({ repos, tx, clock, ids, bus });
  const announcements = createAnnouncementsService({
    repos,
    tx,
    audit,
    inspector: deps.inspector,
    jobs: deps.jobs,
    bus,
    clock,
    ids,
  });
  const broadcasts = createBroadcastsService({
    repos,
    tx,
    audit,
    bus,
    clock,
    ids,
    logger,
    horizonMs: deps.horizonMs ?? 7 * 86_400_000,
  });
  return {
    auth: createAuthService({
      repos,
      tx,
      audit,
      clock,
      ids,
      passwords,
      sessionTtlHours: deps.sessionTtlHours,
    }),
    hamlets: createHamletsService({ repos, tx, audit, clock, ids }),
    users: createUsersService({ repos, tx, audit, clock, ids, passwords }),
    receivers: createReceiversService({ repos, tx, audit, clock, ids, bus }),
    receiverSync,
    receiverHub: createReceiverHub({
      bus,
      playItems: receiverSync.playItems,
      recheck: repos.receiverSync.findReceiverSessionByTokenHash,
    }),
    monitoring: createMonitoringService({
      repos,
      clock,
      media: deps.media,
      minFreeMediaBytes: deps.minFreeMediaBytes,
    }),
    reports: createReportsService({ repos, clock }),
    provinceExport: createProvinceExportService({ repos, clock }),
    apiTokens: createApiTokensService({ repos, tx, audit, clock, ids }),
    webhooks: createWebhooksService({
      repos,
      tx,
      audit,
      clock,
      ids,
      logger,
      bus,
      secrets: deps.secrets,
      transport: deps.webhookTransport,
      resolveHost: deps.resolveHost,
      allowPrivate: deps.webhookAllowPrivate,
      userAgent: `Loa-Webhooks/${deps.version}`,
    }),
    announcements,
    audio: createAudioService({ repos, tx, audio: deps.audio, media: deps.media, clock, logger }),
    communes: createCommunesService({ repos, tx, audit, clock, ids, passwords }),
    broadcasts,
    bulletins: createBulletinsService({
      repos,
      tx,
      audit,
      clock,
      ids,
      logger,
      bus,
      announcements,
      broadcasts,
    }),
    seed: createSeedService({ tx, audit, clock, ids, passwords }),
  } as const;
}

export type Services = ReturnType<typeof createServices>;
