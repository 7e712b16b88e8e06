import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { sql, type LogEvent } from 'kysely';
import pino from 'pino';
import { Hono } from 'hono';
import { access } from 'node:fs/promises';
import { createApp } from './http/app.js';
import { createMetrics, metricsRoutes, type Metrics } from './http/metrics.node.js';
import { readinessRoutes } from './http/routes/readiness.js';
import { onlineWindowMs } from './domain/receiver/health.js';
import { nodeModulesVendor } from './http/web/assets/vendor-files.node.js';
import type { PushLimits } from './http/routes/receiver-protocol.js';
import { fromTrustedHop } from './http/forwarded.js';
import { alarmRulesOf, ConfigError, s3LocationOf, type Config } from './config.js';
import { createS3Bucket, S3CheckError, type S3Bucket } from './media/s3-bucket.js';
import { createS3NodeMediaStore, type S3NodeMediaStore } from './media/s3-store.node.js';
import { connectDatabase } from './db/connect.node.js';
import type { Db } from './db/database.js';
import { postgresLeaderLock, soleLeader } from './db/leader-lock.node.js';
import { migrateToLatest, pendingMigrations } from './db/migrator.js';
import { createPostgresEventBus, type PostgresEventBus } from './events/pg-event-bus.node.js';
import { cpus, hostname } from 'node:os';
import { createRepositories, createUnitOfWork } from './db/repositories/index.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { createNodeAudioWork, createNodeInspector } from './media/audio-work.node.js';
import { createEspeakEngine } from './media/tts/espeak.js';
import { createFeedFetcher } from './events/feed-fetcher.node.js';
import type { TtsEngine } from './domain/ports/tts.js';
import type { PasswordHasher } from './domain/ports/passwords.js';
import { ffmpegVersion, resolveFfmpeg } from './media/ffmpeg-binaries.js';
import { createFileMediaStore, type FileMediaStore } from './media/file-store.node.js';
import { createDispatcher, type Dispatcher } from './scheduler/dispatcher.js';
import { createWebhookSender, type WebhookSender } from './scheduler/webhook-sender.js';
import { createWebhookTransport, systemResolveHost } from './events/webhook-transport.node.js';
import { createSecretBox } from './crypto/secret-box.js';
import { loadSecretKey } from './crypto/secret-key.node.js';
import type { ResolveHost } from './domain/ports/webhooks.js';
import type { EventBus } from './domain/ports/events.js';
import type { Repositories } from './domain/ports/repositories.js';
import { createEventBus } from './events/in-process-bus.js';
import { createServices, type Services } from './services/index.js';
import type { IntervalTimers } from './services/receiver-hub.js';
import { scryptHasher } from './crypto/passwords.node.js';
import { createCapSignatureVerifier } from './crypto/cap-signature.js';
import { loadTrustedCapCerts } from './crypto/cap-signature.node.js';
import { systemClock, type Clock } from './domain/ports/clock.js';
import { webIds, type IdGenerator } from './domain/ports/ids.js';
import type { Logger } from './domain/ports/logger.js';
import { applyScheduleFiles, readScheduleFiles } from './node-seed.js';

export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * How long what a process leaves in the media store (work folders, temporary uploads, originals no
 * announcement took) is spared at start-up when it is not this process's own: longer than any lease
 * (`JOB_LEASE_S` ≤ 10 min) and than accepting an upload, so that a live instance's work survives.
 */
const LEFTOVER_AGE_MS = 60 * 60_000;

/**
 * The worker id a process holds job leases under: `WORKER_ID`, else the host name and the data
 * folder, which stay the same when the service restarts on the same machine.
 *
 * @example workerIdOf({ WORKER_ID: undefined, DATA_DIR: './data' }) // 'box-1:/srv/loa/data'
 */
function workerIdOf(config: Pick<Config, 'WORKER_ID' | 'DATA_DIR'>): string {
  return config.WORKER_ID ?? `${hostname()}:${resolve(config.DATA_DIR)}`;
}

