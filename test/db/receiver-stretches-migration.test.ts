import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrator.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

const MIGRATION = '0033-receiver-hamlet-stretches';

/**
 * An upgrade gives every receiver one open stretch in its hamlet: from when it was made, or, for a box
 * moved before the upgrade, from when it came (where it was before is not known).
 */
describe.each(dialects)('upgrading to receivers with hamlet stretches, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
    const db = h.runtime.db.kysely;
    const previous = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .where('name' as never, '<', MIGRATION as never)
      .orderBy('name' as never, 'desc')
      .executeTakeFirstOrThrow();
    await migrateTo(db, (previous as { name: string }).name);
    const box = (id: string, hamletId: string, arrivedAt: string | null) => ({
      id,
      hamlet_id: hamletId,
      name: id,
      token_hash: `hash-${id}`,
      created_at: '2026-10-01T00:00:00.000Z',
      updated_at: '2026-10-01T00:00:00.000Z',
      arrived_at: arrivedAt,
    });
    await db
      .insertInto('receivers')
      .values([box('rx-made', 'un-ta', null), box('rx-moved', 'thon-2', '2026-11-01T00:00:00.000Z')])
      .execute();
    expect(await migrateToLatest(db)).toContain(MIGRATION);
  });
  afterAll(() => h.close());

  const stretches = () =>
    h.runtime.db.kysely
      .selectFrom('receiver_hamlet_stretches')
      .select(['receiver_id', 'hamlet_id', 'arrived_at', 'left_at'])
      .orderBy('receiver_id')
      .orderBy('arrived_at')
      .execute();

  it('opens one stretch per receiver in its hamlet, from its making or its arrival', async () => {
    const rows = await stretches();
    expect(rows.filter((r) => r.receiver_id.startsWith('rx-m'))).toEqual([
      { receiver_id: 'rx-made', hamlet_id: 'un-ta', arrived_at: '2026-10-01T00:00:00.000Z', left_at: null },
      { receiver_id: 'rx-moved', hamlet_id: 'thon-2', arrived_at: '2026-11-01T00:00:00.000Z', left_at: null },
    ]);
    // The seeded boxes too: one each, open.
    const receivers = await h.runtime.db.kysely.selectFrom('receivers').select('id').execute();
    expect(rows.map((r) => r.receiver_id).sort()).toEqual(receivers.map((r) => r.id).sort());
    expect(rows.every((r) => r.left_at === null)).toBe(true);
  });

  it('closes the upgraded stretch when the box is moved, and opens one where it goes', async () => {
    h.clock.set('2026-11-27T03:00:00.000Z');
    const res = await h.request('/api/v1/receivers/rx-made', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-3' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await stretches()).filter((r) => r.receiver_id === 'rx-made')).toEqual([
      {
        receiver_id: 'rx-made',
        hamlet_id: 'un-ta',
        arrived_at: '2026-10-01T00:00:00.000Z',
        left_at: '2026-11-27T03:00:00.000Z',
      },
      { receiver_id: 'rx-made', hamlet_id: 'thon-3', arrived_at: '2026-11-27T03:00:00.000Z', left_at: null },
    ]);
  });
});
