import { describe, expect, it } from 'vitest';
import {
  coverage,
  coverageByDay,
  coverageOf,
  isMissed,
  type CoverageRow,
  type CoverageStatus,
} from '../../../src/domain/schedule/index.js';
import { MIN, utc } from './fixtures.js';

const rows = (hamletId: string, counts: Partial<Record<CoverageStatus, number>>): CoverageRow[] =>
  Object.entries(counts).flatMap(([status, n]) =>
    Array.from({ length: n }, () => ({ hamletId, status: status as CoverageStatus })),
  );

describe('coverage', () => {
  it('counts per hamlet; rate leaves out items not yet due', () => {
    const result = coverage([
      ...rows('un-ta', { played: 2, failed: 1, missed: 1, scheduled: 4 }),
      ...rows('coc-san', { played: 2, missed: 1 }),
      ...rows('na-lung', { scheduled: 3 }),
    ]);
    expect(result).toEqual([
      { hamletId: 'coc-san', scheduled: 3, played: 2, failed: 0, missed: 1, rate: 0.667 },
      { hamletId: 'na-lung', scheduled: 3, played: 0, failed: 0, missed: 0, rate: null },
      { hamletId: 'un-ta', scheduled: 8, played: 2, failed: 1, missed: 1, rate: 0.5 },
    ]);
  });

  it('gives a full rate when everything due played', () => {
    expect(coverageOf(rows('x', { played: 7, scheduled: 1 })).rate).toBe(1);
    expect(coverageOf(rows('x', { failed: 1 })).rate).toBe(0);
  });
});

describe('coverageByDay', () => {
  it("buckets by the commune's local date, not the UTC date", () => {
    const result = coverageByDay(
      [
        { hamletId: 'un-ta', status: 'played', startsAt: utc('2026-11-30T23:00:00Z') }, // 06:00 on 1 Dec
        { hamletId: 'un-ta', status: 'missed', startsAt: utc('2026-12-01T10:00:00Z') }, // 17:00 on 1 Dec
        { hamletId: 'un-ta', status: 'played', startsAt: utc('2026-11-30T10:00:00Z') }, // 17:00 on 30 Nov
      ],
      'Asia/Ho_Chi_Minh',
    );
    expect(result).toEqual([
      { date: '2026-11-30', hamletId: 'un-ta', scheduled: 1, played: 1, failed: 0, missed: 0, rate: 1 },
      { date: '2026-12-01', hamletId: 'un-ta', scheduled: 2, played: 1, failed: 0, missed: 1, rate: 0.5 },
    ]);
  });
});

describe('isMissed', () => {
  const startsAt = utc('2026-12-01T00:00:00Z');
  const grace = 10 * MIN;

  it('marks a scheduled occurrence with no start report once the grace is over', () => {
    expect(isMissed({ startsAt, status: 'scheduled' }, false, startsAt + grace + 1, grace)).toBe(true);
  });

  it('waits out the grace', () => {
    expect(isMissed({ startsAt, status: 'scheduled' }, false, startsAt + grace, grace)).toBe(false);
  });

  it('does not mark an occurrence a receiver started, or one already settled', () => {
    expect(isMissed({ startsAt, status: 'scheduled' }, true, startsAt + 2 * grace, grace)).toBe(false);
    expect(isMissed({ startsAt, status: 'failed' }, false, startsAt + 2 * grace, grace)).toBe(false);
  });
});
