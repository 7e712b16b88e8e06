import { DurableObject } from 'cloudflare:workers';
import { sql } from 'kysely';
import { alarmRulesOf, withoutBlanks } from './config.js';
import { webCryptoHasher } from './crypto/passwords.js';
import { createSecretBox, parseSecretKey } from './crypto/secret-box.js';
import type { D1Binding } from './db/d1/binding.js';
import { connectD1, migrateD1, type D1Db } from './db/d1/connect.js';
import { createRepositories, createUnitOfWork } from './db/repositories/index.js';
import { systemClock, type Clock } from './domain/ports/clock.js';
import type { EventBus, LoaEvent } from './domain/ports/events.js';
import { webIds, type IdGenerator } from './domain/ports/ids.js';
import type { Logger } from './domain/ports/logger.js';
import type { Repositories } from './domain/ports/repositories.js';
import type { FeedFetcher } from './domain/ports/feeds.js';
import type { ResolveHost, SecretBox } from './domain/ports/webhooks.js';
import { LoaError } from './domain/errors.js';
import { createConsoleLogger } from './edge/console-logger.js';
import { createCronLease, type CronLease } from './db/d1/cron-lease.js';
import { createFetchFeedFetcher } from './edge/feed-fetcher.js';
import { createPushBus, type PushBus } from './edge/push-bus.js';
import { edgeConfigSchema, edgeStartConfig } from './worker-config.js';
import { createFetchWebhookTransport, dnsOverHttps } from './edge/webhook-transport.js';
import { createEventBus } from './events/in-process-bus.js';
import { createApp } from './http/app.js';
import { answerFailedStart } from './worker-failed-start.js';
import { createR2MediaStore, headOfUpload, type R2BucketLike, type R2MediaStore } from './media/r2-store.js';
import { createProcessedIntake } from './media/processed-intake.js';
import { workersSha256 } from './media/sha256-stream.js';
import { createSniffingInspector } from './media/sniff.js';
// mpg123 compiled when the Worker is bundled: Workers compile no WebAssembly from bytes at run time.
import mpg123 from './media/mpg123.wasm';
import { createDispatcher, type Dispatcher } from './scheduler/dispatcher.js';
import { createServices, type Services } from './services/index.js';
import { runCronTrigger, type ExecutionContextLike } from './worker-cron.js';
import { applyScheduleFiles } from './worker-seed.js';
import packageJson from '../package.json' with { type: 'json' };

/** A Durable Object namespace as far as the Worker uses it. */
interface NamespaceLike<Stub> {
  idFromName(name: string): unknown;
  get(id: unknown): Stub;
}

/** What a commune's push object answers: the receivers' event streams, and events to deliver. */
interface CommunePushStub {
  fetch(request: Request): Promise<Response>;
  publish(event: LoaEvent): Promise<void>;
}

/** The bindings and variables of `wrangler.toml`, and the secrets put with `wrangler secret put`. */
export interface Env {
  readonly DB: D1Binding;
  readonly MEDIA: R2BucketLike;
  readonly PUSH: NamespaceLike<CommunePushStub>;
  readonly LOA_ADMIN_PASSWORD?: string;
  readonly LOA_PROVINCE_ADMIN_PASSWORD?: string;
  readonly LOG_LEVEL?: string;
  readonly SESSION_TTL_HOURS?: string;
  readonly UPLOAD_LIMIT_MB?: string;
  readonly HEARTBEAT_RETENTION_DAYS?: string;
  /** What processing nodes authenticate with: `wrangler secret put LOA_PROCESSING_TOKEN`. */
  readonly LOA_PROCESSING_TOKEN?: string;
  /** Seals webhook signing secrets (32 bytes, base64): `wrangler secret put LOA_SECRET_KEY`. */
  readonly LOA_SECRET_KEY?: string;
  /** CAP feeds the Cron Trigger polls, `PROVINCECODE:URL` separated by spaces or commas. */
  readonly CAP_FEEDS?: string;
  readonly CAP_FEED_INTERVAL_S?: string;
  /**
   * The PEM text (not file names, as on Node) of the certificates whose keys may sign CAP alerts:
   * `wrangler secret put CAP_TRUSTED_CERTS < signers.pem`.
   */
  readonly CAP_TRUSTED_CERTS?: string;
  /** `1`: unsigned CAP alerts are refused. */
  readonly CAP_REQUIRE_SIGNATURE?: string;
}

/** Without `LOA_SECRET_KEY` the edge keeps no webhook secret: registering an endpoint says what to set. */
const noSecretKey: SecretBox = {
  seal: () => Promise.reject(missingSecretKey()),
  open: () => Promise.reject(missingSecretKey()),
};
const missingSecretKey = () =>
  new LoaError(
    503,
    'secret_key_missing',
    'Webhooks need LOA_SECRET_KEY (32 random bytes in base64): wrangler secret put LOA_SECRET_KEY.',
    'Chưa cấu hình LOA_SECRET_KEY nên chưa dùng được webhook; hãy báo cho quản trị hệ thống.',
  );