export interface NodeRuntime {
  readonly config: Config;
  readonly db: Db;
  readonly services: Services;
  /** The repositories outside any transaction, for tests and benchmarks that look at what was stored. */
  readonly repos: Repositories;
  readonly logger: Logger & pino.Logger;
  readonly app: ReturnType<typeof createApp>;
  readonly bus: EventBus;
  readonly dispatcher: Dispatcher;
  /** Works the webhook deliveries (started with the background work; tests call `drain`). */
  readonly webhookSender: WebhookSender;
  readonly jobs: JobQueue;
  readonly media: FileMediaStore;
  readonly metrics: Metrics;
  /** `/readyz` and `/metrics`: part of `app`, and all that a worker or dispatcher process serves. */
  readonly operations: Hono;
  /**
   * Starts the background work: clears what a killed run left in the media store, takes back this
   * worker's jobs, then runs the audio jobs (`jobs`) and the dispatcher's ticks and webhook
   * deliveries (`dispatcher`); both by default, as `loa start` does.
   */
  startBackground(parts?: { readonly jobs?: boolean; readonly dispatcher?: boolean }): Promise<void>;
  /** From now on `/readyz` answers 503, so that load balancers send nothing new here. */
  beginStopping(): void;
  /**
   * Stops the background work and closes the database. With `handBackAfterMs`, jobs still running
   * after that long are handed back to the queue for another worker. `requestsDone` holds the
   * database open until the requests still in flight have been answered.
   */
  close(options?: {
    readonly handBackAfterMs?: number;
    readonly requestsDone?: Promise<void>;
  }): Promise<void>;
}

export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly logger?: pino.Logger;
  /** Wraps the repositories of every unit of work (tests inject a failure between two steps with it). */
  readonly decorateRepositories?: (repositories: Repositories) => Repositories;
  /** How far ahead series are materialised (default 7 days). */
  readonly horizonMs?: number;
  /** Bounds of a push client that stops reading (defaults in `src/http/routes/receiver-protocol.ts`). */
  readonly push?: PushLimits;
  /** The push channels' keep-alives and silence checks (default: the system's timers). */
  readonly pushTimers?: IntervalTimers;
  /** Sees every SQL statement the runtime runs (the dispatcher benchmark counts them). */
  readonly queryLog?: (event: LogEvent) => void;
  /**
   * How webhook hosts are resolved (default: the system resolver). Tests answer for names that no
   * resolver here knows; the addresses are checked and connected to as the system's would be.
   */
  readonly resolveHost?: ResolveHost;
  /** Which parts this process runs (`start`, `serve`, `worker`, `dispatch`): the label of its metrics. */
  readonly role?: string;
  /** The speech engine (default: espeak-ng); tests wrap it to see the texts it is given. */
  readonly tts?: TtsEngine;
  /** Password hashing (default: scrypt); tests hold a check to change the password meanwhile. */
  readonly passwords?: PasswordHasher;
}

/**
 * The embedded Node profile: database from `DATABASE_URL` (SQLite in `DATA_DIR` by default), schema
 * migrated, commune files applied, first admin created, HTTP app built.
 */
