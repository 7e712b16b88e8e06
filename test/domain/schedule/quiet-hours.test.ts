import { describe, expect, it } from 'vitest';
import { checkQuietHours, isInQuietHours, localToUtc } from '../../../src/domain/schedule/index.js';
import { MIN, rules } from './fixtures.js';

const local = (date: string, time: string): number => localToUtc(date, time, rules.timeZone);

describe('isInQuietHours (21:30–05:30, across midnight)', () => {
  it.each([
    ['21:30', true],
    ['23:00', true],
    ['00:00', true],
    ['03:00', true],
    ['05:29', true],
    ['05:30', false],
    ['12:00', false],
    ['21:29', false],
  ] as const)('%s local → %s', (time, expected) => {
    expect(isInQuietHours(local('2026-12-01', time), rules)).toBe(expected);
  });

  it('handles a window within one day', () => {
    const noon = { ...rules, quietHours: { start: '12:00', end: '13:30' } };
    expect(isInQuietHours(local('2026-12-01', '12:45'), noon)).toBe(true);
    expect(isInQuietHours(local('2026-12-01', '23:00'), noon)).toBe(false);
  });

  it('has no quiet hours when start equals end', () => {
    expect(
      isInQuietHours(local('2026-12-01', '23:00'), {
        ...rules,
        quietHours: { start: '00:00', end: '00:00' },
      }),
    ).toBe(false);
  });
});

describe('checkQuietHours', () => {
  it('refuses a normal item late in the evening, saying the quiet window in local time', () => {
    const r = checkQuietHours(local('2026-12-01', '23:00'), 5 * MIN, 'normal', rules);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('quiet_hours');
    expect(r.error.message).toContain('(21:30–05:30)');
    expect(r.error.message).toContain('23:00 ngày 01/12/2026');
    expect(r.error.details).toMatchObject({
      quietStart: '21:30',
      quietEnd: '05:30',
      localStart: '2026-12-01 23:00',
    });
  });

  it('refuses an item after midnight, in the window opened the evening before', () => {
    const r = checkQuietHours(local('2026-12-02', '02:00'), 5 * MIN, 'priority', rules);
    expect(!r.ok && r.error.code).toBe('quiet_hours');
  });

  it('accepts an emergency at night', () => {
    expect(checkQuietHours(local('2026-12-01', '23:00'), 5 * MIN, 'emergency', rules)).toEqual({
      ok: true,
      value: true,
    });
  });

  it('refuses an item that starts before quiet hours but runs into them', () => {
    const r = checkQuietHours(local('2026-12-01', '21:20'), 15 * MIN, 'normal', rules);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('lấn vào giờ nghỉ ngơi');
    expect(checkQuietHours(local('2026-12-01', '21:20'), 10 * MIN, 'normal', rules).ok).toBe(true);
  });

  it('accepts an item from the end of quiet hours, not a minute before', () => {
    expect(checkQuietHours(local('2026-12-02', '05:30'), 30 * MIN, 'normal', rules).ok).toBe(true);
    expect(checkQuietHours(local('2026-12-02', '05:29'), 30 * MIN, 'normal', rules).ok).toBe(false);
  });
});
