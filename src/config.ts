import { DEFAULT_ALARM_RULES, type AlarmRules } from './domain/receiver/alarm.js';
import { relayUrlProblem } from './domain/relay-url.js';
import type { CapFeed } from './domain/cap/feed.js';
import { z } from 'zod';

/** A whole number from `min` (to `max`), with messages a person setting the variable can act on. */
function wholeNumber(min: number, max?: number) {
  const range = max === undefined ? `must be ${min} or more` : `must be between ${min} and ${max}`;
  const from = z
    .number({ error: 'must be a whole number, written in digits' })
    .int('must be a whole number')
    .min(min, range);
  // Digits only: `0x50` or `1e3` would be read as numbers nobody meant.
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    max === undefined ? from : from.max(max, range),
  );
}

const port = wholeNumber(0, 65535);

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' });

/** Environment variables Loa reads, with their defaults (DESIGN.md "Conventions"). */
export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  MEDIA_DIR: z.string().min(1).default('./media'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^(postgres(ql)?:\/\/|sqlite:|file:)./,
        'must start with postgres://, sqlite: or file: and name the database (sqlite:./data/loa.sqlite)',
      )
      .optional(),
  ),
  SCHEDULES_DIR: z.string().min(1).default('./schedules'),
  LOA_ADMIN_PASSWORD: optionalText.pipe(z.string().min(10, 'must be at least 10 characters').optional()),
  LOA_PROVINCE_ADMIN_PASSWORD: optionalText.pipe(
    z.string().min(10, 'must be at least 10 characters').optional(),
  ),
  FFMPEG_PATH: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: wholeNumber(1, 24 * 90).default(24 * 14),
  UPLOAD_LIMIT_MB: wholeNumber(1, 4096).default(300),
  JOB_CONCURRENCY: wholeNumber(1, 64).optional(),
  /** Seconds a job lease lasts without renewal; a dead process's jobs wait this long for another. */
  JOB_LEASE_S: wholeNumber(5, 600).default(60),
  /** Who holds job leases; stable across restarts. Default: host name and DATA_DIR (see node.ts). */
  WORKER_ID: optionalText.pipe(z.string().max(200, 'must be at most 200 characters').optional()),
  /** Below this much free space on the media disk, /healthz is degraded and the monitor page warns. */
  MEDIA_MIN_FREE_MB: wholeNumber(0).default(512),
  HEARTBEAT_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  /** Heartbeat intervals a receiver may miss before it is flagged on the monitor page (and webhooks). */
  ALARM_MISSED_HEARTBEATS: wholeNumber(2, 1440).default(3),
  /** Below this much free storage reported by a receiver, it is flagged. */
  ALARM_LOW_STORAGE_MB: wholeNumber(0).default(100),
  /** 32 bytes in base64 sealing webhook secrets; default: `secret.key` made in DATA_DIR at first start. */
  LOA_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .refine((v) => {
        try {
          return atob(v.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')).length === 32;
        } catch {
          return false;
        }
      }, 'must be 32 random bytes in base64, e.g. from `openssl rand -base64 32`')
      .optional(),
  ),
  /** Webhook endpoints on the province's own network: private addresses and plain http to them. */
  WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .default('0')
    .transform((v) => v.trim().toLowerCase())
    .refine((v) => ['0', '1', 'true', 'false'].includes(v), 'must be 0 or 1')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * CAP 1.2 feeds (Atom or RSS) the dispatcher polls, each as `PROVINCECODE:URL`, separated by spaces or
   * commas, e.g. `15:https://kttv.laocai.gov.vn/cap/atom.xml`. Only public http(s) addresses unless
   * `CAP_FEED_ALLOW_PRIVATE=1`.
   */
  CAP_FEEDS: z.string().default(''),
  CAP_FEED_ALLOW_PRIVATE: z
    .string()
    .default('0')
    .transform((v) => v.trim().toLowerCase())
    .refine((v) => ['0', '1', 'true', 'false'].includes(v), 'must be 0 or 1')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * PEM files of the certificates whose keys may sign CAP alerts (the hydro-meteorological service's,
   * the province's), separated by commas or spaces; each file may hold several certificates.
   */
  CAP_TRUSTED_CERTS: z
    .string()
    .default('')
    .transform((v) => v.split(/[\s,]+/).filter((p) => p.length > 0)),
  /** `1`: unsigned CAP alerts are refused, from tokens and feeds alike. */
  CAP_REQUIRE_SIGNATURE: z
    .string()
    .default('0')
    .transform((v) => v.trim().toLowerCase())
    .refine((v) => ['0', '1', 'true', 'false'].includes(v), 'must be 0 or 1')
    .transform((v) => v === '1' || v === 'true'),
  CAP_FEED_INTERVAL_S: wholeNumber(30, 86_400).default(120),
  // How many reverse proxies stand in front: `true` and `false` from before it counted are kept as 1 and 0.
  TRUST_PROXY: z
    .string()
    .default('0')
    .transform((v) => v.trim().toLowerCase())
    .refine(
      (v) => /^(true|false|\d{1,2})$/.test(v) && (v === 'true' || v === 'false' || Number(v) <= 10),
      'must be the number of reverse proxies in front of Loa, from 0 to 10 (true means 1, false means 0)',
    )
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  /** `s3://bucket/prefix`: media in an S3-compatible bucket instead of MEDIA_DIR (scale-out profile). */
  MEDIA_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._\-/]*)?$/,
        'must be s3://bucket or s3://bucket/prefix (bucket names: lower-case letters, digits, dots and hyphens)',
      )
      .optional(),
  ),
  /** The S3 API's address; default AWS's for S3_REGION. */
  S3_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  S3_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  /** `stream`: GET /media streams from the store; `presigned`: redirects to a short-lived link of the bucket. */
  MEDIA_REDIRECT: z.enum(['stream', 'presigned'], { error: 'must be stream or presigned' }).default('stream'),
  MEDIA_PRESIGN_S: wholeNumber(10, 604_800).default(300),
  /** Bearer token for GET /metrics; without it /metrics answers only on the loopback address. */
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /**
   * Seconds an idle kept-alive connection stays open: longer than a reverse proxy keeps its own idle
   * connections to Loa (nginx's upstream keepalive 60 s, a cloud load balancer's 60 s), so the proxy
   * closes them first and never sends a request on one Loa is closing (a reset, a 502 for the user).
   */
  KEEP_ALIVE_S: wholeNumber(1, 3600).default(75),
  /**
   * Seconds a request may take to arrive whole. Node's own bound (300 s) cut the uploads of long
   * recordings over a weak mobile link: 300 MB at 1 Mbit/s takes 40 minutes.
   */
  REQUEST_TIMEOUT_S: wholeNumber(1, 86_400).default(3600),
  /** Seconds a stopping process waits for its work to end before it exits anyway. */
  SHUTDOWN_TIMEOUT_S: wholeNumber(1, 600).default(25),
});