export async function createNodeRuntime(
  config: Config,
  overrides: RuntimeOverrides = {},
): Promise<NodeRuntime> {
  const logger = overrides.logger ?? pino({ level: config.LOG_LEVEL, base: { service: 'loa' } });
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? webIds;
  const { provinces, communes } = readScheduleFiles(resolve(config.SCHEDULES_DIR));
  const db = connectDatabase(config.DATABASE_URL, resolve(config.DATA_DIR), { log: overrides.queryLog });
  let sharedBus: PostgresEventBus | undefined;
  try {
    const applied = await migrateToLatest(db.kysely);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    // Several instances share PostgreSQL: an event must reach the push channels every instance holds.
    if (db.capabilities.advisoryLocks && config.DATABASE_URL)
      sharedBus = await createPostgresEventBus({ url: config.DATABASE_URL, logger });
    const bus: EventBus = sharedBus ?? createEventBus();
    const binaries = resolveFfmpeg({ FFMPEG_PATH: config.FFMPEG_PATH });
    binaries.catch(() => undefined);
    const workerId = workerIdOf(config);
    const bucket = await openBucket(config);
    // With a bucket, MEDIA_DIR holds only what this process is working on (uploads arriving, job files).
    const media: FileMediaStore | S3NodeMediaStore = bucket
      ? createS3NodeMediaStore(bucket, resolve(config.MEDIA_DIR), { owner: workerId })
      : createFileMediaStore(resolve(config.MEDIA_DIR), { owner: workerId });
    // The health check asks the disk under the root for its free space: the root must be there.
    mkdirSync(media.root, { recursive: true });
    const repos = createRepositories(db.kysely, db.capabilities);
    const metrics = createMetrics(overrides.role ?? 'start');
    let stopping = false;
    const tx = createUnitOfWork(db, overrides.decorateRepositories);
    // The job runner's handlers are the services' methods, built just below.
    let services: Services | undefined;
    const jobs = createJobQueue({
      jobs: repos.jobs,
      handlers: {
        'process-variant': (data, job) => services!.audio.processVariant(data.variantId, job),
        'speak-header': (data, job) => services!.disaster.speakPendingHeader(data, job),
        'speak-slot-header': (data, job) => services!.capAlerts.speakPendingSlotHeader(data, job),
      },
      clock,
      logger,
      concurrency: config.JOB_CONCURRENCY ?? cpus().length,
      leaseMs: config.JOB_LEASE_S * 1000,
      workerId,
      observeJob: (name, outcome, seconds) => metrics.observeJob(name, outcome, seconds),
    });
    const resolveHost = overrides.resolveHost ?? systemResolveHost;
    services = createServices({
      repos,
      tx,
      secrets: await createSecretBox(loadSecretKey(config)),
      webhookTransport: createWebhookTransport({
        allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
        resolveHost,
      }),
      resolveHost,
      webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      version,
      inspector: createNodeInspector({ binaries, media }),
      audio: metrics.observeAudio(
        createNodeAudioWork({ binaries, media, tts: overrides.tts ?? createEspeakEngine() }),
      ),
      observeEmergency: (report) => metrics.observeEmergency(report),
      ...(overrides.pushTimers && { pushTimers: overrides.pushTimers }),
      capSignatures: {
        verifier:
          config.CAP_TRUSTED_CERTS.length > 0
            ? createCapSignatureVerifier(loadTrustedCapCerts(config.CAP_TRUSTED_CERTS))
            : undefined,
        required: config.CAP_REQUIRE_SIGNATURE,
      },
      capFeeds: {
        feeds: config.capFeeds,
        fetcher: createFeedFetcher({ allowPrivate: config.CAP_FEED_ALLOW_PRIVATE, resolveHost }),
        intervalMs: config.CAP_FEED_INTERVAL_S * 1000,
      },
      jobs,
      media,
      minFreeMediaBytes: config.MEDIA_MIN_FREE_MB * 1_048_576,
      clock,
      ids,
      logger,
      bus,
      passwords: overrides.passwords ?? scryptHasher,
      sessionTtlHours: config.SESSION_TTL_HOURS,
      alarmRules: alarmRulesOf(config),
      ...(overrides.horizonMs !== undefined && { horizonMs: overrides.horizonMs }),
    });
    const dispatcher = createDispatcher({
      services,
      clock,
      logger,
      heartbeatRetentionDays: config.HEARTBEAT_RETENTION_DAYS,
      observeTick: (seconds, report) => metrics.observeTick(seconds, report),
      lock:
        db.capabilities.advisoryLocks && config.DATABASE_URL
          ? postgresLeaderLock(config.DATABASE_URL)
          : soleLeader,
    });
    // Its own lease holder per process: two processes on one data folder must not settle each other's attempts.
    const webhookSender = createWebhookSender({
      services,
      logger,
      workerId: `${workerId}#${ids.id().slice(-12)}`,
    });
    const stopListening = services.webhooks.listen(() => webhookSender.wake());
    await applyScheduleFiles(services.seed, { provinces, communes }, config, logger);
    metrics.watch(
      {
        jobsByStatus: () => repos.jobs.countJobsByStatus(),
        jobsRunningHere: () => jobs.runningCount(),
        channelsOpen: () => services!.receiverHub.stats().connections,
        receiversOnline: () =>
          repos.receivers.countSeenSince(new Date(clock.now().getTime() - onlineWindowMs()).toISOString()),
      },
      bus,
    );
    const operations = new Hono();
    operations.route('/', metricsRoutes(metrics, config.METRICS_TOKEN));
    operations.route(
      '/',
      readinessRoutes({
        database: async () => void (await sql`select 1`.execute(db.kysely)),
        pendingMigrations: () => pendingMigrations(db.kysely),
        media: bucket ? () => bucket.check() : () => access(media.root),
        stopping: () => stopping,
      }),
    );
    const app = createApp({
      observeRequests: metrics.observeRequests(),
      operations,
      services,
      clock,
      ids,
      logger,
      version,
      media,
      // A long WAV is shrunk in the browser before a slow upload; ffmpeg's files come from node_modules.
      browserAudio: 'shrink',
      vendor: nodeModulesVendor,
      uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1_048_576,
      ...(config.MEDIA_REDIRECT === 'presigned' &&
        bucket && {
          mediaLink: (sha256: string, ext: string) =>
            (media as S3NodeMediaStore).assetUrl(sha256, ext, config.MEDIA_PRESIGN_S),
        }),
      clientIp: (c: Context) => clientIp(c, config.TRUST_PROXY),
      trustedProxies: config.TRUST_PROXY,
      ...(overrides.push && { push: overrides.push }),
      health: {
        // Which database, never where its file is: the health check is public.
        database: async () => {
          await sql`select 1`.execute(db.kysely);
          return { ok: true, detail: db.capabilities.rowLocks ? 'postgresql' : 'sqlite' };
        },
        ffmpeg: async () => {
          const found = await binaries;
          return { ok: true, detail: `${await ffmpegVersion(found.ffmpeg)} (${found.source})` };
        },
        // How much room, never where: the health check is public.
        media: async () => {
          const space = await services!.monitoring.mediaSpace();
          const mb = (bytes: number) => `${Math.floor(bytes / 1_048_576)} MB`;
          const detail =
            space.freeBytes === null
              ? 'free space unknown'
              : `${mb(space.freeBytes)} free${space.low ? `, below the ${mb(space.minFreeBytes)} wanted` : ''}`;
          return { ok: !space.low, detail, freeBytes: space.freeBytes };
        },
      },
    });
    return {
      config,
      db,
      services,
      repos,
      logger,
      app,
      bus,
      dispatcher,
      webhookSender,
      jobs,
      media,
      metrics,
      operations,
      beginStopping: () => {
        stopping = true;
      },
      startBackground: async ({ jobs: runJobs = true, dispatcher: runDispatcher = true } = {}) => {
        if (!runJobs) {
          if (runDispatcher) {
            dispatcher.start();
            webhookSender.start();
          }
          return;
        }
        // Before any job runs, so that nothing of this run's own is taken for a leftover.
        try {
          const tmp = await media.removeOrphans(LEFTOVER_AGE_MS, { includeOwn: true });
          const originals = await services!.audio.removeAbandonedOriginals(LEFTOVER_AGE_MS);
          logger.info({ ...tmp, originals }, 'media store cleared of leftovers');
        } catch (error) {
          // A clean-up that fails costs disk space, not service: start anyway.
          logger.error({ err: (error as Error).message }, 'media store clean-up failed');
        }
        await jobs.start();
        if (runDispatcher) {
          dispatcher.start();
          webhookSender.start();
        }
      },
      close: async (options = {}) => {
        stopping = true;
        await Promise.all([
          webhookSender.stop(),
          dispatcher.stop(),
          jobs.stop(options),
          options.requestsDone,
        ]);
        stopListening();
        await sharedBus?.close();
        await db.close();
      },
    };
  } catch (error) {
    await sharedBus?.close();
    await db.close();
    throw error;
  }
}

/**
 * The bucket of `MEDIA_URL`, checked before anything is served: a wrong address, bucket name or key
 * stops the start with a message naming the variable to fix.
 */
async function openBucket(config: Config): Promise<S3Bucket | null> {
  const location = s3LocationOf(config);
  if (!location) return null;
  const bucket = createS3Bucket(location);
  try {
    await bucket.check();
  } catch (error) {
    if (error instanceof S3CheckError) throw new ConfigError(`Media store: ${error.message}`);
    throw error;
  }
  return bucket;
}

function clientIp(c: Context, trustedProxies: number): string {
  const forwarded = fromTrustedHop(c.req.header('x-forwarded-for'), trustedProxies);
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
