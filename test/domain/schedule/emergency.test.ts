import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EMERGENCY_REPEAT,
  DISASTER_BULLETIN_REPEAT,
  emergencyRepeatFromRules,
  expandEmergency,
  utcToLocal,
} from '../../../src/domain/schedule/index.js';
import { DAY, HOUR, MIN, rules, utc } from './fixtures.js';

const at = utc('2026-12-01T00:23:00Z'); // 07:23 in Vietnam
const day = { from: at, to: at + DAY };

describe('expandEmergency: N times', () => {
  it('airs 3 times 10 minutes apart by default', () => {
    expect(expandEmergency(at, DEFAULT_EMERGENCY_REPEAT, day)).toEqual([at, at + 10 * MIN, at + 20 * MIN]);
  });

  it('follows the commune rules', () => {
    const repeat = emergencyRepeatFromRules({
      ...rules,
      emergency: { repeatCount: 4, repeatIntervalMin: 15 },
    });
    expect(expandEmergency(at, repeat, day)).toEqual([at, at + 15 * MIN, at + 30 * MIN, at + 45 * MIN]);
  });

  it('stops at cancellation and keeps to the window', () => {
    expect(expandEmergency(at, DEFAULT_EMERGENCY_REPEAT, day, { cancelledAt: at + 15 * MIN })).toEqual([
      at,
      at + 10 * MIN,
    ]);
    expect(expandEmergency(at, DEFAULT_EMERGENCY_REPEAT, { from: at + 5 * MIN, to: at + DAY })).toEqual([
      at + 10 * MIN,
      at + 20 * MIN,
    ]);
  });
});

describe('expandEmergency: disaster bulletin every 2 h on the hour', () => {
  it('airs at once, then every 2 hours on the local hour until the window ends', () => {
    const runs = expandEmergency(at, DISASTER_BULLETIN_REPEAT, day, { timeZone: 'Asia/Ho_Chi_Minh' });
    expect(runs.slice(0, 3).map((t) => utcToLocal(t, 'Asia/Ho_Chi_Minh').time)).toEqual([
      '07:23',
      '09:00',
      '11:00',
    ]);
    // 09:00 … 07:00 the next day, before the window's end at 07:23.
    expect(runs).toHaveLength(1 + 12);
    expect(runs.at(-1)).toBe(utc('2026-12-02T00:00:00Z'));
  });

  it('stops when cancelled', () => {
    const runs = expandEmergency(at, DISASTER_BULLETIN_REPEAT, day, { cancelledAt: at + 4 * HOUR });
    expect(runs).toEqual([at, utc('2026-12-01T02:00:00Z'), utc('2026-12-01T04:00:00Z')]);
  });

  it('uses the local hour in a zone with a half-hour offset', () => {
    const kolkata = utc('2026-12-01T03:45:00Z'); // 09:15 in India
    const runs = expandEmergency(
      kolkata,
      DISASTER_BULLETIN_REPEAT,
      { from: kolkata, to: kolkata + 5 * HOUR },
      {
        timeZone: 'Asia/Kolkata',
      },
    );
    expect(runs).toEqual([kolkata, utc('2026-12-01T05:30:00Z'), utc('2026-12-01T07:30:00Z')]);
  });

  it('materialises only the window of a bulletin running for days', () => {
    const window = { from: at + 3 * DAY, to: at + 3 * DAY + 5 * HOUR };
    const runs = expandEmergency(at, DISASTER_BULLETIN_REPEAT, window);
    expect(runs.map((t) => utcToLocal(t, 'Asia/Ho_Chi_Minh').time)).toEqual(['09:00', '11:00']);
  });
});
