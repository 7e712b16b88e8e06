import { describe, expect, it } from 'vitest';
import { suggestStart, type Booked } from '../../../src/domain/schedule/index.js';
import { DAY, MIN, rules, utc } from './fixtures.js';

const item = (id: string, startsAt: string, durationMs: number, priority: Booked['priority'] = 'normal') =>
  ({
    id,
    broadcastId: id,
    hamletId: 'un-ta',
    startsAt: utc(startsAt),
    durationMs,
    priority,
    slotName: null,
    bookedAt: 0,
    title: id,
  }) satisfies Booked;

const ask = (startsAt: string, durationMs = 5 * MIN, priority: Booked['priority'] = 'normal') => ({
  startsAt: utc(startsAt),
  priority,
  hamlets: [{ id: 'un-ta', airTimeMs: durationMs }],
});

// 09:00 local is 02:00Z.
describe('suggestStart: the next free time that fits', () => {
  it('jumps past what blocks it, to the whole minute', () => {
    const booked = [
      item('a', '2026-12-01T02:00:00Z', 15 * MIN),
      item('b', '2026-12-01T02:15:00Z', 4 * MIN + 50_000),
    ];
    expect(suggestStart(ask('2026-12-01T02:10:00Z'), rules, booked)).toBe(utc('2026-12-01T02:20:00Z'));
  });

  it('does not stop in a gap too short for the item', () => {
    const booked = [item('a', '2026-12-01T02:00:00Z', 10 * MIN), item('b', '2026-12-01T02:12:00Z', 10 * MIN)];
    expect(suggestStart(ask('2026-12-01T02:00:00Z'), rules, booked)).toBe(utc('2026-12-01T02:22:00Z'));
  });

  it('is not blocked by lower priorities, which the item would push aside', () => {
    const booked = [
      item('a', '2026-12-01T02:00:00Z', 30 * MIN, 'normal'),
      item('b', '2026-12-01T02:40:00Z', 5 * MIN, 'priority'),
    ];
    expect(suggestStart(ask('2026-12-01T02:38:00Z', 5 * MIN, 'priority'), rules, booked)).toBe(
      utc('2026-12-01T02:45:00Z'),
    );
  });

  it('skips the quiet hours (21:30–05:30), also for an item that would run into them', () => {
    // 21:20 local for 15 minutes runs into 21:30: the next start is 05:30 the next morning.
    expect(suggestStart(ask('2026-12-01T14:20:00Z', 15 * MIN), rules, [])).toBe(utc('2026-12-01T22:30:00Z'));
  });

  it('answers null when nothing fits within the span', () => {
    const wall = [item('x', '2026-12-01T02:00:00Z', 3 * DAY, 'emergency')];
    expect(suggestStart(ask('2026-12-01T02:00:00Z'), rules, wall)).toBeNull();
  });

  it('fits every hamlet of a broadcast at once', () => {
    const other = { ...item('c', '2026-12-01T02:05:00Z', 10 * MIN), hamletId: 'thon-2' };
    const request = {
      ...ask('2026-12-01T02:00:00Z'),
      hamlets: [
        { id: 'un-ta', airTimeMs: 5 * MIN },
        { id: 'thon-2', airTimeMs: 5 * MIN },
      ],
    };
    const booked = [item('a', '2026-12-01T02:00:00Z', MIN), other];
    expect(suggestStart(request, rules, booked)).toBe(utc('2026-12-01T02:15:00Z'));
  });
});
