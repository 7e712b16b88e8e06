import { groupBy } from './group-by.js';
import type { Occurrence } from '../domain/broadcast.js';
import type { Commune } from '../domain/commune.js';
import type { Hamlet } from '../domain/hamlet.js';
import type { Repositories, SeriesToExtend } from '../domain/ports/repositories.js';
import {
  airTimeMs,
  communeRules,
  iso,
  LONGEST_ITEM_MS,
  projectSeries,
  type Booked,
  type BroadcastContent,
  type ProjectedSeries,
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
    : {
        kind: 'announcement',
        announcementId: s.announcementId ?? '',
        variants: s.variantDurations ?? [],
        ...(s.leadIn && { leadInMs: s.leadIn.durationMs }),
      };

const seriesTitle = (s: SeriesToExtend): string => s.title ?? `Tiếp sóng ${s.relay?.url ?? ''}`.trim();

/**
 * Whether a series airs in a hamlet with this air time: not with nothing approved in its languages (the
 * content was refused: an empty airing), nor past the longest an airing may last.
 */
export const seriesAirs = (h: { readonly airTimeMs: number }): boolean =>
  h.airTimeMs > 0 && h.airTimeMs <= LONGEST_ITEM_MS;

/** A stored series as the projection takes it, on the hamlets asked about that it targets (where it airs). */
export function projectedSeries(s: SeriesToExtend, hamlets: readonly Hamlet[]): ProjectedSeries {
  const byId = new Map(hamlets.map((h) => [h.id, h]));
  const content = seriesContent(s);
  return {
    broadcastId: s.id,
    when: s.schedule,
    priority: s.priority,
    bookedAt: Date.parse(s.createdAt),
    title: seriesTitle(s),
    hamlets: s.hamletIds
      .flatMap((id) => {
        const hamlet = byId.get(id);
        return hamlet ? [{ id, airTimeMs: airTimeMs(content, hamlet) }] : [];
      })
      .filter(seriesAirs),
    // A series without a horizon has nothing left to project.
    materialisedUntil:
      s.materialisedUntil === null ? Number.POSITIVE_INFINITY : Date.parse(s.materialisedUntil),
    skips: s.skips.map((k) => ({ hamletId: k.hamletId, startsAt: Date.parse(k.at) })),
  };
}

/**
 * `bookedAround` for several communes at once, in two reads whatever their number: what is stored on all
 * their hamlets, and their series, each commune's projected over its own hamlets.
 */
export async function bookedAroundMany(
  r: Pick<Repositories, 'broadcasts'>,
  places: readonly { readonly commune: Commune; readonly hamlets: readonly Hamlet[] }[],
  window: TimeWindow,
): Promise<readonly Booked[]> {
  const ids = places.flatMap((p) => p.hamlets.map((h) => h.id));
  const stored = (
    await r.broadcasts.listBookedBetween(ids, iso(window.from), iso(window.to), LONGEST_ITEM_MS)
  ).map(bookedOf);
  const series = await r.broadcasts.listSeriesToExtend(
    iso(window.to),
    places.map((p) => p.commune.id),
  );
  const reach = { from: window.from - LONGEST_ITEM_MS, to: window.to };
  // Grouped once: filtering the whole country's bookings for each of its communes is quadratic.
  const seriesOf = groupBy(series, (s) => s.communeId);
  const storedOf = groupBy(stored, (b) => b.hamletId);
  return places.flatMap((p) =>
    projectSeries(
      (seriesOf.get(p.commune.id) ?? []).map((s) => projectedSeries(s, p.hamlets)),
      communeRules(p.commune),
      p.hamlets.flatMap((h) => storedOf.get(h.id) ?? []),
      reach,
    ),
  );
}

/**
 * Everything booked on these hamlets around `window`: stored occurrences in one query, and the future
 * of their commune's series beyond what is stored, projected by the one materialiser (`projectSeries`)
 * as the dispatcher will extend them, with their real times in their slots.
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
  return projectSeries(
    series.map((s) => projectedSeries(s, hamlets)),
    communeRules(commune),
    stored.map(bookedOf),
    reach,
  );
}
