import { describe, expect, it } from 'vitest';
import type { BroadcastWhen } from '../../../src/domain/broadcast.js';
import {
  createSeriesExpansion,
  nextStartOf,
  startsOf,
  type Priority,
} from '../../../src/domain/schedule/index.js';
import { DAY, HOUR, rules, utc } from './fixtures.js';

// Stored series as bookings leave them, and windows as the dispatcher asks about them: the shared
// expansion must answer exactly what `startsOf` and `nextStartOf` answer for each.
const series: readonly (readonly [string, BroadcastWhen, Priority])[] = [
  ['daily', { recurrence: { cron: '0 6 * * *', from: '2026-11-20T00:00:00.000Z' } }, 'normal'],
  [
    'daily, odd spacing',
    { recurrence: { cron: '30  17 * * *', from: '2026-11-20T00:00:00.000Z' } },
    'normal',
  ],
  ['weekdays', { recurrence: { cron: '0 17 * * 1-5', from: '2026-11-20T00:00:00.000Z' } }, 'priority'],
  ['Sundays', { recurrence: { cron: '0 19 * * 0', from: '2026-11-20T00:00:00.000Z' } }, 'normal'],
  ['monthly', { recurrence: { cron: '0 8 1 * *', from: '2026-11-20T00:00:00.000Z' } }, 'normal'],
  ['starting later', { recurrence: { cron: '0 6 * * *', from: '2026-12-03T00:00:00.000Z' } }, 'normal'],
  [
    'ending (until inclusive)',
    {
      recurrence: { cron: '0 6 * * *', from: '2026-11-20T00:00:00.000Z', until: '2026-12-02T23:00:00.000Z' },
    },
    'normal',
  ],
  [
    'ended',
    {
      recurrence: { cron: '0 6 * * *', from: '2026-11-01T00:00:00.000Z', until: '2026-11-10T00:00:00.000Z' },
    },
    'normal',
  ],
  ['counted', { recurrence: { cron: '0 6 * * *', from: '2026-11-25T00:00:00.000Z', count: 10 } }, 'normal'],
  ['on 29 February', { recurrence: { cron: '0 7 29 2 *', from: '2026-11-20T00:00:00.000Z' } }, 'normal'],
  [
    'starting in two years',
    { recurrence: { cron: '0 6 * * *', from: '2028-11-20T00:00:00.000Z' } },
    'normal',
  ],
  ['disaster bulletin', { at: '2026-11-29T00:23:00.000Z', repeat: { everyHours: 2 } }, 'emergency'],
];

const t0 = utc('2026-11-30T00:00:30.000Z');
const windows = [
  { from: t0, to: t0 + 30_000 },
  { from: t0, to: t0 + DAY },
  { from: t0 + 6 * HOUR, to: t0 + 9 * DAY },
  { from: t0 - 3 * DAY, to: t0 + 7 * DAY },
];

describe('createSeriesExpansion', () => {
  it.each(series)('gives a stored %s series the starts startsOf gives it', (_, when, priority) => {
    const expansion = createSeriesExpansion();
    for (const window of windows) {
      const expected = startsOf(when, priority, rules, window);
      expect(expected.ok).toBe(true);
      // Asked twice: the second answer comes from what the first expanded.
      for (let i = 0; i < 2; i++) {
        expect(expansion.startsOf(when, priority, rules, window)).toEqual(expected.ok && expected.value);
      }
    }
  });

  it.each(series)('gives a stored %s series the next start nextStartOf gives it', (_, when, priority) => {
    const expansion = createSeriesExpansion();
    for (const from of [t0, t0 + 5 * DAY, t0 + 40 * DAY]) {
      expect(expansion.nextStartOf(when, priority, rules, from)).toBe(
        nextStartOf(when, priority, rules, from),
      );
    }
  });

  it('keeps to each series its own start when series on one cron expression share its runs', () => {
    const expansion = createSeriesExpansion();
    const window = { from: t0, to: t0 + 3 * DAY };
    const early = { recurrence: { cron: '0 6 * * *', from: '2026-11-01T00:00:00.000Z' } };
    const late = { recurrence: { cron: '0 6 * * *', from: '2026-12-01T00:00:00.000Z' } };
    expect(expansion.startsOf(early, 'normal', rules, window)).toHaveLength(3);
    // It starts at 07:00 local on 1 December, after that day's 06:00 (23:00Z on 30 November).
    expect(expansion.startsOf(late, 'normal', rules, window).map((s) => s.startsAt)).toEqual([
      utc('2026-12-01T23:00:00.000Z'),
      utc('2026-12-02T23:00:00.000Z'),
    ]);
  });

  it('finds the next start of a series more than a year away: a leap day, a series booked two years ahead', () => {
    const named = (name: string) => series.find(([n]) => n === name)![1];
    for (const expansion of [createSeriesExpansion(), { nextStartOf }]) {
      // 07:00 local on 29 February 2028.
      expect(expansion.nextStartOf(named('on 29 February'), 'normal', rules, t0)).toBe(
        utc('2028-02-29T00:00:00.000Z'),
      );
      // 06:00 local on 21 November 2028, its first morning.
      expect(expansion.nextStartOf(named('starting in two years'), 'normal', rules, t0)).toBe(
        utc('2028-11-20T23:00:00.000Z'),
      );
      // A series that has ended has none, however far it is looked for.
      expect(expansion.nextStartOf(named('ended'), 'normal', rules, t0)).toBeNull();
    }
  });

  it('gives nothing for a stored cron that no longer parses, as startsOf refusing it does', () => {
    const broken = { recurrence: { cron: '0 25 * * *', from: '2026-11-20T00:00:00.000Z' } };
    expect(startsOf(broken, 'normal', rules, windows[1]!).ok).toBe(false);
    expect(createSeriesExpansion().startsOf(broken, 'normal', rules, windows[1]!)).toEqual([]);
    expect(createSeriesExpansion().nextStartOf(broken, 'normal', rules, t0)).toBeNull();
  });
});
