import { describe, expect, it } from 'vitest';
import { checkConflicts, findConflicts, type BookedItem } from '../../../src/domain/schedule/index.js';
import { MIN, utc } from './fixtures.js';

const t = utc('2026-12-01T00:00:00Z'); // 07:00 in Vietnam
const booked = (
  id: string,
  priority: BookedItem['priority'],
  startMin = 0,
  hamletId = 'un-ta',
): BookedItem => ({
  id,
  hamletId,
  startsAt: t + startMin * MIN,
  durationMs: 5 * MIN,
  priority,
  title: `Thông báo ${id}`,
});
const candidate = (priority: BookedItem['priority'], startMin = 2, hamletId = 'un-ta') => ({
  hamletId,
  startsAt: t + startMin * MIN,
  durationMs: 5 * MIN,
  priority,
});

describe('findConflicts', () => {
  it('finds an overlapping item of equal rank in the same hamlet', () => {
    const existing = [booked('vaccine', 'normal')];
    expect(findConflicts(existing, candidate('normal'))).toEqual({ conflicts: existing, displaced: [] });
  });

  it('ignores other hamlets and back-to-back items', () => {
    const existing = [booked('elsewhere', 'normal', 0, 'coc-san'), booked('before', 'normal', -3)];
    expect(findConflicts(existing, candidate('normal'))).toEqual({ conflicts: [], displaced: [] });
  });

  it('lets a higher rank displace a lower one but not the reverse', () => {
    const normal = booked('market', 'normal');
    const priority = booked('flood', 'priority');
    expect(findConflicts([normal], candidate('priority'))).toEqual({ conflicts: [], displaced: [normal] });
    expect(findConflicts([priority], candidate('normal'))).toEqual({ conflicts: [priority], displaced: [] });
    expect(findConflicts([priority], candidate('priority'))).toEqual({
      conflicts: [priority],
      displaced: [],
    });
  });

  it('never blocks an emergency, which displaces every lower rank', () => {
    const items = [booked('a', 'normal'), booked('b', 'priority'), booked('c', 'emergency')];
    const found = findConflicts(items, candidate('emergency'));
    expect(found.conflicts).toEqual([]);
    expect(found.displaced.map((i) => i.id)).toEqual(['a', 'b']);
  });
});

describe('checkConflicts', () => {
  it('names the clash, its priority and its local time', () => {
    const r = checkConflicts([booked('vaccine', 'priority')], candidate('normal'), 'Asia/Ho_Chi_Minh');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('conflict');
    expect(r.error.message).toContain('"Thông báo vaccine" (ưu tiên, 07:00–07:05 ngày 01/12/2026)');
    expect(r.error.messageEn).toContain('"Thông báo vaccine" (priority, 2026-12-01 07:00–07:05)');
    expect(r.error.details).toEqual({ conflictIds: ['vaccine'] });
  });

  it('returns what an outranking candidate displaces', () => {
    const normal = booked('market', 'normal');
    expect(checkConflicts([normal], candidate('priority'), 'Asia/Ho_Chi_Minh')).toEqual({
      ok: true,
      value: { displaced: [normal] },
    });
  });
});
