// Proof of playback in `npm run bench:national`: log events sent by the province's receivers while one
// serve is dead, each batch tried on every instance in turn (the dead one included), none lost.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Process } from './processes.js';

/**
 * Sends 200 batches of 10 `started` events, receiver `i` reporting the first airing in its hamlet
 * (`hamlets[i % hamlets.length]`) of the `occurrences` booked there; a refused connection is retried on the
 * next instance. Returns what was sent, stored (read through `sql`), retried and, if any, the first refusal.
 */
export async function sendLogsAroundDeadServe(options: {
  readonly serves: readonly Process[];
  readonly sql: pg.Client;
  readonly tokens: readonly string[];
  readonly hamlets: readonly string[];
  readonly occurrences: readonly { readonly id: string; readonly hamletId: string; readonly at: string }[];
}) {
  const { serves, sql, tokens, hamlets, occurrences } = options;
  const logIds = new Set<string>();
  let logRetries = 0;
  // The first airing of the emergency in each hamlet (it repeats later).
  const occurrenceOf = new Map<string, string>();
  for (const o of [...occurrences].sort((a, b) => a.at.localeCompare(b.at)))
    if (!occurrenceOf.has(o.hamletId)) occurrenceOf.set(o.hamletId, o.id);
  let logRefused = '';
  for (let i = 0; i < 200; i++) {
    const events = Array.from({ length: 10 }, () => {
      const id = randomUUID();
      logIds.add(id);
      return {
        id,
        occurrenceId: occurrenceOf.get(hamlets[i % hamlets.length]!)!,
        type: 'started',
        at: new Date().toISOString(),
      };
    });
    // Sent first to every instance in turn, the dead one included: a refused connection is retried on the next.
    for (let attempt = 0; ; attempt++) {
      const target = serves[(i + attempt) % serves.length]!;
      try {
        const res = await fetch(`${target.url}/api/v1/receiver/logs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        if (res.status !== 200) logRefused = `${res.status} ${await res.text()}`;
        break;
      } catch {
        logRetries++;
        if (attempt > 10) break;
      }
    }
  }
  const logsStored = Number(
    (
      await sql.query(`select count(*)::int as n from playback_events where event_id = any($1)`, [
        [...logIds],
      ])
    ).rows[0].n,
  );
  return { sent: logIds.size, stored: logsStored, retries: logRetries, refused: logRefused };
}
