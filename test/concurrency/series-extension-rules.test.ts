import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { scheduleBroadcast } from '../support/receiver-fixtures.js';

const day = 86_400_000;

/** A gate: the call held at it waits there until released. */
function gate() {
  let release!: () => void;
  let came!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (came = resolve));
  return { release, arrived, came, until };
}

/**
 * Holds the dispatcher's next tick just before its unit of work begins (whatever it read before it),
 * runs `meanwhile`, then lets the tick go on and answers what it did.
 */
async function tickAround(h: Harness, meanwhile: () => Promise<void>) {
  const held = gate();
  const kysely = h.runtime.db.kysely;
  const transaction = kysely.transaction.bind(kysely);
  const spy = vi.spyOn(kysely, 'transaction').mockImplementationOnce(() => {
    const builder = transaction();
    return {
      ...builder,
      execute: async (work: Parameters<typeof builder.execute>[0]) => {
        held.came();
        await held.until;
        return builder.execute(work);
      },
    } as typeof builder;
  });
  const tick = h.runtime.services.broadcasts.extendSeries();
  await held.arrived;
  try {
    await meanwhile();
  } finally {
    held.release();
  }
  const done = await tick;
  spy.mockRestore();
  return done;
}

const scheduledOf = (h: Harness, broadcastId: string) =>
  h.runtime.db.kysely
    .selectFrom('occurrences')
    .select(['hamlet_id', 'starts_at'])
    .where('broadcast_id', '=', broadcastId)
    .where('status', '=', 'scheduled')
    .orderBy('starts_at')
    .execute();

/**
 * A dispatcher tick reads the series due, their communes and their hamlets, then takes the hamlets'
 * locks to write. A hamlet deleted, or the commune's quiet hours moved, in between is a change the
 * tick must see: deleting a hamlet and changing the rules take the same locks and check what is booked,
 * so what the tick writes after them must follow them, as a booking does. On SQLite the change's unit
 * of work fits between the tick's reads and its own; on PostgreSQL a second instance commits it while
 * the tick waits.
 */
describe.each(dialects)('a series extended while the commune changes under it on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('books nothing in a hamlet deleted after the tick read it', async () => {
    const created = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: 'Thôn Sáp Nhập', languages: ['vi'] },
    });
    const hamlet = ((await created.json()) as { id: string }).id;
    // Wednesdays at 10:00 (03:00Z), from Friday 27 November: the booking stores up to 4 December.
    const series = await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 120 },
      hamletIds: ['un-ta', hamlet],
      recurrence: { cron: '0 10 * * 3', from: h.clock.now().toISOString(), count: 8 },
    });
    h.clock.advance(6 * day);

    await tickAround(h, async () => {
      const res = await h.request(`/api/v1/hamlets/${hamlet}`, { method: 'DELETE', token: h.tokens.admin });
      expect(res.status, await res.clone().text()).toBe(204);
    });

    const scheduled = await scheduledOf(h, series.id);
    // 2 December had passed when the hamlet went; nothing after it may be left there.
    expect(scheduled.filter((o) => o.hamlet_id === hamlet).map((o) => o.starts_at)).toEqual([
      '2026-12-02T03:00:00.000Z',
    ]);
    // The tick ran for the hamlet left: 9 December is stored for Ún Tà.
    expect(scheduled).toContainEqual({ hamlet_id: 'un-ta', starts_at: '2026-12-09T03:00:00.000Z' });
  });

  it('books no airing against quiet hours the admin moved after the tick read them', async () => {
    // Thursdays at 09:00 (02:00Z), from Thursday 3 December, 08:00 (the clock above moved on): the
    // booking stores 3 December; the next airing, 10 December, is the tick's.
    const series = await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov2', durationS: 120 },
      hamletIds: ['thon-2'],
      recurrence: { cron: '0 9 * * 4', from: h.clock.now().toISOString(), count: 8 },
    });
    h.clock.advance(6 * day);

    const moved = await tickAround(h, async () => {
      const res = await h.request('/api/v1/commune', {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { quietHours: { start: '08:30', end: '10:00' } },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    });

    const scheduled = await scheduledOf(h, series.id);
    expect(scheduled.map((o) => o.starts_at)).not.toContain('2026-12-10T02:00:00.000Z');
    // Left out as a rule refused it, and said so.
    expect(moved.skipped).toBe(1);
  });
});
