import { describe, expect, it } from 'vitest';
import {
  airingOutcome,
  hamletCoverage,
  receiverCoverage,
  sumAirings,
  type AiringCount,
} from '../../../src/domain/receiver/coverage-report.js';
import { onlineSpans, presenceWindow } from '../../../src/domain/receiver/health.js';
import {
  playbackStatus,
  receiverPlayback,
  type PlaybackFacts,
} from '../../../src/domain/receiver/playback.js';

const none: PlaybackFacts = {
  failed: false,
  interrupted: false,
  aired: false,
  completed: false,
  skipped: false,
  due: false,
  heard: false,
};

describe('playbackStatus', () => {
  it('lets reports decide first, then waits for the grace, then tells missed from offline by heartbeats', () => {
    expect(playbackStatus({ ...none, failed: true, aired: true, due: true })).toBe('failed');
    expect(playbackStatus({ ...none, aired: true })).toBe('playing');
    expect(playbackStatus({ ...none, aired: true, completed: true })).toBe('played');
    expect(playbackStatus({ ...none, aired: true, due: true })).toBe('played');
    // A box that played from its cache while offline reports later: the report wins over the heartbeats.
    expect(playbackStatus({ ...none, aired: true, due: true, heard: false })).toBe('played');
    expect(playbackStatus({ ...none, skipped: true })).toBe('missed');
    expect(playbackStatus({ ...none })).toBe('scheduled');
    expect(playbackStatus({ ...none, heard: true })).toBe('scheduled');
    expect(playbackStatus({ ...none, due: true, heard: true })).toBe('missed');
    expect(playbackStatus({ ...none, due: true, heard: false })).toBe('offline');
    // Told to stop (an emergency over it): its own status, not a failure, as coverage counts it.
    expect(playbackStatus({ ...none, failed: true, interrupted: true, aired: true, due: true })).toBe(
      'interrupted',
    );
  });

  it('counts a box still playing as having aired, and nothing undecided', () => {
    const facts = { ...none, interrupted: false };
    expect(airingOutcome({ ...facts, aired: true })).toBe('played');
    expect(airingOutcome({ ...facts })).toBeNull();
    expect(airingOutcome({ ...facts, due: true })).toBe('offline');
  });

  it('counts a failure the box was told to have as interrupted, one of its own as failed', () => {
    const facts = { ...none, interrupted: false, aired: true, failed: true };
    expect(airingOutcome({ ...facts, interrupted: true })).toBe('interrupted');
    expect(airingOutcome({ ...facts, interrupted: true, due: true })).toBe('interrupted');
    expect(airingOutcome(facts)).toBe('failed');
  });
});

describe('receiverPlayback with heartbeats and audio hashes', () => {
  const occurrence = { startsAt: '2026-11-27T02:00:00.000Z', durationMs: 60_000 };
  const late = Date.parse('2026-11-27T02:11:01Z');
  it('is offline after the grace when the box was not heard from, missed when it was', () => {
    expect(receiverPlayback([], occurrence, late, { heard: false }).status).toBe('offline');
    expect(receiverPlayback([], occurrence, late, { heard: true }).status).toBe('missed');
    expect(receiverPlayback([], occurrence, late - 2000, { heard: false }).status).toBe('scheduled');
  });

  it('lists the hashes of the parts it started, once each, in play order; playing until every part ends', () => {
    const vi = 'a'.repeat(64);
    const giay = 'b'.repeat(64);
    const events = [
      { type: 'started' as const, at: '2026-11-27T02:00:00.000Z', detail: null, sha256: vi },
      { type: 'completed' as const, at: '2026-11-27T02:00:30.000Z', detail: null },
      { type: 'started' as const, at: '2026-11-27T02:00:30.000Z', detail: null, sha256: giay },
    ];
    const during = receiverPlayback(events, occurrence, Date.parse('2026-11-27T02:00:40Z'));
    expect(during).toMatchObject({ status: 'playing', endedAt: null, sha256s: [vi, giay] });
    const after = receiverPlayback(
      [...events, { type: 'completed', at: '2026-11-27T02:01:00.000Z', detail: null }],
      occurrence,
      Date.parse('2026-11-27T02:01:01Z'),
    );
    expect(after).toMatchObject({
      status: 'played',
      startedAt: '2026-11-27T02:00:00.000Z',
      endedAt: '2026-11-27T02:01:00.000Z',
      sha256s: [vi, giay],
    });
  });
});

