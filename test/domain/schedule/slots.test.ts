import { describe, expect, it } from 'vitest';
import {
  checkSlotFits,
  packSlot,
  slotCapacityS,
  type Slot,
  type SlotItem,
} from '../../../src/domain/schedule/index.js';
import { MIN, utc } from './fixtures.js';

const morning: Slot = { name: 'morning', start: '05:00', end: '06:00', maxAirTimeS: 45 * 60 };
const t0 = utc('2026-11-30T22:00:00Z');
const item = (id: string, priority: SlotItem['priority'], createdAt: number, minutes: number): SlotItem => ({
  id,
  priority,
  createdAt,
  durationMs: minutes * MIN,
});

describe('packSlot', () => {
  it('plays back to back: priority first, then creation order', () => {
    const packed = packSlot(
      [
        item('late-normal', 'normal', 3, 5),
        item('early-normal', 'normal', 1, 10),
        item('urgent', 'priority', 9, 2),
      ],
      morning,
      t0,
    );
    expect(packed.placed).toEqual([
      { id: 'urgent', startsAt: t0, endsAt: t0 + 2 * MIN },
      { id: 'early-normal', startsAt: t0 + 2 * MIN, endsAt: t0 + 12 * MIN },
      { id: 'late-normal', startsAt: t0 + 12 * MIN, endsAt: t0 + 17 * MIN },
    ]);
    expect(packed.usedS).toBe(17 * 60);
    expect(packed.overflowS).toBe(0);
    expect(packed.unplaced).toEqual([]);
  });

  it('stops at the air-time cap and reports the overflow', () => {
    const packed = packSlot(
      [item('a', 'normal', 1, 30), item('b', 'normal', 2, 20), item('c', 'normal', 3, 1)],
      morning,
      t0,
    );
    expect(packed.placed.map((p) => p.id)).toEqual(['a']);
    // c would fit in the gap, but the queue keeps its order.
    expect(packed.unplaced).toEqual(['b', 'c']);
    expect(packed.usedS).toBe(30 * 60);
    expect(packed.overflowS).toBe(6 * 60);
  });

  it('caps a slot at its own length when shorter than its air time', () => {
    expect(slotCapacityS(morning)).toBe(2700);
    expect(slotCapacityS({ ...morning, end: '05:30' })).toBe(1800);
    expect(slotCapacityS({ name: 'night', start: '23:50', end: '00:10', maxAirTimeS: 2700 })).toBe(1200);
  });
});

describe('checkSlotFits', () => {
  it('says by how much the 45-minute cap would be exceeded', () => {
    const r = checkSlotFits(
      [{ durationMs: 40 * MIN }, { durationMs: 4 * MIN }],
      { durationMs: 2 * MIN + 5_000 },
      morning,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('slot_overflow');
    expect(r.error.message).toContain('tối đa 45 phút');
    expect(r.error.message).toContain('sẽ vượt 1 phút 5 giây');
    expect(r.error.messageEn).toContain('by 1 min 5 s');
    expect(r.error.details).toEqual({
      slot: 'morning',
      maxAirTimeS: 2700,
      usedS: 2640,
      requestedS: 125,
      overS: 65,
    });
  });

  it('rounds a part-second excess up, never down', () => {
    const r = checkSlotFits([{ durationMs: 45 * MIN }], { durationMs: 400 }, morning);
    expect(!r.ok && r.error.message).toContain('vượt 1 giây');
  });

  it('accepts a candidate that fills the slot exactly', () => {
    expect(checkSlotFits([{ durationMs: 40 * MIN }], { durationMs: 5 * MIN }, morning)).toEqual({
      ok: true,
      value: { usedS: 2700, remainingS: 0 },
    });
  });
});
