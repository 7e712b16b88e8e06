import type { Clock } from '../domain/ports/clock.js';

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
  readonly clock: Clock;
}

/**
 * A fixed-window counter per key, kept in memory. Enough for one process; several API instances behind
 * a balancer each count on their own, which still bounds guessing to `max × instances` per window.
 */
export function createRateLimiter(options: RateLimitOptions) {
  if (options.max < 1 || options.windowMs < 1) throw new Error('rate limit needs max ≥ 1 and windowMs ≥ 1');
  const windows = new Map<string, { count: number; resetAt: number }>();

  function prune(now: number): void {
    if (windows.size < 10_000) return;
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
  }

  return {
    /** Seconds until `key` may try again, or 0 when it is under the limit. */
    retryAfterS(key: string): number {
      const now = options.clock.now().getTime();
      const w = windows.get(key);
      if (!w || w.resetAt <= now || w.count < options.max) return 0;
      return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    },
    hit(key: string): void {
      const now = options.clock.now().getTime();
      prune(now);
      const w = windows.get(key);
      if (!w || w.resetAt <= now) windows.set(key, { count: 1, resetAt: now + options.windowMs });
      else w.count++;
    },
    /** Takes back one hit of `key` (an attempt counted up front that turned out not to count). */
    release(key: string): void {
      const w = windows.get(key);
      if (w && w.count > 0) w.count--;
    },
    reset(key: string): void {
      windows.delete(key);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