describe('coverage per receiver and per hamlet', () => {
  const count = (receiverId: string, facts: Partial<AiringCount>, n: number): AiringCount => ({
    receiverId,
    hamletId: 'thon-3',
    name: `Cụm ${receiverId}`,
    ...none,
    interrupted: false,
    due: true,
    ...facts,
    count: n,
  });

  it('gives a hamlet with three boxes playing and three offline a rate of 50 %, not 100 %', () => {
    const boxes = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, hamletId: 'thon-3', name: `Cụm ${id}` }));
    const counts = [
      ...['a', 'b', 'c'].map((id) => count(id, { aired: true, heard: true }, 1)),
      ...['d', 'e', 'f'].map((id) => count(id, { heard: false }, 1)),
    ];
    const receivers = receiverCoverage(boxes, counts);
    expect(receivers.map((r) => [r.receiverId, r.played, r.offline, r.rate])).toEqual([
      ['a', 1, 0, 1],
      ['b', 1, 0, 1],
      ['c', 1, 0, 1],
      ['d', 0, 1, 0],
      ['e', 0, 1, 0],
      ['f', 0, 1, 0],
    ]);
    expect(hamletCoverage(['thon-3'], [{ hamletId: 'thon-3', count: 1 }], receivers)).toEqual([
      {
        hamletId: 'thon-3',
        scheduled: 1,
        expected: 6,
        played: 3,
        failed: 0,
        missed: 0,
        offline: 3,
        interrupted: 0,
        rate: 0.5,
      },
    ]);
  });

  it('adds up every combination of facts a receiver has, leaving out what is not decided yet', () => {
    const [row] = receiverCoverage(
      [],
      [
        count('a', { aired: true, heard: true }, 5),
        count('a', { aired: true, due: false }, 1),
        count('a', { failed: true, aired: true }, 2),
        count('a', { failed: true, interrupted: true, aired: true }, 2),
        count('a', { skipped: true, heard: true }, 1),
        count('a', { heard: true }, 1),
        count('a', {}, 3),
        count('a', { due: false, heard: true }, 4),
      ],
    );
    expect(row).toEqual({
      receiverId: 'a',
      hamletId: 'thon-3',
      name: 'Cụm a',
      expected: 13,
      played: 6,
      failed: 2,
      missed: 2,
      offline: 3,
      interrupted: 2,
      rate: 0.462,
    });
  });

  it('lists receivers and hamlets with nothing expected, with no rate', () => {
    const receivers = receiverCoverage([{ id: 'z', hamletId: 'un-ta', name: 'Mới' }], []);
    expect(receivers).toEqual([
      {
        receiverId: 'z',
        hamletId: 'un-ta',
        name: 'Mới',
        expected: 0,
        played: 0,
        failed: 0,
        missed: 0,
        offline: 0,
        interrupted: 0,
        rate: null,
      },
    ]);
    expect(hamletCoverage(['thon-9', 'un-ta'], [], receivers).map((h) => [h.hamletId, h.rate])).toEqual([
      ['thon-9', null],
      ['un-ta', null],
    ]);
    expect(sumAirings([])).toEqual({
      expected: 0,
      played: 0,
      failed: 0,
      missed: 0,
      offline: 0,
      interrupted: 0,
      rate: null,
    });
  });
});

describe('presence and online spans', () => {
  it('looks for heartbeats from two intervals before the start to the end of the grace', () => {
    expect(presenceWindow({ startsAt: '2026-11-27T02:00:00.000Z', durationMs: 60_000 }, 600_000)).toEqual({
      from: '2026-11-27T01:58:00.000Z',
      to: '2026-11-27T02:11:00.000Z',
    });
  });

  it('cuts a day into online and offline stretches, a heartbeat keeping a box online for two minutes', () => {
    const spans = onlineSpans(
      [
        '2026-11-26T23:59:30.000Z',
        '2026-11-27T00:01:00.000Z',
        '2026-11-27T00:02:00.000Z',
        '2026-11-27T00:30:00.000Z',
      ],
      '2026-11-27T00:00:00.000Z',
      '2026-11-27T01:00:00.000Z',
    );
    expect(spans).toEqual([
      { from: '2026-11-27T00:00:00.000Z', to: '2026-11-27T00:04:00.000Z', online: true },
      { from: '2026-11-27T00:04:00.000Z', to: '2026-11-27T00:30:00.000Z', online: false },
      { from: '2026-11-27T00:30:00.000Z', to: '2026-11-27T00:32:00.000Z', online: true },
      { from: '2026-11-27T00:32:00.000Z', to: '2026-11-27T01:00:00.000Z', online: false },
    ]);
    expect(onlineSpans([], '2026-11-27T00:00:00.000Z', '2026-11-27T01:00:00.000Z')).toEqual([
      { from: '2026-11-27T00:00:00.000Z', to: '2026-11-27T01:00:00.000Z', online: false },
    ]);
  });
});
