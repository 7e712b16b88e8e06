import { capFeedsOf, ConfigError, configSchema, withoutBlanks, withoutPasswords } from './config.js';
import { createCapSignatureVerifier, trustedCapCertsOf } from './crypto/cap-signature.js';
import { parseSecretKey } from './crypto/secret-box.js';
import type { CapSignatureVerifier } from './domain/cap/signature.js';
import type { Env } from './worker.js';

/** Settings an edge deployment reads from its variables, checked as the Node profile checks them. */
export const edgeConfigSchema = configSchema.pick({
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

/** What the operator must fix: a binding `wrangler.toml` does not declare, or a variable or secret. */
export interface StartProblem {
  readonly name: string;
  readonly kind: 'binding' | 'variable';
}

/**
 * A deployment that cannot start for its configuration. The message (for the log) says why for each
 * name; `problems` carries only the names, which the answers to requests may show: never a value.
 */
export class EdgeConfigError extends ConfigError {
  constructor(
    readonly problems: readonly StartProblem[],
    reasons: readonly string[],
  ) {
    super(`Invalid configuration:\n  ${reasons.join('\n  ')}`);
  }
}

const bindings = {
  DB: (env: Env) => typeof env.DB?.prepare === 'function',
  MEDIA: (env: Env) => typeof env.MEDIA?.get === 'function',
  PUSH: (env: Env) => typeof env.PUSH?.idFromName === 'function',
} as const;

/**
 * The deployment's settings, checked all at once before anything is built, so that a missing binding or
 * a bad secret stops the start with every name to fix instead of failing later inside a request.
 * @example
 * const { config, feeds, capVerifier } = edgeStartConfig(env); // throws EdgeConfigError
 */
export function edgeStartConfig(env: Env) {
  const problems: StartProblem[] = [];
  const reasons: string[] = [];
  const refuse = (name: string, kind: StartProblem['kind'], reason: string) => {
    problems.push({ name, kind });
    reasons.push(`${name}: ${reason}`);
  };
  for (const [name, present] of Object.entries(bindings)) {
    if (!present(env)) refuse(name, 'binding', 'the binding is missing from wrangler.toml');
  }
  const parsed = edgeConfigSchema.safeParse(withoutBlanks(env));
  if (!parsed.success) {
    // Zod's messages say what is expected, not what was given: no secret is repeated into the log.
    for (const issue of parsed.error.issues)
      refuse(String(issue.path[0] ?? '?'), 'variable', withoutPasswords(issue.message));
  }
  // No CAP_FEED_ALLOW_PRIVATE here: a Worker's subrequests cannot reach a province's private network.
  const feeds = capFeedsOf(parsed.data?.CAP_FEEDS ?? '', false);
  if (!feeds.ok) refuse('CAP_FEEDS', 'variable', withoutPasswords(feeds.error));
  let capVerifier: CapSignatureVerifier | undefined;
  try {
    if (env.CAP_TRUSTED_CERTS?.trim())
      capVerifier = createCapSignatureVerifier(trustedCapCertsOf(env.CAP_TRUSTED_CERTS, 'CAP_TRUSTED_CERTS'));
  } catch (error) {
    refuse('CAP_TRUSTED_CERTS', 'variable', (error as Error).message);
  }
  try {
    if (env.LOA_SECRET_KEY) parseSecretKey(env.LOA_SECRET_KEY);
  } catch {
    // The reason is ours, not the parser's: nothing of the key reaches the log.
    refuse('LOA_SECRET_KEY', 'variable', 'must be 32 random bytes in base64: openssl rand -base64 32');
  }
  if (!parsed.success || !feeds.ok || problems.length > 0) throw new EdgeConfigError(problems, reasons);
  return { config: parsed.data, feeds: feeds.feeds, capVerifier };
}
