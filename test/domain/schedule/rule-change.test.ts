import { describe, expect, it } from 'vitest';
import {
  airingsAgainstRules,
  airingsBrokenByChange,
  type RuledAiring,
} from '../../../src/domain/schedule/index.js';
import { MIN, rules, utc } from './fixtures.js';

const airing = (id: string, at: string, minutes: number, more: Partial<RuledAiring> = {}): RuledAiring => ({
  id,
  hamletId: 'un-ta',
  startsAt: utc(at),
  durationMs: minutes * MIN,
  priority: 'normal',
  title: id,
  slotName: null,
  ...more,
});

describe('airings against the rules', () => {
  const evening = (id: string, at: string, minutes: number, hamletId = 'un-ta') =>
    airing(id, at, minutes, { slotName: 'evening', hamletId });

  it('finds what runs into quiet hours, but never an emergency', () => {
    const booked = [
      airing('before', '2026-12-01T14:00:00Z', 10), // 21:00–21:10
      airing('into', '2026-12-01T14:25:00Z', 10), // 21:25–21:35
      airing('siren', '2026-12-01T15:00:00Z', 10, { priority: 'emergency' }), // 22:00
    ];
    expect(airingsAgainstRules(booked, rules).map((a) => a.id)).toEqual(['into']);
  });

  it('finds what a slot no longer holds: outside its hours, past its air time, or the slot gone', () => {
    // 17:00–17:30 and 17:30–17:50 of a 17:00–18:00 slot with 45 minutes: the second passes 45 minutes.
    const booked = [
      evening('first', '2026-12-01T10:00:00Z', 30),
      evening('second', '2026-12-01T10:30:00Z', 20),
      evening('elsewhere', '2026-12-01T10:20:00Z', 10, 'thon-2'),
      airing('noon', '2026-12-01T05:00:00Z', 10, { slotName: 'noon' }),
    ];
    expect(airingsAgainstRules(booked, rules).map((a) => a.id)).toEqual(['second', 'noon']);
    const shorter = {
      ...rules,
      slots: rules.slots.map((s) => (s.name === 'evening' ? { ...s, end: '17:35', maxAirTimeS: 3600 } : s)),
    };
    expect(airingsAgainstRules(booked, shorter).map((a) => a.id)).toEqual(['second', 'noon']);
  });

  it('blames a change only for what the earlier rules allowed', () => {
    const booked = [
      airing('late', '2026-12-01T14:00:00Z', 10), // 21:00
      airing('already', '2026-12-01T14:25:00Z', 10), // 21:25, into 21:30 already
    ];
    const earlier = { ...rules, quietHours: { start: '20:30', end: '05:30' } };
    expect(airingsBrokenByChange(booked, rules, earlier).map((a) => a.id)).toEqual(['late']);
    expect(airingsBrokenByChange(booked, rules, rules)).toEqual([]);
  });
});
