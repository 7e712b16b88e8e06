import type { AudioInspector, AudioWork, ProcessedAudioIntake } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import { onlineWindowMs } from '../domain/receiver/health.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { JobRunnerSignal } from '../domain/ports/jobs.js';
import type { Logger } from '../domain/ports/logger.js';
import type { MediaStore } from '../domain/ports/media-store.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { ResolveHost, SecretBox, WebhookTransport } from '../domain/ports/webhooks.js';
import type { AlarmRules } from '../domain/receiver/alarm.js';
import { createApiTokensService } from './api-tokens.service.js';
import { createAnnouncementsService } from './announcements.service.js';
import { createAudioService } from './audio.service.js';
import { createProcessingService } from './processing.service.js';
import { createAuditTrail } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import { createBroadcastsService } from './broadcasts.service.js';
import { createBulletinsService } from './bulletins.service.js';
import { createCommunesService } from './communes.service.js';
import type { SpeechPlace } from './disaster-header.js';
import { createDisasterService } from './disaster.service.js';
import type { CapSignaturePolicy } from '../domain/cap/signature.js';
import { createCapAlertsService } from './cap-alerts.service.js';
import { createCapFeedsService, type CapFeedsDeps } from './cap-feeds.service.js';
import { createHamletsService } from './hamlets.service.js';
import { createMonitoringService } from './monitoring.service.js';
import { createProvinceExportService } from './province-export.service.js';
import { createReceiverHub, type ReceiverHubDeps } from './receiver-hub.js';
import { createReceiverAlarmsService } from './receiver-alarms.service.js';
import { createReceiverCommandsService } from './receiver-commands.service.js';
import { createListenAgainService } from './listen-again.service.js';
import { createReceiverSyncService } from './receiver-sync.service.js';
import { createReceiversService } from './receivers.service.js';
import { createReportsService } from './reports.service.js';
import { createSeedService } from './seed/seed.service.js';
import { createUsersService } from './users.service.js';
import { createWebhookOutbox } from './webhook-events.js';
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
  /** Measures and takes audio processed elsewhere (the edge profile); Node levels every upload itself. */
  readonly intake?: ProcessedAudioIntake;
  /** A kept original as a stream, for processing nodes (with `intake`, the edge profile's audio jobs). */
  readonly openSource?: (key: string) => Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>;
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
  /** What raises a receiver's alarm (`ALARM_MISSED_HEARTBEATS`, `ALARM_LOW_STORAGE_MB`). */
  readonly alarmRules?: AlarmRules | undefined;
  /**
   * Where speech (headers, alerts) is made: by `audio` here (default), by processing nodes (default
   * with `intake` and `openSource`), or nowhere (an edge deployment that takes no processing node).
   */
  readonly speech?: SpeechPlace;
  /** Told how long each emergency took to leave this process's push channels. */
  readonly observeEmergency?: ReceiverHubDeps['observeEmergency'];
  /** The push channels' keep-alive and silence checks (default: the system's timers). */
  readonly pushTimers?: ReceiverHubDeps['timers'];
  /** CAP feeds polled on the dispatcher's tick (`CAP_FEEDS`), on Node and by the edge's Cron Trigger. */
  readonly capFeeds?: Pick<CapFeedsDeps, 'feeds' | 'fetcher' | 'intervalMs'>;
  /** How CAP signatures are verified (`CAP_TRUSTED_CERTS`, `CAP_REQUIRE_SIGNATURE`); no verifier on the edge. */
  readonly capSignatures?: CapSignaturePolicy;
}

