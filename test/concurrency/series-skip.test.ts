import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { scheduleBroadcast } from '../support/receiver-fixtures.js';

const day = 86_400_000;

/** A gate: the first call that passes it after it is made waits there until released. */
function gate() {
  let release!: () => void;
  let came!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (came = resolve));
  return { release, arrived, came, until };
}

/** A weekly series on Mondays at 09:00 (02:00Z) from the fake clock's Friday, 27 November 2026. */
async function weeklySeries(h: Harness): Promise<string> {
  const booked = await scheduleBroadcast(h, {
    relay: { url: 'https://radio.example.vn/vov1', durationS: 120 },
    hamletIds: ['un-ta'],
    recurrence: { cron: '0 9 * * 1', from: h.clock.now().toISOString(), count: 8 },
  });
  return booked.id;
}

async function skip(h: Harness, broadcastId: string, at: string) {
  const res = await h.request(`/api/v1/broadcasts/${broadcastId}/skips`, {
    method: 'POST',
    token: h.tokens.officer,
    json: { at },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/**
 * A dispatcher tick reads the series due, with their skip lists, before its unit of work; an airing
 * skipped in between, not stored yet, must not be materialised by that tick. On SQLite the skip's unit of
 * work fits between the tick's read and its own (one process, or two on one file); on PostgreSQL a
 * second instance can commit it while the tick waits for the hamlets' locks.
 */
describe.each(dialects)('an airing skipped while the dispatcher extends its series on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('leaves out the airing skipped after the tick read the series', async () => {
    const id = await weeklySeries(h);
    // Four days on, the horizon reaches Monday 7 December, which the booking did not store.
    h.clock.advance(4 * day);
    const skipped = '2026-12-07T02:00:00.000Z';

    const held = gate();
    const listSeriesToExtend = h.runtime.repos.broadcasts.listSeriesToExtend;
    // The tick's read before its unit of work, the skip lists with it: it holds there while the officer skips.
    const spy = vi
      .spyOn(h.runtime.repos.broadcasts, 'listSeriesToExtend')
      .mockImplementationOnce(async (horizon, communeIds) => {
        const found = await listSeriesToExtend(horizon, communeIds);
        held.came();
        await held.until;
        return found;
      });
    const tick = h.runtime.services.broadcasts.extendSeries();
    await held.arrived;
    expect(await skip(h, id, '2026-12-07T09:00:00+07:00')).toEqual({ cancelledOccurrences: 0, skipped: 1 });
    held.release();
    const extended = await tick;
    spy.mockRestore();

    const scheduled = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select('starts_at')
      .where('broadcast_id', '=', id)
      .where('status', '=', 'scheduled')
      .orderBy('starts_at')
      .execute();
    expect(scheduled.map((o) => o.starts_at)).not.toContain(skipped);
    expect(scheduled.map((o) => o.starts_at)).toEqual(['2026-11-30T02:00:00.000Z']);
    // The tick ran: the series' horizon moved on past the skipped airing.
    expect(extended.skipped).toBe(0);
    const row = await h.runtime.repos.broadcasts.findBroadcast(id);
    expect(Date.parse(row!.materialisedUntil!)).toBeGreaterThan(Date.parse(skipped));
    expect(row!.skips).toEqual([{ hamletId: 'un-ta', at: skipped }]);
  });
});

/**
 * Two officers skip two airings of one series at once: each reads the series' skip list and writes it
 * back with its own airing added, so the second must read it under the hamlets' lock, after the first
 * committed. SQLite runs one unit of work at a time from its `begin immediate`.
 */
describe.runIf(dialects.includes('postgres'))('two airings of one series skipped at once', () => {
  let h: Harness;
  let held: ReturnType<typeof gate> | undefined;
  const decorate = (r: Repositories): Repositories => ({
    ...r,
    hamlets: {
      ...r.hamlets,
      async lockSchedules(ids) {
        const waiting = held;
        if (waiting) {
          held = undefined;
          waiting.came();
          await waiting.until;
        }
        return r.hamlets.lockSchedules(ids);
      },
    },
  });
  beforeAll(async () => {
    h = await createHarness('postgres', {}, { decorateRepositories: decorate });
  });
  afterAll(() => h.close());

  it('keeps both skips', async () => {
    const id = await weeklySeries(h);
    held = gate();
    const first = held;
    const later = skip(h, id, '2026-12-14T09:00:00+07:00');
    await first.arrived;
    expect(await skip(h, id, '2026-12-21T09:00:00+07:00')).toEqual({ cancelledOccurrences: 0, skipped: 1 });
    first.release();
    expect(await later).toEqual({ cancelledOccurrences: 0, skipped: 1 });

    const row = await h.runtime.repos.broadcasts.findBroadcast(id);
    expect(row!.skips).toEqual(
      expect.arrayContaining([
        { hamletId: 'un-ta', at: '2026-12-14T02:00:00.000Z' },
        { hamletId: 'un-ta', at: '2026-12-21T02:00:00.000Z' },
      ]),
    );
    expect(row!.skips).toHaveLength(2);
  });
});
