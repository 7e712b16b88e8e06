import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso } from '../../src/domain/schedule/index.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

describe.each(dialects)('broadcasts repository on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  // A dispatcher tick that catches up a day of 20,000 series writes 15,000 occurrences in one call; at
  // 10 values a row, more than 3,276 of them in one statement pass SQLite's 32,766 bound parameters.
  it('stores occurrences by the thousand in one call, and keeps an existing airing on a second', async () => {
    const repo = h.runtime.repos.broadcasts;
    const now = h.clock.now().toISOString();
    await repo.insertBroadcast({
      id: 'many',
      communeId: 'coc-san',
      announcementId: null,
      relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
      hamletIds: ['un-ta'],
      schedule: { recurrence: { cron: '0 6 * * *', from: now } },
      priority: 'normal',
      createdBy: h.userIds.officer,
      createdAt: now,
      materialisedUntil: now,
      nextStartAt: now,
    });
    const start = Date.parse('2027-01-01T00:00:00.000Z');
    const occurrences = Array.from({ length: 7000 }, (_, i) => ({
      id: `many-${i}`,
      broadcastId: 'many',
      hamletId: 'un-ta',
      startsAt: iso(start + i * 60_000),
      durationMs: 60_000,
      priority: 'normal' as const,
      slotName: null,
    }));
    expect(await repo.insertOccurrences(occurrences, now)).toBe(7000);
    const again = occurrences.slice(6990).map((o) => ({ ...o, id: `${o.id}-again` }));
    expect(await repo.insertOccurrences(again, now)).toBe(0);
    expect(await repo.listOccurrencesOf(['many'])).toHaveLength(7000);
  });
});
