import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

/**
 * A receiver added to a hamlet while an admin deletes that hamlet: the receiver is refused, or the
 * deletion is (it still has a receiver); never a receiver left in a deleted hamlet, whose box no token
 * opens and that no page can move. On PostgreSQL (SQLite runs one unit of work at a time).
 */
describe.runIf(dialects.includes('postgres'))('a receiver added while its hamlet is deleted', () => {
  let h: Harness;
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  // The receiver's unit of work waits, once it has checked the hamlet, until the test lets it go on.
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    receivers: {
      ...r.receivers,
      async insertReceiver(receiver, now) {
        const gate = hold;
        if (gate) {
          gate.reached();
          await gate.go;
        }
        return r.receivers.insertReceiver(receiver, now);
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('leaves no receiver in a deleted hamlet', async () => {
    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const adding = h.request('/api/v1/receivers', {
      method: 'POST',
      token: h.tokens.admin,
      json: { hamletId: 'thon-9', name: 'Loa mới thôn 9' },
    });
    await reached;
    hold = null;
    const deleting = h.request('/api/v1/hamlets/thon-9', { method: 'DELETE', token: h.tokens.admin });
    // The deletion either finishes (nothing held the hamlet) or waits for the receiver's lock on it.
    const waiting = async () => {
      for (;;) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and datname = current_database()`.execute(h.runtime.db.kysely);
        if (rows[0]!.n > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.race([deleting, waiting()]);
    release();
    const [added, deleted] = await Promise.all([adding, deleting]);

    const orphans = await h.runtime.db.kysely
      .selectFrom('receivers as r')
      .innerJoin('hamlets as x', 'x.id', 'r.hamlet_id')
      .select('r.id')
      .where('x.deleted_at', 'is not', null)
      .execute();
    expect(orphans).toEqual([]);
    expect([added.status, deleted.status]).toEqual([201, 409]);
  });
});
