import { DurableObject } from 'cloudflare:workers';
import { sql } from 'kysely';
import {
  alarmRulesOf,
  capFeedsOf,
  ConfigError,
  configSchema,
  withoutBlanks,
  withoutPasswords,
} from './config.js';
import { createCapSignatureVerifier, trustedCapCertsOf } from './crypto/cap-signature.js';
import { webCryptoHasher } from './crypto/passwords.js';
import { createSecretBox, parseSecretKey } from './crypto/secret-box.js';
import type { D1Binding } from './db/d1/binding.js';
import { connectD1, migrateD1, type D1Db } from './db/d1/connect.js';
import { createRepositories, createUnitOfWork } from './db/repositories/index.js';
import type { CapSignatureVerifier } from './domain/cap/signature.js';
import { systemClock, type Clock } from './domain/ports/clock.js';
import type { EventBus, LoaEvent } from './domain/ports/events.js';
import { webIds, type IdGenerator } from './domain/ports/ids.js';
import type { Logger } from './domain/ports/logger.js';
import type { Repositories } from './domain/ports/repositories.js';
import type { FeedFetcher } from './domain/ports/feeds.js';
import type { ResolveHost, SecretBox } from './domain/ports/webhooks.js';
import { LoaError } from './domain/errors.js';
import { createConsoleLogger } from './edge/console-logger.js';
import { createFetchFeedFetcher } from './edge/feed-fetcher.js';
import { createPushBus, type PushBus } from './edge/push-bus.js';
import { createFetchWebhookTransport, dnsOverHttps } from './edge/webhook-transport.js';
import { createEventBus } from './events/in-process-bus.js';
import { createApp } from './http/app.js';
import { answerFailedStart } from './http/failed-start.js';
import { createR2MediaStore, type R2BucketLike, type R2MediaStore } from './media/r2-store.js';
import { createProcessedIntake } from './media/processed-intake.js';
import { createSniffingInspector } from './media/sniff.js';
// mpg123 compiled when the Worker is bundled: Workers compile no WebAssembly from bytes at run time.
import mpg123 from './media/mpg123.wasm';
import { createDispatcher, type Dispatcher } from './scheduler/dispatcher.js';
import { createServices, type Services } from './services/index.js';
import { isProvinceFile, parseCommuneFile, parseProvinceFile } from './services/seed/commune-file.js';
import cocSan from '../schedules/coc-san.json' with { type: 'json' };
import province from '../schedules/province.json' with { type: 'json' };
import quangKim from '../schedules/quang-kim.json' with { type: 'json' };
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

/** Settings an edge deployment reads from its variables, checked as the Node profile checks them. */
const edgeConfigSchema = configSchema.pick({
  LOA_ADMIN_PASSWORD: true,
  LOA_PROVINCE_ADMIN_PASSWORD: true,
  LOG_LEVEL: true,
  SESSION_TTL_HOURS: true,
  UPLOAD_LIMIT_MB: true,
  HEARTBEAT_RETENTION_DAYS: true,
  ALARM_MISSED_HEARTBEATS: true,
  ALARM_LOW_STORAGE_MB: true,
  CAP_FEEDS: true,
  CAP_FEED_INTERVAL_S: true,
  CAP_REQUIRE_SIGNATURE: true,
});

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

/** The schedules folder, bundled: a Worker has no disk to read it from at start. */
const scheduleFiles = [
  { file: 'schedules/province.json', text: JSON.stringify(province) },
  { file: 'schedules/coc-san.json', text: JSON.stringify(cocSan) },
  { file: 'schedules/quang-kim.json', text: JSON.stringify(quangKim) },
] as const;

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

