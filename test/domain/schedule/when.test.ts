import { describe, expect, it } from 'vitest';
import { expandWhen, type CommuneRules, type When } from '../../../src/domain/schedule/index.js';
import { DAY, MIN, rules, utc } from './fixtures.js';

// The rolling horizon from local midnight of 1 December 2026.
const from = utc('2026-11-30T17:00:00Z');
const week = { from, to: from + 7 * DAY } as const;
const daily = (extra: Partial<Extract<When, { kind: 'recurrence' }>> = {}): When => ({
  kind: 'recurrence',
  cron: '0 6 * * *',
  from,
  ...extra,
});
const starts = (
  when: When,
  window: { from: number; to: number } = week,
  r: CommuneRules = rules,
): number[] => {
  const result = expandWhen(when, r, window);
  if (!result.ok) throw new Error(result.error.messageEn);
  return result.value.map((o) => o.startsAt);
};
const errorOf = (...args: Parameters<typeof expandWhen>) => {
  const result = expandWhen(...args);
  return result.ok ? undefined : result.error;
};

describe('expandWhen: recurrence', () => {
  it('evaluates the cron in the commune zone: 06:00 local is 23:00Z the day before', () => {
    expect(starts(daily({ count: 3 }))).toEqual([
      utc('2026-11-30T23:00:00Z'),
      utc('2026-12-01T23:00:00Z'),
      utc('2026-12-02T23:00:00Z'),
    ]);
  });

  it('counts from `from`, not from the window', () => {
    const later = { from: utc('2026-12-02T00:00:00Z'), to: utc('2026-12-09T00:00:00Z') };
    expect(starts(daily({ count: 3 }), later)).toEqual([utc('2026-12-02T23:00:00Z')]);
  });

  it('stops at `until`, which is inclusive', () => {
    expect(starts(daily({ until: utc('2026-12-02T23:00:00Z') }))).toHaveLength(3);
    expect(starts(daily({ until: utc('2026-12-02T22:59:00Z') }))).toHaveLength(2);
  });

  it('materialises an open recurrence only within the window', () => {
    const runs = starts(daily());
    expect(runs).toHaveLength(7);
    expect(runs.at(-1)).toBe(utc('2026-12-06T23:00:00Z'));
  });

  it('keeps local time across a DST change (Berlin)', () => {
    const berlin = { ...rules, timeZone: 'Europe/Berlin' };
    const start = utc('2026-03-27T23:00:00Z');
    expect(
      starts(
        { kind: 'recurrence', cron: '0 6 * * *', from: start, count: 2 },
        { from: start, to: start + 7 * DAY },
        berlin,
      ),
    ).toEqual([utc('2026-03-28T05:00:00Z'), utc('2026-03-29T04:00:00Z')]);
  });

  it('refuses an end before the start', () => {
    expect(errorOf(daily({ until: from - DAY }), rules, week)).toMatchObject({
      code: 'until_before_from',
      field: 'recurrence.until',
    });
  });

  it('refuses both a count and an end', () => {
    expect(errorOf(daily({ count: 2, until: from + DAY }), rules, week)?.code).toBe('count_and_until');
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(errorOf(daily({ count: 0 }), rules, week)).toMatchObject({
      code: 'invalid_count',
      field: 'recurrence.count',
    });
  });

  it('refuses a recurrence with no run between its start and end', () => {
    const e = errorOf(daily({ cron: '0 6 1 1 *', until: from + 20 * DAY }), rules, week);
    expect(e?.code).toBe('no_occurrences');
  });

  it('names a weekly recurrence at a time in words when it has no run, and any other by its expression', () => {
    // Tuesday 1 December to the end of Saturday 5 December: no Sunday nor Monday in it.
    const until = utc('2026-12-05T17:00:00Z') - 1;
    const weekly = errorOf(daily({ cron: '30 7 * * 1,0', until }), rules, week);
    expect(weekly?.code).toBe('no_occurrences');
    expect(weekly?.message).toBe(
      'Lịch lặp hằng tuần vào Chủ nhật, Thứ hai, lúc 07:30 không có lần phát nào từ 00:00 ngày 01/12/2026 đến 23:59 ngày 05/12/2026. Hãy kéo dài thời gian kết thúc hoặc sửa lịch lặp.',
    );
    expect(weekly?.messageEn).toContain('Recurrence every Sunday, Monday at 07:30 has no run');
    const other = errorOf(daily({ cron: '0 6 1 1 *', until }), rules, week);
    expect(other?.message).toContain('Lịch lặp "0 6 1 1 *" không có lần phát nào');
  });

  it('refuses a dense cron unless the broadcast is an emergency', () => {
    const dense = daily({ cron: '*/5 * * * *', count: 3 });
    expect(errorOf(dense, rules, week)?.code).toBe('cron_too_frequent');
    const ok = expandWhen(dense, rules, week, { priority: 'emergency' });
    expect(ok.ok && ok.value.map((o) => o.startsAt)).toEqual([from, from + 5 * MIN, from + 10 * MIN]);
  });

  it('refuses, when checking a new broadcast, a recurrence whose runs are all past', () => {
    const e = errorOf(daily({ count: 2 }), rules, week, { now: from + 3 * DAY });
    expect(e).toMatchObject({ code: 'past', field: 'recurrence.count' });
    expect(expandWhen(daily({ count: 5 }), rules, week, { now: from + 3 * DAY }).ok).toBe(true);
  });
});

describe('expandWhen: exact time', () => {
  const at = utc('2026-12-01T01:00:00Z');

  it('gives the instant when it falls in the window', () => {
    expect(starts({ kind: 'at', at })).toEqual([at]);
    expect(starts({ kind: 'at', at: from + 8 * DAY })).toEqual([]);
  });

  it('refuses a time already past, in local time', () => {
    const e = errorOf({ kind: 'at', at }, rules, week, { now: at + MIN });
    expect(e).toMatchObject({ code: 'past', field: 'at' });
    expect(e?.message).toContain('08:00 ngày 01/12/2026');
  });
});

describe('expandWhen: standing slot', () => {
  it('starts at the slot opening on that local date', () => {
    const r = expandWhen({ kind: 'slot', name: 'morning', date: '2026-12-01' }, rules, week);
    expect(r).toEqual({ ok: true, value: [{ startsAt: utc('2026-11-30T22:00:00Z'), slot: 'morning' }] });
  });

  it('refuses an unknown slot and lists the known ones', () => {
    const e = errorOf({ kind: 'slot', name: 'noon', date: '2026-12-01' }, rules, week);
    expect(e).toMatchObject({
      code: 'unknown_slot',
      field: 'slot.name',
      details: { known: ['morning', 'evening'] },
    });
    expect(e?.message).toContain('morning, evening');
  });

  it('refuses a date that does not exist', () => {
    const e = errorOf({ kind: 'slot', name: 'evening', date: '2026-02-30' }, rules, week);
    expect(e).toMatchObject({ code: 'invalid_date', field: 'slot.date' });
  });

  it('refuses a slot that has already begun', () => {
    const e = errorOf({ kind: 'slot', name: 'morning', date: '2026-12-01' }, rules, week, {
      now: utc('2026-11-30T22:10:00Z'),
    });
    expect(e?.code).toBe('past');
  });
});
