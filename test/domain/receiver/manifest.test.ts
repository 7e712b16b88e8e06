import { describe, expect, it } from 'vitest';
import {
  etagMatches,
  manifestEtag,
  manifestItems,
  manifestWindow,
  type ManifestOccurrence,
} from '../../../src/domain/receiver/manifest.js';

const sha = (c: string) => c.repeat(64);
const variant = (language: string, durationMs: number, c: string) => ({
  language,
  sha256: sha(c),
  bytes: 1000,
  durationMs,
  format: 'mp3' as const,
});
const occurrence = (over: Partial<ManifestOccurrence>): ManifestOccurrence => ({
  occurrenceId: 'o1',
  startsAt: '2026-11-27T02:00:00.000Z',
  durationMs: 5000,
  priority: 'normal',
  title: 'Tin',
  relay: null,
  variants: [],
  ...over,
});

describe('manifestWindow', () => {
  it('covers from the previous hour to at least 48 h ahead, in hour steps', () => {
    const w = manifestWindow(Date.parse('2026-11-27T01:20:00Z'));
    expect(w).toEqual({ from: '2026-11-27T00:00:00.000Z', to: '2026-11-29T02:00:00.000Z', step: 498_817 });
    expect(Date.parse(w.to) - Date.parse('2026-11-27T01:59:59.999Z')).toBeGreaterThan(48 * 3_600_000);
    expect(manifestWindow(Date.parse('2026-11-27T01:59:59Z')).step).toBe(w.step);
    expect(manifestWindow(Date.parse('2026-11-27T02:00:00Z')).step).toBe(w.step + 1);
  });
});

describe('manifest ETag', () => {
  it('changes with the version and the window step', () => {
    expect(manifestEtag('un-ta', 4, 10)).toBe('"h-un-ta-v4-w10"');
    expect(manifestEtag('un-ta', 5, 10)).not.toBe(manifestEtag('un-ta', 4, 10));
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    const etag = '"h-un-ta-v4-w10"';
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`"x", W/${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"h-un-ta-v3-w10"', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
  });
});

describe('manifestItems', () => {
  it('plays variants in the hamlet language order, back to back, and skips languages the hamlet lacks', () => {
    const items = manifestItems(
      [
        occurrence({
          variants: [variant('hmn', 500, 'c'), variant('giay', 1500, 'b'), variant('vi', 2000, 'a')],
        }),
      ],
      ['vi', 'giay'],
    );
    expect(items.map((i) => [i.language, i.part, i.at, i.audio?.url])).toEqual([
      ['vi', 0, '2026-11-27T02:00:00.000Z', `/media/${sha('a')}.mp3`],
      ['giay', 1, '2026-11-27T02:00:02.000Z', `/media/${sha('b')}.mp3`],
    ]);
  });

  it('plays what was booked when a longer version of a language played first is approved after the booking', () => {
    // Booked with the Vietnamese 60 s; the Giáy version (90 s), first in the hamlet's order, came later.
    const items = manifestItems(
      [
        occurrence({
          durationMs: 60_000,
          variants: [variant('vi', 60_000, 'a'), variant('giay', 90_000, 'b')],
        }),
      ],
      ['giay', 'vi'],
    );
    expect(items.map((i) => [i.language, i.at, i.durationMs])).toEqual([
      ['vi', '2026-11-27T02:00:00.000Z', 60_000],
    ]);
    // Nothing fits at all (a version made again, a little longer): the first still plays.
    const remade = manifestItems(
      [occurrence({ durationMs: 60_000, variants: [variant('vi', 63_000, 'c')] })],
      ['giay', 'vi'],
    );
    expect(remade.map((i) => i.language)).toEqual(['vi']);
  });

  it('orders occurrences by time, makes a relay one item, and drops an occurrence with nothing to play', () => {
    const items = manifestItems(
      [
        occurrence({
          occurrenceId: 'late',
          startsAt: '2026-11-27T05:00:00.000Z',
          variants: [variant('vi', 1000, 'a')],
        }),
        occurrence({
          occurrenceId: 'relay',
          startsAt: '2026-11-27T01:00:00.000Z',
          relay: { url: 'https://r.vn/s', durationS: 90 },
        }),
        occurrence({ occurrenceId: 'dao-only', variants: [variant('dao', 1000, 'd')] }),
      ],
      ['vi'],
    );
    expect(items.map((i) => [i.occurrenceId, i.kind, i.durationMs])).toEqual([
      ['relay', 'relay', 90_000],
      ['late', 'audio', 1000],
    ]);
    expect(items[0]).toMatchObject({ audio: null, relay: { url: 'https://r.vn/s' }, language: null });
  });
});