/** The CAP signature verifier over the PEM text of `CAP_TRUSTED_CERTS`; none when it is unset. */
function edgeCapVerifier(pemText: string | undefined): CapSignatureVerifier | undefined {
  if (!pemText?.trim()) return undefined;
  try {
    return createCapSignatureVerifier(trustedCapCertsOf(pemText, 'CAP_TRUSTED_CERTS'));
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${(error as Error).message}`);
  }
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
  const config = edgeConfigSchema.parse(withoutBlanks(env));
  // No CAP_FEED_ALLOW_PRIVATE here: a Worker's subrequests cannot reach a province's private network.
  const feeds = capFeedsOf(config.CAP_FEEDS, false);
  if (!feeds.ok)
    throw new ConfigError(`Invalid configuration:\n  CAP_FEEDS: ${withoutPasswords(feeds.error)}`);
  const capVerifier = edgeCapVerifier(env.CAP_TRUSTED_CERTS);
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
      feeds: feeds.feeds,
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
      read: (key) => media.readUpload(key),
      putAsset: (bytes, ext) => media.putAsset(bytes, ext),
      wasm: mpg123,
    }),
    // No ffmpeg runs in a Worker: recordings come processed from the browser, or go to a processing node.
    audio: { process: () => Promise.reject(new Error('the edge profile processes no audio itself')) },
    jobs: { wake: () => undefined },
    media,
    minFreeMediaBytes: 0,
  });
  if (role === 'worker') {
    await applyScheduleFiles(db, services, config, logger);
    // Events become webhook deliveries in this isolate; the Cron Trigger sends them (`deliverWebhooks`).
    services.webhooks.listen();
  }
  const dispatcher = createDispatcher({
    services,
    clock,
    logger,
    heartbeatRetentionDays: config.HEARTBEAT_RETENTION_DAYS,
    // Cron Triggers start one tick at a time per schedule; the units of work serialise the rest.
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
      await services.webhooks.whenRecorded();
    },
  };
}

/**
 * The first `bytes` of an upload, read from R2's stream, which is then let go: a recording may be 100 MB
 * and an isolate has 128 MB for all of its requests.
 */
async function headOfUpload(media: R2MediaStore, key: string, bytes: number): Promise<Uint8Array> {
  const upload = await media.openUpload(key);
  if (!upload) return new Uint8Array();
  const reader = upload.body.getReader();
  const head = new Uint8Array(bytes);
  let filled = 0;
  try {
    while (filled < bytes) {
      const chunk = await reader.read();
      if (chunk.done) break;
      const part = chunk.value.subarray(0, bytes - filled);
      head.set(part, filled);
      filled += part.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return head.subarray(0, filled);
}

/** A short digest of the bundled commune files: they are applied again when a deployment changes them. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

async function applyScheduleFiles(
  db: D1Db,
  services: Services,
  config: { LOA_ADMIN_PASSWORD?: string | undefined; LOA_PROVINCE_ADMIN_PASSWORD?: string | undefined },
  logger: Logger,
): Promise<void> {
  const mark = digest(scheduleFiles.map((f) => f.text).join('\n'));
  if ((await db.journal.readMark()) === mark) return;
  const provinces = scheduleFiles.filter((f) => isProvinceFile(f.text));
  const communes = scheduleFiles.filter((f) => !isProvinceFile(f.text));
  for (const f of provinces) await services.seed.applyProvinceFile(parseProvinceFile(f.file, f.text));
  let first: string | undefined;
  for (const f of communes) {
    const commune = parseCommuneFile(f.file, f.text);
    first ??= commune.commune.id;
    logger.info({ file: f.file, ...(await services.seed.applyCommuneFile(commune)) }, 'commune file applied');
  }
  if (first) {
    const created = await services.seed.ensureFirstUsers(first, {
      admin: config.LOA_ADMIN_PASSWORD,
      provinceAdmin: config.LOA_PROVINCE_ADMIN_PASSWORD,
    });
    for (const u of created?.generated ?? []) {
      // Once, in the deployment's log (`wrangler tail`): set the secrets before the first start instead.
      console.log(`First start: created user "${u.username}" with password: ${u.password}`);
    }
  }
  await db.journal.writeMark(mark);
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

/** The log of a request that came while the isolate could not start, at the deployment's level. */
function startLogger(env: Env): Logger {
  const level = edgeConfigSchema.pick({ LOG_LEVEL: true }).safeParse(withoutBlanks(env));
  return createConsoleLogger(level.success ? level.data.LOG_LEVEL : 'info', {
    service: 'loa',
    profile: 'edge',
  });
}

interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
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

  /**
   * The Cron Trigger: one dispatcher tick (series extended, missed airings marked, history pruned), the
   * webhooks due, and at the top of each hour the originals that no version took (a Worker stopped
   * between storing one and committing it, or a removal that failed), as a Node worker sweeps at start.
   * Each part runs whatever became of the ones before: a tick that found D1 busy must not hold back the
   * minute's webhooks, nor the hour's sweep. A part that failed is logged, and makes the run fail.
   */
  async scheduled(
    controller: { readonly scheduledTime: number },
    env: Env,
    ctx: ExecutionContextLike,
  ): Promise<void> {
    const runtime = await runtimeFor(env);
    const failures: unknown[] = [];
    const part = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        failures.push(error);
        runtime.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          `${what} failed`,
        );
      }
    };
    await part('dispatcher tick', () => runtime.dispatcher.tick());
    await part('publishing events', () => runtime.settle());
    // Each minute's trigger makes the due attempts; leases keep two triggers from sending one twice.
    const sender = `cron-${crypto.randomUUID()}`;
    await part('sending webhooks', async () => {
      for (let n = -1; n !== 0;) n = await runtime.services.webhooks.deliverDue(sender);
    });
    if (new Date(controller.scheduledTime).getUTCMinutes() === 0)
      await part('sweeping originals', () => runtime.services.audio.removeAbandonedOriginals(60 * 60_000));
    ctx.waitUntil(runtime.settle());
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} part(s) of the Cron Trigger's run failed`);
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
