import { describe, expect, it } from 'vitest';
import { airTimeTotals, deviceState, localPeriods, zonePeriods } from '../../src/domain/province-report.js';
import { countAiringFacts } from '../../src/domain/receiver/coverage-report.js';

describe('local periods', () => {
  it("cuts days at the commune's midnight, not UTC's", () => {
    expect(localPeriods('Asia/Ho_Chi_Minh', '2026-11-30', '2026-12-01', 'day')).toEqual([
      { label: '2026-11-30', from: '2026-11-29T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z' },
      { label: '2026-12-01', from: '2026-11-30T17:00:00.000Z', to: '2026-12-01T17:00:00.000Z' },
    ]);
  });

  it('cuts months at the first of the month and at the ends of the range', () => {
    expect(localPeriods('Asia/Ho_Chi_Minh', '2026-11-15', '2027-01-03', 'month')).toEqual([
      { label: '2026-11', from: '2026-11-14T17:00:00.000Z', to: '2026-11-30T17:00:00.000Z' },
      { label: '2026-12', from: '2026-11-30T17:00:00.000Z', to: '2026-12-31T17:00:00.000Z' },
      { label: '2027-01', from: '2026-12-31T17:00:00.000Z', to: '2027-01-03T17:00:00.000Z' },
    ]);
  });

  it('follows a zone with daylight saving: a day of 23 hours is still one day', () => {
    const [day] = localPeriods('Europe/Berlin', '2026-03-29', '2026-03-29', 'day');
    expect(Date.parse(day!.to) - Date.parse(day!.from)).toBe(23 * 3_600_000);
  });

  it('gives each zone of a province its periods once', () => {
    const zones = zonePeriods(
      ['Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh', 'Asia/Bangkok'],
      '2026-11-01',
      '2026-11-01',
      'day',
    );
    expect(zones.map((z) => z.timeZone)).toEqual(['Asia/Bangkok', 'Asia/Ho_Chi_Minh']);
  });
});

describe('device state', () => {
  const base = {
    createdAt: '2026-11-01T00:00:00.000Z',
    disabledAt: null,
    lastSeenAt: null,
    onlineSince: null,
  };
  const now = Date.parse('2026-11-27T01:05:00Z');

  it('is online while its last heartbeat is at most two intervals old, since its stretch began', () => {
    expect(
      deviceState(
        { ...base, lastSeenAt: '2026-11-27T01:03:00.000Z', onlineSince: '2026-11-26T22:00:00.000Z' },
        now,
      ),
    ).toEqual({ state: 'online', since: '2026-11-26T22:00:00.000Z' });
  });

  it('is offline from when its last heartbeat stopped keeping it online', () => {
    expect(deviceState({ ...base, lastSeenAt: '2026-11-27T01:02:59.000Z' }, now)).toEqual({
      state: 'offline',
      since: '2026-11-27T01:04:59.000Z',
    });
  });

  it('is disabled before anything else, and never seen until its first heartbeat', () => {
    expect(
      deviceState(
        { ...base, disabledAt: '2026-11-20T00:00:00.000Z', lastSeenAt: '2026-11-27T01:04:00.000Z' },
        now,
      ),
    ).toEqual({ state: 'disabled', since: '2026-11-20T00:00:00.000Z' });
    expect(deviceState(base, now)).toEqual({ state: 'never_seen', since: base.createdAt });
  });
});

describe('province sums', () => {
  it('counts pairs by facts with the commune reports’ rule', () => {
    const facts = {
      failed: false,
      interrupted: false,
      aired: false,
      skipped: false,
      due: true,
      heard: false,
    };
    expect(
      countAiringFacts([
        { ...facts, aired: true, heard: true, count: 3 },
        { ...facts, count: 2 },
        { ...facts, heard: true, count: 1 },
        { ...facts, failed: true, count: 1 },
        // Stopped by an emergency: neither failed nor expected.
        { ...facts, aired: true, failed: true, interrupted: true, count: 4 },
        // Not due yet: not counted.
        { ...facts, due: false, count: 5 },
      ]),
    ).toEqual({ expected: 7, played: 3, failed: 1, missed: 1, offline: 2, interrupted: 4, rate: 0.429 });
  });

  it('adds air time up over communes per month, category and level, lowest level first', () => {
    const row = { month: '2026-11', category: 'y-te', airings: 1, airTimeMs: 60_000 };
    expect(
      airTimeTotals([
        { ...row, communeId: 'a', priority: 'emergency' },
        { ...row, communeId: 'a', priority: 'normal' },
        { ...row, communeId: 'b', priority: 'normal', airings: 2, airTimeMs: 30_000 },
      ]),
    ).toEqual([
      { month: '2026-11', category: 'y-te', priority: 'normal', airings: 3, airTimeMs: 90_000 },
      { month: '2026-11', category: 'y-te', priority: 'emergency', airings: 1, airTimeMs: 60_000 },
    ]);
  });
});
