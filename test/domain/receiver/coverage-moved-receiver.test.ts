import { describe, expect, it } from 'vitest';
import {
  hamletCoverage,
  receiverCoverage,
  type AiringCount,
} from '../../../src/domain/receiver/coverage-report.js';

const facts = {
  failed: false,
  interrupted: false,
  aired: false,
  skipped: false,
  due: true,
  heard: true,
} as const;

describe('coverage of a receiver moved between hamlets in the range', () => {
  // Counted by the database per hamlet the box aired for: two airings in Ún Tà before its move, one of
  // them played, and one played in thôn 3 after it.
  const counts: AiringCount[] = [
    { ...facts, receiverId: 'rx', hamletId: 'un-ta', name: 'Chợ', aired: true, count: 1 },
    { ...facts, receiverId: 'rx', hamletId: 'un-ta', name: 'Chợ', count: 1 },
    { ...facts, receiverId: 'rx', hamletId: 'thon-3', name: 'Chợ', aired: true, count: 1 },
  ];
  // Listed as the enabled boxes of the hamlets are: in thôn 3, where it is now.
  const receivers = receiverCoverage([{ id: 'rx', hamletId: 'thon-3', name: 'Chợ' }], counts);

  it('gives it a row in each hamlet, with what it aired for that hamlet', () => {
    expect(receivers.map((r) => [r.hamletId, r.expected, r.played, r.missed, r.rate])).toEqual([
      ['thon-3', 1, 1, 0, 1],
      ['un-ta', 2, 1, 1, 0.5],
    ]);
  });

  it("adds each row up under its own hamlet, so thôn 3 gains nothing of Ún Tà's", () => {
    expect(
      hamletCoverage(['un-ta', 'thon-3'], [], receivers).map((h) => [h.hamletId, h.expected, h.played]),
    ).toEqual([
      ['thon-3', 1, 1],
      ['un-ta', 2, 1],
    ]);
  });

  it('lists a box of the scope with nothing expected in its current hamlet only', () => {
    const rows = receiverCoverage([{ id: 'rx', hamletId: 'thon-3', name: 'Chợ' }], []);
    expect(rows).toEqual([expect.objectContaining({ receiverId: 'rx', hamletId: 'thon-3', expected: 0 })]);
  });
});
