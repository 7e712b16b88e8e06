import { airableVariants, type Announcement } from '../announcement.js';
import type { Commune } from '../commune.js';
import { orderVariants, totalDurationMs, type CommuneRules } from './index.js';

/** The commune's settings as the pure scheduling rules take them. */
export function communeRules(commune: Commune): CommuneRules {
  return {
    timeZone: commune.timeZone,
    quietHours: commune.settings.quietHours,
    slots: commune.settings.slots.map((s) => ({
      name: s.name,
      label: s.label,
      start: s.start,
      end: s.end,
      maxAirTimeS: s.maxAirTimeMin * 60,
    })),
    emergency: commune.settings.emergency,
  };
}

/** What a broadcast airs: an announcement's ready language versions, or a relay of a radio stream. */
export type BroadcastContent =
  | {
      readonly kind: 'announcement';
      readonly announcementId: string;
      readonly variants: readonly { readonly language: string; readonly durationMs: number }[];
      /** A part played before the variants on every airing (a disaster bulletin's spoken header). */
      readonly leadInMs?: number;
    }
  | { readonly kind: 'relay'; readonly url: string; readonly durationS: number };

/** The versions of an announcement that may air (processed and approved) as content to air. */
export const announcementContent = (a: Pick<Announcement, 'id' | 'variants'>): BroadcastContent => ({
  kind: 'announcement',
  announcementId: a.id,
  variants: airableVariants(a.variants).map((v) => ({
    language: v.language,
    durationMs: v.audio!.durationMs,
  })),
});

/**
 * Air time of the content on one hamlet: a relay's duration, or the announcement's ready variants in the
 * hamlet's language order played back to back. 0 when the hamlet has none of its languages.
 */
export function airTimeMs(
  content: BroadcastContent,
  hamlet: { readonly languages: readonly string[] },
): number {
  if (content.kind === 'relay') return content.durationS * 1000;
  const ms = totalDurationMs(orderVariants(hamlet.languages, content.variants));
  // The lead-in alone is no airing: a hamlet with none of the languages still gets nothing.
  return ms > 0 ? ms + (content.leadInMs ?? 0) : 0;
}

/** Occurrence starts are stored as ISO text with milliseconds so they compare as text on every database. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * `iso` for many instants of which few differ, each written once: a country's emergency is 90,000 airings
 * at three instants, and writing them one by one took 0.17 s of its unit of work.
 */
export function isoOnce(): (ms: number) => string {
  const texts = new Map<number, string>();
  return (ms) => texts.get(ms) ?? texts.set(ms, iso(ms)).get(ms)!;
}
