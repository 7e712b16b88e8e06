import { describe, expect, it } from 'vitest';
import { validateCron } from '../../../src/domain/schedule/index.js';

const strict = { allowFrequent: false } as const;

describe('validateCron', () => {
  it.each([
    ['61 * * * *', 'minute', 1, 'phút', '61'],
    ['0 25 * * *', 'hour', 2, 'giờ', '25'],
    ['0 6 32 * *', 'dayOfMonth', 3, 'ngày trong tháng', '32'],
    ['0 6 * 13 *', 'month', 4, 'tháng', '13'],
    ['0 6 * * 9', 'dayOfWeek', 5, 'thứ trong tuần', '9'],
  ] as const)('names the wrong field of %s', (cron, cronField, position, nameVi, value) => {
    const r = validateCron(cron, strict);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_cron');
    expect(r.error.field).toBe('recurrence.cron');
    expect(r.error.details).toEqual({ cronField, position, value });
    expect(r.error.message).toContain(`trường thứ ${position} (${nameVi}): "${value}"`);
  });

  it('asks for five fields when there are not five', () => {
    const r = validateCron('0 6 * *', strict);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('đúng 5 trường');
  });

  it('refuses a schedule denser than every 15 minutes', () => {
    const r = validateCron('*/5 * * * *', strict);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('cron_too_frequent');
    expect(r.error.details).toEqual({ minGapMin: 5, limitMin: 15 });
    expect(r.error.message).toContain('ít nhất 15 phút');
  });

  it('finds a short gap even when runs are otherwise rare', () => {
    const r = validateCron('0,10 6 * * 1', strict);
    expect(!r.ok && r.error.code).toBe('cron_too_frequent');
  });

  it('finds a short gap across midnight', () => {
    // 23:55 then 00:05 the next day.
    const r = validateCron('5,55 0,23 * * *', strict);
    expect(!r.ok && r.error.details).toEqual({ minGapMin: 10, limitMin: 15 });
  });

  it('allows a dense schedule for emergencies', () => {
    expect(validateCron('*/5 * * * *', { allowFrequent: true })).toEqual({ ok: true, value: '*/5 * * * *' });
  });

  it('accepts exactly every 15 minutes and normalises spaces', () => {
    expect(validateCron('*/15 * * * *', strict).ok).toBe(true);
    expect(validateCron('  0  6 * * *  ', strict)).toEqual({ ok: true, value: '0 6 * * *' });
  });

  it.each(['0 0 30 2 *', '0 0 31 4 *'])('refuses %s, which never fires', (cron) => {
    const r = validateCron(cron, { allowFrequent: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('cron_never_fires');
  });

  it('accepts 29 February, which fires in leap years', () => {
    expect(validateCron('0 6 29 2 *', strict).ok).toBe(true);
  });
});
