import { describe, expect, it } from 'vitest';
import { diffAlarms, type ReceiverAlarm } from '../../../src/domain/receiver/alarm.js';
import { CommandInputSchema, withinOnHours } from '../../../src/domain/receiver/command.js';
import { testToneWav } from '../../../src/receiver/tone.js';

const zone = 'Asia/Ho_Chi_Minh';
const local = (time: string) => Date.parse(`2026-11-27T${time}:00+07:00`);

describe('daily on-hours', () => {
  it('plays from on to off, local time, and not outside', () => {
    const hours = { on: '05:00', off: '21:30', timeZone: zone };
    expect(withinOnHours(local('05:00'), hours)).toBe(true);
    expect(withinOnHours(local('21:29'), hours)).toBe(true);
    expect(withinOnHours(local('21:30'), hours)).toBe(false);
    expect(withinOnHours(local('04:59'), hours)).toBe(false);
  });
  it('spans midnight when on is after off; equal times or none mean all day', () => {
    const night = { on: '22:00', off: '02:00', timeZone: zone };
    expect(withinOnHours(local('23:00'), night)).toBe(true);
    expect(withinOnHours(local('01:59'), night)).toBe(true);
    expect(withinOnHours(local('12:00'), night)).toBe(false);
    expect(withinOnHours(local('12:00'), { on: '06:00', off: '06:00', timeZone: zone })).toBe(true);
    expect(withinOnHours(local('03:00'), null)).toBe(true);
  });
});

describe('command input', () => {
  it('takes each kind with its arguments and refuses anything else', () => {
    expect(CommandInputSchema.parse({ kind: 'volume', volume: 0 })).toEqual({ kind: 'volume', volume: 0 });
    expect(CommandInputSchema.parse({ kind: 'hours', hours: null })).toEqual({ kind: 'hours', hours: null });
    for (const bad of [
      { kind: 'volume', volume: 101 },
      { kind: 'volume', volume: 2.5 },
      { kind: 'mute', volume: 3 },
      { kind: 'hours', hours: { on: '5:00', off: '21:00' } },
      { kind: 'reboot' },
    ]) {
      expect(CommandInputSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('alarms to raise and to clear', () => {
  const open = (receiverId: string, kind: ReceiverAlarm['kind']): ReceiverAlarm => ({
    id: `${receiverId}-${kind}`,
    receiverId,
    kind,
    startedAt: '2026-11-27T01:00:00.000Z',
    clearedAt: null,
    detail: '',
  });
  const cause = (receiverId: string, kind: ReceiverAlarm['kind']) => ({
    receiverId,
    kind,
    since: '2026-11-27T02:00:00.000Z',
    detail: '',
  });
  it('raises causes without an open alarm of their kind and clears alarms whose cause is gone', () => {
    const { raise, clear } = diffAlarms(
      [open('a', 'missed_heartbeats'), open('b', 'low_storage')],
      [cause('a', 'missed_heartbeats'), cause('a', 'low_storage'), cause('c', 'playback_failing')],
    );
    expect(raise.map((c) => [c.receiverId, c.kind])).toEqual([
      ['a', 'low_storage'],
      ['c', 'playback_failing'],
    ]);
    expect(clear.map((a) => a.id)).toEqual(['b-low_storage']);
  });
});

describe('test tone', () => {
  it('is a valid 16-bit mono WAV of the asked length that starts and ends silent', () => {
    const wav = testToneWav(0.5, 1000, 16_000);
    const view = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(wav.subarray(8, 12))).toBe('WAVE');
    expect(view.getUint32(40, true)).toBe(8000 * 2);
    expect(wav.length).toBe(44 + 16_000);
    expect(view.getInt16(44, true)).toBe(0);
    const peak = Math.max(
      ...Array.from({ length: 8000 }, (_, i) => Math.abs(view.getInt16(44 + i * 2, true))),
    );
    expect(peak).toBeGreaterThan(16_000);
  });
});
