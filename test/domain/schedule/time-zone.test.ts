import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatLocalVi,
  isValidTimeZone,
  localToUtc,
  parseLocalDate,
  parseLocalTime,
  utcToLocal,
} from '../../../src/domain/schedule/index.js';
import { utc } from './fixtures.js';

describe('localToUtc / utcToLocal', () => {
  it('reads 06:00 in Vietnam as 23:00 UTC the previous day', () => {
    expect(localToUtc('2026-12-01', '06:00', 'Asia/Ho_Chi_Minh')).toBe(utc('2026-11-30T23:00:00Z'));
    expect(utcToLocal(utc('2026-11-30T23:00:00Z'), 'Asia/Ho_Chi_Minh')).toEqual({
      date: '2026-12-01',
      time: '06:00',
      weekday: 2,
    });
  });

  it('follows Berlin summer and winter time', () => {
    expect(localToUtc('2026-01-15', '12:00', 'Europe/Berlin')).toBe(utc('2026-01-15T11:00:00Z'));
    expect(localToUtc('2026-07-01', '12:00', 'Europe/Berlin')).toBe(utc('2026-07-01T10:00:00Z'));
    expect(utcToLocal(utc('2026-07-01T22:30:00Z'), 'Europe/Berlin')).toEqual({
      date: '2026-07-02',
      time: '00:30',
      weekday: 4,
    });
  });

  it('reads a time skipped by the spring jump with the offset before it (RFC 5545)', () => {
    // 2026-03-29 02:00 → 03:00 in Berlin; 02:30 does not exist and means 03:30 CEST.
    const t = localToUtc('2026-03-29', '02:30', 'Europe/Berlin');
    expect(t).toBe(utc('2026-03-29T01:30:00Z'));
    expect(utcToLocal(t, 'Europe/Berlin').time).toBe('03:30');
  });

  it('reads a time repeated by the autumn fall-back as its first occurrence', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
    expect(localToUtc('2026-10-25', '02:30', 'Europe/Berlin')).toBe(utc('2026-10-25T00:30:00Z'));
    expect(localToUtc('2026-10-25', '04:00', 'Europe/Berlin')).toBe(utc('2026-10-25T03:00:00Z'));
  });

  it('formats local time for Vietnamese messages', () => {
    expect(formatLocalVi(utc('2026-11-30T23:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('06:00 ngày 01/12/2026');
  });

  it('knows real zones from typos', () => {
    expect(isValidTimeZone('Asia/Ho_Chi_Minh')).toBe(true);
    expect(isValidTimeZone('Asia/Hanoi_City')).toBe(false);
  });
});

describe('parseLocalDate', () => {
  it('accepts real dates, including 29 February of a leap year', () => {
    expect(parseLocalDate('2026-12-01')).toEqual({ ok: true, value: { year: 2026, month: 12, day: 1 } });
    expect(parseLocalDate('2028-02-29').ok).toBe(true);
  });

  it.each(['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10'])(
    'refuses %s, which is not on the calendar',
    (date) => {
      const r = parseLocalDate(date, 'slot.date');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('invalid_date');
      expect(r.error.field).toBe('slot.date');
      expect(r.error.message).toContain('không có trên lịch');
    },
  );

  it('names the date the way a cadre writes it', () => {
    const r = parseLocalDate('2026-02-30');
    expect(!r.ok && r.error.message).toContain('30/02/2026');
  });

  it('refuses a malformed date with an example of the right form', () => {
    const r = parseLocalDate('1/12/2026');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('2026-12-01');
  });
});

describe('parseLocalTime / addDays', () => {
  it('parses HH:MM into minutes and refuses 24:00', () => {
    expect(parseLocalTime('21:30')).toEqual({ ok: true, value: 1290 });
    expect(parseLocalTime('00:00')).toEqual({ ok: true, value: 0 });
    const bad = parseLocalTime('24:00', 'quietHours.end');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatchObject({ code: 'invalid_time', field: 'quietHours.end' });
  });

  it('steps across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});
