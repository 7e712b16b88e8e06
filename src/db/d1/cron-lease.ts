import type { D1Binding } from './binding.js';

/** A lease this run holds; `release` lets the next run tick at once instead of after the expiry. */
export interface HeldCronLease {
  release(): Promise<void>;
}

export interface CronLease {
  /** The lease for one dispatcher tick, or null while another run (any isolate) holds it. */
  take(): Promise<HeldCronLease | null>;
}

export interface CronLeaseOptions {
  /** How long a lease lasts without renewal: what a run killed mid-tick holds the next ones back. */
  readonly leaseMs?: number;
  /** Real time: a fake clock in tests must not expire leases. */
  readonly now?: () => number;
}

// Loa's bookkeeping on D1 (`loa_d1_*`): never journaled, never part of the schema's fingerprint.
const bootstrap = [
  `create table if not exists loa_d1_cron (
    id integer primary key check (id = 1),
    holder text,
    lease_until integer not null default 0)`,
  `insert or ignore into loa_d1_cron (id) values (1)`,
];

/**
 * One dispatcher tick at a time across the deployment's isolates, kept in D1 (`loa_d1_cron`). A Cron
 * Trigger fires every minute whether the last run ended or not, and a Workers isolate serves several
 * events at once: two ticks at once would each extend the same series from what they read before the
 * other committed (refusing the other's airings as overlaps, each refusal audited), announce the same
 * boxes gone offline, and read the CAP feeds twice, while doubling the wait on the one write lock that
 * the commune's own requests need. The lease is renewed while the tick runs, so a slow tick keeps it,
 * and a run killed mid-tick holds the next ones back for one lease at most.
 * @example
 * const held = await lease.take(); if (held) try { await dispatcher.tick() } finally { await held.release() }
 */
export function createCronLease(db: D1Binding, options: CronLeaseOptions = {}): CronLease {
  const leaseMs = options.leaseMs ?? 90_000;
  const now = options.now ?? Date.now;
  let ready: Promise<unknown> | undefined;
  const prepared = () => {
    ready ??= db.batch(bootstrap.map((sql) => db.prepare(sql))).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  /** Sets the lease's end for `holder` where `condition` holds; whether a row was changed. */
  const lease = async (holder: string, condition: string, ...params: unknown[]) => {
    const { results } = await db
      .prepare(
        `update loa_d1_cron set holder = ?, lease_until = ? where id = 1 and ${condition} returning holder`,
      )
      .bind(holder, now() + leaseMs, ...params)
      .all();
    return results.length === 1;
  };
  return {
    async take() {
      await prepared();
      const holder = crypto.randomUUID();
      if (!(await lease(holder, '(holder is null or lease_until < ?)', now()))) return null;
      // A renewal that fails (D1 busy) is tried again at the next one; the lease covers two misses.
      const renewing = setInterval(
        () => void lease(holder, 'holder = ?', holder).catch(() => undefined),
        leaseMs / 3,
      );
      return {
        async release() {
          clearInterval(renewing);
          // Not released (D1 down): it ends by itself at its expiry.
          await db
            .prepare('update loa_d1_cron set holder = null, lease_until = 0 where id = 1 and holder = ?')
            .bind(holder)
            .run()
            .catch(() => undefined);
        },
      };
    },
  };
}
