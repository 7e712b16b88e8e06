import { describe, expect, it } from 'vitest';
import { receiverHealth } from '../../../src/domain/receiver/health.js';
import { INTERRUPTION_DETAILS } from '../../../src/domain/receiver/protocol.js';
import {
  eventTimeProblem,
  occurrenceStatusFromReports,
  receiverPlayback,
  type ReceiverEvent,
} from '../../../src/domain/receiver/playback.js';

const occurrence = { startsAt: '2026-11-27T02:00:00.000Z', durationMs: 60_000 };
const at = (s: string) => `2026-11-27T02:0${s}.000Z`;
const ev = (type: ReceiverEvent['type'], time: string, detail: string | null = null): ReceiverEvent => ({
  type,
  at: at(time),
  detail,
});
const now = (s: string) => Date.parse(at(s));

describe('receiverPlayback', () => {
  it('is scheduled before, missed after the grace with no report', () => {
    expect(receiverPlayback([], occurrence, now('0:00')).status).toBe('scheduled');
    expect(receiverPlayback([], occurrence, Date.parse('2026-11-27T02:11:01Z')).status).toBe('missed');
  });

  it('is playing after a start, played after completion or once the window is over', () => {
    expect(receiverPlayback([ev('started', '0:00')], occurrence, now('0:30'))).toMatchObject({
      status: 'playing',
      startedAt: at('0:00'),
    });
    expect(
      receiverPlayback([ev('started', '0:00'), ev('completed', '1:00')], occurrence, now('1:01')),
    ).toMatchObject({
      status: 'played',
      endedAt: at('1:00'),
    });
    expect(
      receiverPlayback([ev('started', '0:00')], occurrence, Date.parse('2026-11-27T03:00:00Z')).status,
    ).toBe('played');
  });

  it('is failed when any part failed, with its detail; missed when only skipped', () => {
    expect(
      receiverPlayback(
        [ev('completed', '0:30'), ev('started', '0:00'), ev('failed', '0:40', 'no audio')],
        occurrence,
        now('1:00'),
      ),
    ).toMatchObject({
      status: 'failed',
      detail: 'no audio',
    });
    expect(receiverPlayback([ev('skipped', '5:00', 'box was off')], occurrence, now('5:00'))).toMatchObject({
      status: 'missed',
      detail: 'box was off',
    });
  });

  it('is interrupted, naming why, when the box was told to stop; failed when it also failed on its own', () => {
    const preempted = ev('failed', '0:20', INTERRUPTION_DETAILS.preempted);
    expect(receiverPlayback([ev('started', '0:00'), preempted], occurrence, now('1:00'))).toEqual({
      status: 'interrupted',
      startedAt: at('0:00'),
      endedAt: at('0:20'),
      detail: INTERRUPTION_DETAILS.preempted,
      interruption: 'preempted',
      sha256s: [],
    });
    // The box's own failure is what the officer needs to see, even when an emergency came after it.
    expect(
      receiverPlayback([ev('failed', '0:10', 'no audio'), preempted], occurrence, now('1:00')),
    ).toMatchObject({ status: 'failed', detail: 'no audio', endedAt: at('0:10'), interruption: null });
  });
});

describe('occurrenceStatusFromReports', () => {
  it('is played when one receiver aired it, failed when all reporting failed, else unchanged', () => {
    expect(occurrenceStatusFromReports('missed', ['failed', 'played'])).toBe('played');
    expect(occurrenceStatusFromReports('scheduled', ['playing'])).toBe('played');
    expect(occurrenceStatusFromReports('missed', ['failed', 'missed'])).toBe('failed');
    expect(occurrenceStatusFromReports('missed', ['missed'])).toBe('missed');
    expect(occurrenceStatusFromReports('cancelled', ['played'])).toBe('cancelled');
  });

  it('is interrupted when the boxes that reported were all told to stop, not failed', () => {
    expect(occurrenceStatusFromReports('scheduled', ['interrupted', 'interrupted'])).toBe('interrupted');
    expect(occurrenceStatusFromReports('scheduled', ['interrupted', 'played'])).toBe('played');
    expect(occurrenceStatusFromReports('scheduled', ['interrupted', 'failed'])).toBe('failed');
    expect(occurrenceStatusFromReports('cancelled', ['interrupted'])).toBe('cancelled');
  });
});

describe('eventTimeProblem', () => {
  const t = Date.parse('2026-11-27T02:00:00Z');
  it('accepts a small clock error and a month of backlog, not more', () => {
    expect(eventTimeProblem(t + 9 * 60_000, t)).toBeNull();
    expect(eventTimeProblem(t + 11 * 60_000, t)).toBe('in_future');
    expect(eventTimeProblem(t - 29 * 86_400_000, t)).toBeNull();
    expect(eventTimeProblem(t - 31 * 86_400_000, t)).toBe('too_old');
  });
});

describe('receiverHealth', () => {
  it('is online within two heartbeat intervals and reads the stored state', () => {
    const seen = '2026-11-27T02:00:00.000Z';
    const state = { volume: 70, signal: -90, appVersion: '1.2.0', freeBytes: 5 };
    expect(receiverHealth(seen, state, Date.parse(seen) + 120_000)).toMatchObject({
      online: true,
      volume: 70,
      signal: -90,
      appVersion: '1.2.0',
    });
    expect(receiverHealth(seen, state, Date.parse(seen) + 120_001).online).toBe(false);
    expect(receiverHealth(null, null, 0)).toMatchObject({ online: false, volume: null, appVersion: null });
    expect(receiverHealth(seen, { volume: 'loud' }, Date.parse(seen)).volume).toBeNull();
  });
});