/** The rules between variables, checked after each one on its own (the edge picks single fields). */
const checkedConfigSchema = configSchema.superRefine((config, ctx) => {
  if (!config.MEDIA_URL) {
    if (config.MEDIA_REDIRECT === 'presigned')
      ctx.addIssue({ code: 'custom', path: ['MEDIA_REDIRECT'], message: 'presigned needs MEDIA_URL=s3://…' });
    return;
  }
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
    if (!config[name])
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'must be set when MEDIA_URL is an s3:// bucket',
      });
  }
});

/** Where the bucket of `MEDIA_URL` is, or null when media are on disk. */
export function s3LocationOf(config: Config) {
  if (!config.MEDIA_URL) return null;
  const [bucket = '', ...rest] = config.MEDIA_URL.slice('s3://'.length).split('/');
  return {
    endpoint: config.S3_ENDPOINT ?? `https://s3.${config.S3_REGION}.amazonaws.com`,
    region: config.S3_REGION,
    bucket,
    prefix: rest.filter(Boolean).join('/'),
    accessKeyId: config.AWS_ACCESS_KEY_ID ?? '',
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY ?? '',
  };
}

export type Config = z.output<typeof configSchema> & { readonly capFeeds: readonly CapFeed[] };

const secretVariables = new Set([
  'LOA_SECRET_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'METRICS_TOKEN',
  'LOA_ADMIN_PASSWORD',
  'LOA_PROVINCE_ADMIN_PASSWORD',
]);

