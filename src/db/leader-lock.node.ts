import pg from 'pg';
import type { LeaderLock } from '../domain/ports/leader-lock.js';

/** One process per SQLite file: it is always the leader. */
export const soleLeader: LeaderLock = { acquire: async () => true, release: async () => undefined };

// An arbitrary constant shared by every Loa instance: the advisory lock's key.
const dispatcherLockKey = 0x4c6f61; // "Loa"

/**
 * PostgreSQL session-level advisory lock on a connection of its own: the instance whose connection holds
 * it is the leader until that connection ends (crash, network loss), and then another instance takes over.
 */
export function postgresLeaderLock(url: string): LeaderLock {
  let client: pg.Client | undefined;
  let held = false;
  return {
    async acquire() {
      if (held && client) return true;
      if (!client) {
        const c = new pg.Client({ connectionString: url });
        c.on('error', () => {
          held = false;
          client = undefined;
        });
        await c.connect();
        client = c;
      }
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
        dispatcherLockKey,
      ]);
      held = rows[0]?.ok === true;
      return held;
    },
    async release() {
      const c = client;
      client = undefined;
      held = false;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
