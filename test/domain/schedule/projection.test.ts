import { describe, expect, it } from 'vitest';
import {
  expandWhen,
  planOccurrences,
  projectSeries,
  type Booked,
  type ProjectedSeries,
} from '../../../src/domain/schedule/index.js';
import { DAY, MIN, rules, utc } from './fixtures.js';

// In the fixtures the evening slot is 17:00–18:00 local (10:00Z); 2026-12-05 and 12-12 are Saturdays.
const weekly: ProjectedSeries = {
  broadcastId: 'weekly',
  when: { recurrence: { slot: 'evening', weekdays: [6], from: '2026-11-27T00:00:00.000Z' } },
  priority: 'normal',
  bookedAt: utc('2026-11-27T00:00:00Z'),
  title: 'Tin hằng tuần',
  hamlets: [{ id: 'un-ta', airTimeMs: 10 * MIN }],
  materialisedUntil: utc('2026-12-04T00:00:00Z'),
  skips: [],
};

const priorityInSlot: Booked = {
  id: 'urgent',
  broadcastId: 'urgent',
  hamletId: 'un-ta',
  startsAt: utc('2026-12-12T10:00:00Z'),
  durationMs: 2 * MIN,
  priority: 'priority',
  slotName: 'evening',
  bookedAt: utc('2026-11-28T00:00:00Z'),
  title: 'Tin gấp',
};

describe('weekly slot series', () => {
  it('expands to the slot opening on each chosen weekday, in the commune zone', () => {
    const result = expandWhen(
      { kind: 'weekly-slot', slot: 'evening', weekdays: [6, 3], from: utc('2026-11-30T17:00:00Z') },
      rules,
      { from: utc('2026-11-30T17:00:00Z'), to: utc('2026-11-30T17:00:00Z') + 7 * DAY },
    );
    expect(result.ok && result.value).toEqual([
      { startsAt: utc('2026-12-02T10:00:00Z'), slot: 'evening' },
      { startsAt: utc('2026-12-05T10:00:00Z'), slot: 'evening' },
    ]);
  });

  it('refuses an unknown slot and no weekdays, naming the field', () => {
    const window = { from: 0, to: DAY };
    const unknown = expandWhen({ kind: 'weekly-slot', slot: 'noon', weekdays: [1], from: 0 }, rules, window);
    expect(!unknown.ok && unknown.error.field).toBe('recurrence.slot');
    const none = expandWhen({ kind: 'weekly-slot', slot: 'evening', weekdays: [], from: 0 }, rules, window);
    expect(!none.ok && none.error.code).toBe('no_weekdays');
  });
});

describe('projectSeries', () => {
  const window = { from: utc('2026-12-04T00:00:00Z'), to: utc('2026-12-14T00:00:00Z') };

  it("places a series' airings beyond what is stored, packed behind what ranks higher, and marks them", () => {
    const projected = projectSeries([weekly], rules, [priorityInSlot], window).filter((b) => b.virtual);
    expect(projected.map((b) => [b.id, b.startsAt, b.airingAt])).toEqual([
      [
        'weekly@un-ta@' + utc('2026-12-05T10:00:00Z'),
        utc('2026-12-05T10:00:00Z'),
        utc('2026-12-05T10:00:00Z'),
      ],
      [
        'weekly@un-ta@' + utc('2026-12-12T10:00:00Z'),
        utc('2026-12-12T10:02:00Z'),
        utc('2026-12-12T10:00:00Z'),
      ],
    ]);
  });

  it('leaves out skipped airings, as the materialiser does', () => {
    const skipping = { ...weekly, skips: [{ hamletId: 'un-ta', startsAt: utc('2026-12-05T10:00:00Z') }] };
    const projected = projectSeries([skipping], rules, [], window).filter((b) => b.virtual);
    expect(projected.map((b) => b.startsAt)).toEqual([utc('2026-12-12T10:00:00Z')]);
    const planned = planOccurrences(
      {
        broadcastId: 'weekly',
        priority: 'normal',
        bookedAt: 0,
        title: 't',
        starts: [{ startsAt: utc('2026-12-05T10:00:00Z'), slot: 'evening' }],
        hamlets: [{ id: 'un-ta', airTimeMs: MIN }],
        field: 'recurrence',
        skips: skipping.skips,
      },
      rules,
      [],
      { newId: () => 'x', onRefusal: 'refuse' },
    );
    expect(planned.ok && planned.plan.occurrences).toEqual([]);
  });

  it('extends series in the order they were booked', () => {
    const later = { ...weekly, broadcastId: 'later', bookedAt: weekly.bookedAt + 1 };
    const projected = projectSeries([later, weekly], rules, [], window).filter(
      (b) => b.virtual && b.startsAt < utc('2026-12-06T00:00:00Z'),
    );
    expect(projected.map((b) => [b.broadcastId, b.startsAt])).toEqual(
      expect.arrayContaining([
        ['weekly', utc('2026-12-05T10:00:00Z')],
        ['later', utc('2026-12-05T10:10:00Z')],
      ]),
    );
  });
});
