import { describe, expect, it } from 'vitest';
import { planOccurrences, type Booked, type PlanRequest } from '../../../src/domain/schedule/index.js';
import { MIN, rules, utc } from './fixtures.js';

// The evening slot of 2026-12-01 opens at 17:00 local, 10:00Z.
const evening = utc('2026-12-01T10:00:00Z');
let next = 0;
const options = { newId: () => `new-${++next}`, onRefusal: 'refuse' } as const;

const booked = (id: string, at: number, minutes: number, extra: Partial<Booked> = {}): Booked => ({
  id,
  broadcastId: `b-${id}`,
  hamletId: 'un-ta',
  startsAt: at,
  durationMs: minutes * MIN,
  priority: 'normal',
  slotName: null,
  bookedAt: 0,
  title: id,
  ...extra,
});

const inEvening = (minutes: number, priority: PlanRequest['priority'] = 'normal'): PlanRequest => ({
  broadcastId: 'candidate',
  priority,
  bookedAt: 10,
  title: 'candidate',
  starts: [{ startsAt: evening, slot: 'evening' }],
  hamlets: [{ id: 'un-ta', airTimeMs: minutes * MIN }],
  field: 'at',
});

describe('planOccurrences in a slot that holds an exact-time item', () => {
  it('packs a slot item before an exact-time item it does not reach', () => {
    const series = booked('series', evening + 30 * MIN, 10);
    const planned = planOccurrences(inEvening(20), rules, [series], options);
    expect(planned.ok && planned.plan.occurrences.map((o) => o.startsAt)).toEqual([evening]);
  });

  it('refuses a slot item that packing would play into an exact-time item of equal rank, naming it', () => {
    const series = booked('series', evening + 30 * MIN, 10, { virtual: true });
    const first = booked('first', evening, 28, { slotName: 'evening' });
    const planned = planOccurrences(inEvening(5), rules, [first, series], options);
    expect(planned).toMatchObject({ ok: false, error: { code: 'conflict', field: 'slot' } });
    expect(!planned.ok && planned.conflicts.map((c) => c.id)).toEqual(['series']);
  });

  it('refuses a priority slot item that would push a stored one into an exact-time item', () => {
    const first = booked('first', evening, 25, { slotName: 'evening' });
    const exact = booked('exact', evening + 26 * MIN, 10);
    const planned = planOccurrences(inEvening(3, 'priority'), rules, [first, exact], options);
    expect(planned).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!planned.ok && planned.conflicts.map((c) => c.id)).toEqual(['exact']);
  });

  it('lets a priority slot item push aside a normal exact-time item it plays into', () => {
    const exact = booked('exact', evening + 2 * MIN, 10);
    const planned = planOccurrences(inEvening(5, 'priority'), rules, [exact], options);
    expect(planned.ok && planned.plan.displaced.map((d) => d.id)).toEqual(['exact']);
    expect(planned.ok && planned.plan.booked.map((b) => b.id)).not.toContain('exact');
  });
});