/** Wires the ports into the use cases; each service gets only what it uses. */
export function createServices(deps: ServiceDeps) {
  const { repos, tx, clock, ids, passwords, bus, logger } = deps;
  const audit = createAuditTrail({ clock, ids });
  // Where the facts with a webhook write it, in their own units of work.
  const webhookOutbox = createWebhookOutbox({ clock, ids });
  const receiverCommands = createReceiverCommandsService({ repos, tx, audit, clock, ids, bus });
  const receiverSync = createReceiverSyncService({
    repos,
    tx,
    clock,
    ids,
    bus,
    webhooks: webhookOutbox,
    commands: receiverCommands,
  });
  const announcements = createAnnouncementsService({
    repos,
    tx,
    audit,
    inspector: deps.inspector,
    media: deps.media,
    intake: deps.intake,
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
    webhooks: webhookOutbox,
    clock,
    ids,
    logger,
    horizonMs: deps.horizonMs ?? 7 * 86_400_000,
  });
  // Where processing nodes do the audio work (the edge), they speak the bulletins' headers too.
  const speech: SpeechPlace = deps.speech ?? (deps.intake && deps.openSource ? 'processing-node' : 'here');
  const disaster = createDisasterService({
    repos,
    tx,
    audit,
    clock,
    ids,
    audio: deps.audio,
    speech,
    jobs: deps.jobs,
    broadcasts,
  });
  const capAlerts = createCapAlertsService({
    repos,
    tx,
    audit,
    clock,
    ids,
    audio: deps.audio,
    speech,
    logger,
    disaster,
    broadcasts,
    signatures: deps.capSignatures ?? {},
  });
  const audio = createAudioService({ repos, tx, audio: deps.audio, media: deps.media, clock, logger });
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
    hamlets: createHamletsService({ repos, tx, audit, clock, ids, bus }),
    users: createUsersService({ repos, tx, audit, clock, ids, passwords }),
    receivers: createReceiversService({
      repos,
      tx,
      audit,
      clock,
      ids,
      bus,
      webhooks: webhookOutbox,
    }),
    receiverSync,
    receiverHub: createReceiverHub({
      bus,
      logger,
      emergencyItems: receiverSync.emergencyItems,
      recheck: repos.receiverSync.findReceiverSessionByTokenHash,
      silentAmong: (receiverIds) =>
        repos.receivers.listSilentAmong(
          receiverIds,
          new Date(clock.now().getTime() - onlineWindowMs()).toISOString(),
        ),
      observeEmergency: deps.observeEmergency,
      timers: deps.pushTimers,
      commandOpen: (commandId) => receiverCommands.isOpen(commandId),
      onCommandsDelivered: (commandIds) =>
        void receiverCommands
          .markDelivered(commandIds)
          .catch((error: Error) => logger.error({ err: error.message }, 'command delivery not recorded')),
    }),
    receiverCommands,
    receiverAlarms: createReceiverAlarmsService({
      repos,
      tx,
      clock,
      ids,
      bus,
      webhooks: webhookOutbox,
      rules: deps.alarmRules,
    }),
    monitoring: createMonitoringService({
      repos,
      clock,
      media: deps.media,
      minFreeMediaBytes: deps.minFreeMediaBytes,
    }),
    reports: createReportsService({ repos, clock }),
    listenAgain: createListenAgainService({ repos, clock }),
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
    audio,
    /** Audio jobs done by processing nodes over HTTP, where the process runs no ffmpeg (the edge). */
    processing:
      deps.intake && deps.openSource
        ? createProcessingService({
            repos,
            audio,
            disaster,
            capAlerts,
            intake: deps.intake,
            openSource: deps.openSource,
            clock,
            logger,
          })
        : undefined,
    communes: createCommunesService({ repos, tx, audit, clock, ids, passwords, bus }),
    broadcasts,
    disaster,
    capAlerts,
    capFeeds: createCapFeedsService({
      feeds: deps.capFeeds?.feeds ?? [],
      fetcher: deps.capFeeds?.fetcher ?? { get: async () => ({ error: 'no feeds on this profile' }) },
      intervalMs: deps.capFeeds?.intervalMs ?? 120_000,
      capAlerts,
      repos,
      clock,
      logger,
    }),
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