export interface EdgeOverrides {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly logger?: Logger;
  /** Resolves host names for the outbound checks (default: DNS over HTTPS). */
  readonly resolveHost?: ResolveHost;
  /** Reads CAP feeds (default: `fetch` with the outbound checks). */
  readonly feedFetcher?: FeedFetcher;
  /** Wraps the repositories of every unit of work (tests inject a failure between two steps with it). */
  readonly decorateRepositories?: (repositories: Repositories) => Repositories;
}

export interface EdgeRuntime {
  readonly db: D1Db;
  readonly services: Services;
  readonly repos: Repositories;
  readonly media: R2MediaStore;
  readonly app: ReturnType<typeof createApp>;
  readonly dispatcher: Dispatcher;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Resolves once the events published so far reached the communes' push objects. */
  settle(): Promise<void>;
}

/**
 * The edge profile, wired: D1 (migrated, journal installed, commune files applied and the first users
 * made — once per deployment), R2, the same services and the same Hono app as Node, push channels held
 * by one Durable Object per commune. `role: 'push'` is the runtime inside such an object: it serves the
 * event streams from its own receiver hub and leaves migrating to the Worker.
 */
export async function createEdgeRuntime(
  env: Env,
  options: EdgeOverrides & { readonly role?: 'worker' | 'push' } = {},
): Promise<EdgeRuntime & { readonly localBus: EventBus }> {
  // Every binding and variable checked before anything is built: a start that fails names them all.
  const { config, feeds, capVerifier } = edgeStartConfig(env);
  const resolveHost = options.resolveHost ?? dnsOverHttps();
  const logger = options.logger ?? createConsoleLogger(config.LOG_LEVEL, { service: 'loa', profile: 'edge' });
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? webIds;
  const db = connectD1(env.DB);
  const role = options.role ?? 'worker';
  if (role === 'worker') {
    const applied = await migrateD1(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } else {
    await db.journal.bootstrap();
    await db.journal.installJournal({ readOnly: true });
  }
  const repos = createRepositories(db.kysely, db.capabilities);
  const tx = createUnitOfWork(db, options.decorateRepositories);
  const media = createR2MediaStore(env.MEDIA);
  const localBus = createEventBus();
  const hamletCommunes = new Map<string, string>();
  async function communesOfHamlets(hamletIds: readonly string[]): Promise<readonly string[]> {
    const unknown = hamletIds.filter((id) => !hamletCommunes.has(id));
    // A hamlet never moves to another commune: what was looked up once stays true.
    for (const h of unknown.length > 0 ? await repos.hamlets.findHamlets(unknown) : []) {
      hamletCommunes.set(h.id, h.communeId);
    }
    return [...new Set(hamletIds.flatMap((id) => hamletCommunes.get(id) ?? []))];
  }
  const pushOf = (communeId: string) => env.PUSH.get(env.PUSH.idFromName(communeId));
  const pushBus: PushBus | undefined =
    role === 'worker'
      ? createPushBus({
          logger,
          communesOfHamlets,
          communesOfBooking: (bookingId) => repos.broadcasts.listCommunesOfBooking(bookingId),
          async communeOfReceiver(receiverId) {
            const receiver = await repos.receivers.findReceiver(receiverId);
            return receiver ? (await communesOfHamlets([receiver.hamletId]))[0] : undefined;
          },
          target: pushOf,
        })
      : undefined;
  const bus = pushBus ?? localBus;
  const services = createServices({
    repos,
    tx,
    clock,
    ids,
    logger,
    bus,
    passwords: webCryptoHasher,
    secrets: env.LOA_SECRET_KEY ? await createSecretBox(parseSecretKey(env.LOA_SECRET_KEY)) : noSecretKey,
    webhookTransport: createFetchWebhookTransport({ resolveHost }),
    resolveHost,
    // Polled by the Cron Trigger's dispatcher tick, as the Node dispatcher polls them.
    capFeeds: {
      feeds,
      fetcher: options.feedFetcher ?? createFetchFeedFetcher({ resolveHost }),
      intervalMs: config.CAP_FEED_INTERVAL_S * 1000,
    },
    capSignatures: { verifier: capVerifier, required: config.CAP_REQUIRE_SIGNATURE },
    webhookAllowPrivate: false,
    version: packageJson.version,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    alarmRules: alarmRulesOf(config),
    inspector: createSniffingInspector((key) => headOfUpload(media, key, 16)),
    // Speech (bulletin headers, CAP alerts) is a processing node's job, where nodes may take jobs.
    speech: env.LOA_PROCESSING_TOKEN ? 'processing-node' : 'none',
    // Audio jobs go to processing nodes, which fetch the originals from R2.
    openSource: (key) => media.openUpload(key),
    // Uploads processed in the browser are decoded and measured here before they are taken.
    intake: createProcessedIntake({
      open: (key) => media.openUpload(key),
      sha256: workersSha256,
      putAsset: (key, ext, expected) => media.putAssetFromUpload(key, ext, expected),
      removeAsset: (sha256, ext) => media.removeAsset(sha256, ext),
      isSaved: (sha256) => repos.announcements.isAssetSaved(sha256),
      wasm: mpg123,
    }),
    // No ffmpeg runs in a Worker: recordings come processed from the browser, or go to a processing node.
    audio: { process: () => Promise.reject(new Error('the edge profile processes no audio itself')) },
    jobs: { wake: () => undefined },
    media,
    minFreeMediaBytes: 0,
  });
  // The facts' units of work write their webhooks; the Cron Trigger sends them.
  if (role === 'worker') await applyScheduleFiles(db, services, config, logger);
  const dispatcher = createDispatcher({
    services,
    clock,
    logger,
    heartbeatRetentionDays: config.HEARTBEAT_RETENTION_DAYS,
    // The Cron run ticks only under its lease in D1 (`cron-lease.ts`): one tick at a time across isolates.
    lock: { acquire: async () => true, release: async () => undefined },
  });
  const app = createApp({
    services,
    clock,
    ids,
    logger,
    version: packageJson.version,
    media,
    uploadLimitBytes: config.UPLOAD_LIMIT_MB * 1_048_576,
    clientIp: (c) => c.req.header('cf-connecting-ip') ?? 'unknown',
    // Cloudflare's edge terminates TLS and says how the browser came in.
    trustedProxies: 0,
    processingToken: env.LOA_PROCESSING_TOKEN,
    // No ffmpeg here: the upload page levels and encodes in the browser. ffmpeg's files are Workers
    // static assets (wrangler.toml [assets]), served before the Worker is asked.
    browserAudio: 'process',
    holdPushElsewhere:
      role === 'worker'
        ? async (request, session) => {
            const [communeId] = await communesOfHamlets([session.hamletId]);
            return pushOf(communeId ?? session.hamletId).fetch(request);
          }
        : undefined,
    health: {
      database: async () => {
        await sql`select 1`.execute(db.kysely);
        return { ok: true, detail: 'd1' };
      },
      ffmpeg: async () => ({
        ok: true,
        detail: 'none on the edge: audio is processed in the browser or by a processing node',
      }),
      media: async () => {
        await env.MEDIA.head('health');
        return { ok: true, detail: 'r2', freeBytes: null };
      },
    },
  });
  return {
    db,
    services,
    repos,
    media,
    app,
    dispatcher,
    bus,
    localBus,
    logger,
    settle: async () => {
      await pushBus?.settle();
    },
  };
}

/** One runtime per isolate and deployment: made by the first request, shared by the ones after. */
let shared: { env: Env; runtime: Promise<EdgeRuntime> } | undefined;

function runtimeFor(env: Env): Promise<EdgeRuntime> {
  if (shared?.env !== env) {
    const runtime = createEdgeRuntime(env);
    // A start that failed (D1 unreachable) is tried again by the next request, not remembered.
    runtime.catch(() => {
      if (shared?.runtime === runtime) shared = undefined;
    });
    shared = { env, runtime };
  }
  return shared.runtime;
}

/** One lease per D1 binding and isolate: its table is made once. */
const cronLeases = new WeakMap<D1Binding, CronLease>();
const cronLeaseOf = (db: D1Binding): CronLease => {
  let lease = cronLeases.get(db);
  if (!lease) cronLeases.set(db, (lease = createCronLease(db)));
  return lease;
};

/** The log of a request that came while the isolate could not start, at the deployment's level. */
function startLogger(env: Env): Logger {
  const level = edgeConfigSchema.pick({ LOG_LEVEL: true }).safeParse(withoutBlanks(env));
  return createConsoleLogger(level.success ? level.data.LOG_LEVEL : 'info', {
    service: 'loa',
    profile: 'edge',
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
    let runtime: EdgeRuntime;
    try {
      runtime = await runtimeFor(env);
    } catch (error) {
      return answerFailedStart(request, error, startLogger(env));
    }
    const response = await runtime.app.fetch(request);
    ctx.waitUntil(runtime.settle());
    return response;
  },

  /** The Cron Trigger (`runCronTrigger`). */
  async scheduled(
    controller: { readonly scheduledTime: number },
    env: Env,
    ctx: ExecutionContextLike,
  ): Promise<void> {
    await runCronTrigger(await runtimeFor(env), controller.scheduledTime, ctx, cronLeaseOf(env.DB));
  },
};

/**
 * One per commune: holds its receivers' push channels (the Server-Sent Events of protocol v1, which the
 * agent reads unchanged) and delivers the events the Workers publish to it, with the receiver hub of
 * the Node profile.
 */
export class CommunePush extends DurableObject<Env> {
  readonly #runtime: Promise<EdgeRuntime & { readonly localBus: EventBus }>;

  constructor(ctx: unknown, env: Env) {
    super(ctx, env);
    this.#runtime = createEdgeRuntime(env, { role: 'push' });
  }

  async fetch(request: Request): Promise<Response> {
    return (await this.#runtime).app.fetch(request);
  }

  async publish(event: LoaEvent): Promise<void> {
    (await this.#runtime).localBus.publish(event);
  }
}
