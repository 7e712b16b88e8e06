import { describe, expect, it } from 'vitest';
import { orderVariants, totalDurationMs } from '../../../src/domain/schedule/index.js';

const vi = { language: 'vi', durationMs: 60_000, url: 'vi.mp3' };
const giay = { language: 'giay', durationMs: 75_000, url: 'giay.mp3' };
const hmong = { language: 'hmn', durationMs: 80_000, url: 'hmn.mp3' };

describe('orderVariants', () => {
  it("plays Ún Tà's languages in its order, vi then giay", () => {
    expect(orderVariants(['vi', 'giay'], [giay, hmong, vi])).toEqual([vi, giay]);
  });

  it('skips a listed language with no recording', () => {
    expect(orderVariants(['vi', 'giay', 'dao'], [vi, giay])).toEqual([vi, giay]);
  });

  it('does not play languages the hamlet does not list', () => {
    expect(orderVariants(['giay'], [vi, hmong, giay])).toEqual([giay]);
    expect(orderVariants([], [vi, giay])).toEqual([]);
  });

  it('matches language tags without regard to case, once each', () => {
    expect(orderVariants(['VI', 'vi'], [vi])).toEqual([vi]);
  });
});

describe('totalDurationMs', () => {
  it('adds the variants played one after another', () => {
    expect(totalDurationMs(orderVariants(['vi', 'giay'], [vi, giay, hmong]))).toBe(135_000);
    expect(totalDurationMs([])).toBe(0);
  });
});
