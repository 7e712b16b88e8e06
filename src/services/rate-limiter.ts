import type { Clock } from '../domain/ports/clock.js';
import type { RateLimitsRepository } from '../domain/ports/repositories.js';

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
  readonly clock: Clock;
  /** Where the attempts are counted: the database, so that every instance and isolate counts together. */
  readonly store: RateLimitsRepository;
  /** What is counted (`login-user`, `token`…): keys of different limits never meet. */
  readonly scope: string;
}

/** Where a limit of `scope` counts the attempts of `key`. */
export const limitKey = (scope: string, key: string): string => `${scope}:${key}`;

/**
 * A fixed-window counter per key. The counts live in the database, not in the process: several `serve`
 * behind a balancer, or the edge's isolates, allow `max` attempts in a window between them, not each.
 */
export function createRateLimiter(options: RateLimitOptions) {
  if (options.max < 1 || options.windowMs < 1) throw new Error('rate limit needs max ≥ 1 and windowMs ≥ 1');
  const { store, clock } = options;
  const keyOf = (key: string) => limitKey(options.scope, key);
  const waitUntil = (resetAt: string, now: number) =>
    Math.max(1, Math.ceil((Date.parse(resetAt) - now) / 1000));

  return {
    /**
     * Counts an attempt of `key`; answers the seconds to wait when it is one past the limit (the attempt
     * must not go on), else 0. Counted first and checked after, so a burst cannot slip past the limit.
     */
    async hit(key: string): Promise<number> {
      const now = clock.now().getTime();
      const window = await store.hit(
        keyOf(key),
        new Date(now + options.windowMs).toISOString(),
        new Date(now).toISOString(),
      );
      return window.count > options.max ? waitUntil(window.resetAt, now) : 0;
    },
    /** Takes back one attempt of `key` (counted up front, then not to count). */
    release: (key: string): Promise<void> => store.release(keyOf(key)),
    reset: (key: string): Promise<void> => store.reset(keyOf(key)),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