/** A text with the password of every address in it (CAP_FEEDS holds several) shown as `***`. */
export const withoutPasswords = (text: string): string =>
  text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s,"]*):[^/\s,"]*@/gi, '$1:***@');

/** A value as an error may repeat it: never a secret, nor the password in an address. */
function shown(name: string, value: unknown): string | undefined {
  return value === undefined || secretVariables.has(name) ? undefined : withoutPasswords(String(value));
}
/** The alarm rules of the configuration. */
export const alarmRulesOf = (
  config: Pick<Config, 'ALARM_MISSED_HEARTBEATS' | 'ALARM_LOW_STORAGE_MB'>,
): AlarmRules => ({
  ...DEFAULT_ALARM_RULES,
  missedHeartbeats: config.ALARM_MISSED_HEARTBEATS,
  lowStorageBytes: config.ALARM_LOW_STORAGE_MB * 1_048_576,
});

/** A variable set to nothing (`PORT=` in a unit file) is unset: its default, not 0 or an empty path. */
export function withoutBlanks<T extends object>(env: T): T {
  return Object.fromEntries(
    Object.entries(env).filter(([, v]) => typeof v !== 'string' || v.trim() !== ''),
  ) as T;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the environment once, at start.
 * A bad value throws a ConfigError naming every offending variable, e.g.
 * `PORT: must be between 0 and 65535 (got "70000")`.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const result = checkedConfigSchema.safeParse(withoutBlanks(env));
  const feeds = result.success ? capFeedsOf(result.data.CAP_FEEDS, result.data.CAP_FEED_ALLOW_PRIVATE) : null;
  if (result.success && feeds!.ok) return { ...result.data, capFeeds: feeds!.feeds };
  const issues = result.success
    ? [{ path: ['CAP_FEEDS'], message: (feeds as { error: string }).error }]
    : result.error.issues;
  const lines = issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    // A key is never repeated into a log line, even a wrong one.
    const got = shown(name, env[name]);
    return `${name}: ${withoutPasswords(issue.message)}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}

/**
 * `CAP_FEEDS` read into feeds: each `CODE:URL` with a province code of digits and an http(s) URL that,
 * unless private feeds are allowed, leads to no local or private address as written.
 */
export function capFeedsOf(
  raw: string,
  allowPrivate: boolean,
):
  { readonly ok: true; readonly feeds: readonly CapFeed[] } | { readonly ok: false; readonly error: string } {
  const feeds: CapFeed[] = [];
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const cut = entry.indexOf(':');
    const provinceCode = entry.slice(0, cut);
    const url = entry.slice(cut + 1);
    if (cut <= 0 || !/^\d{1,3}$/.test(provinceCode))
      return {
        ok: false,
        error: `each feed is PROVINCECODE:URL, e.g. 15:https://example.vn/cap.atom; "${entry}" is not`,
      };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { ok: false, error: `"${url}" is not a URL` };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return { ok: false, error: `"${url}" must be http(s)` };
    const problem = allowPrivate ? null : relayUrlProblem(url);
    if (problem)
      return {
        ok: false,
        error: `the feed URL "${url}" ${problem.en} (set CAP_FEED_ALLOW_PRIVATE=1 for the province's own network)`,
      };
    feeds.push({ provinceCode, url: parsed.href });
  }
  return { ok: true, feeds };
}
