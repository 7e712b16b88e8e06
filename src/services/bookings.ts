import type { Occurrence } from '../domain/broadcast.js';
import type { Commune } from '../domain/commune.js';
import type { Hamlet } from '../domain/hamlet.js';
import type { Repositories, SeriesToExtend } from '../domain/ports/repositories.js';
import {
  airTimeMs,
  communeRules,
  iso,
  LONGEST_ITEM_MS,
  startsOf,
  type Booked,
  type BroadcastContent,
  type CommuneRules,
  type TimeWindow,
} from '../domain/schedule/index.js';

/** A stored occurrence as the planner takes it. */
export const bookedOf = (o: Occurrence): Booked => ({
  id: o.id,
  broadcastId: o.broadcastId,
  hamletId: o.hamletId,
  startsAt: Date.parse(o.startsAt),
  durationMs: o.durationMs,
  priority: o.priority,
  slotName: o.slotName,
  bookedAt: Date.parse(o.bookedAt),
  title: o.title,
});

/** What a stored series airs, as content. */
export const seriesContent = (s: SeriesToExtend): BroadcastContent =>
  s.relay
    ? { kind: 'relay', url: s.relay.url, durationS: s.relay.durationS }
    : { kind: 'announcement', announcementId: s.announcementId ?? '', variants: s.variantDurations ?? [] };

const seriesTitle = (s: SeriesToExtend): string => s.title ?? `Tiếp sóng ${s.relay?.url ?? ''}`.trim();

/**
 * The occurrences a series will have in `window` beyond what is stored (from its materialised horizon
 * on), for the hamlets asked about: a series holds its future times, so a booking made today cannot take
 * the time of next month's airing of a weekly series that ranks as high.
 */
export function virtualOccurrences(
  series: readonly SeriesToExtend[],
  hamlets: readonly Hamlet[],
  rules: CommuneRules,
  window: TimeWindow,
): readonly Booked[] {
  const byId = new Map(hamlets.map((h) => [h.id, h]));
  const out: Booked[] = [];
  for (const s of series) {
    const targets = s.hamletIds.flatMap((id) => byId.get(id) ?? []);
    if (targets.length === 0 || s.materialisedUntil === null) continue;
    const from = Math.max(window.from, Date.parse(s.materialisedUntil));
    if (from >= window.to) continue;
    const starts = startsOf(s.schedule, s.priority, rules, { from, to: window.to });
    if (!starts.ok) continue;
    const content = seriesContent(s);
    for (const hamlet of targets) {
      const durationMs = airTimeMs(content, hamlet);
      for (const start of starts.value) {
        out.push({
          id: `${s.id}@${hamlet.id}@${start.startsAt}`,
          broadcastId: s.id,
          hamletId: hamlet.id,
          startsAt: start.startsAt,
          durationMs,
          priority: s.priority,
          slotName: start.slot ?? null,
          bookedAt: Date.parse(s.createdAt),
          title: seriesTitle(s),
          virtual: true,
        });
      }
    }
  }
  return out;
}

/**
 * Everything booked on these hamlets around `window`: stored occurrences in one query, and the future
 * of their commune's series beyond what is stored.
 */
export async function bookedAround(
  r: Pick<Repositories, 'broadcasts'>,
  commune: Commune,
  hamlets: readonly Hamlet[],
  window: TimeWindow,
): Promise<readonly Booked[]> {
  const ids = hamlets.map((h) => h.id);
  const stored = await r.broadcasts.listBookedBetween(ids, iso(window.from), iso(window.to), LONGEST_ITEM_MS);
  const series = await r.broadcasts.listSeriesToExtend(iso(window.to), [commune.id]);
  const reach = { from: window.from - LONGEST_ITEM_MS, to: window.to };
  return [...stored.map(bookedOf), ...virtualOccurrences(series, hamlets, communeRules(commune), reach)];
}
