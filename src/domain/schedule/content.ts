import type { AnnouncementRow } from '../../db/repositories/announcements.repository.js';
import type { HamletRow } from '../../db/repositories/hamlets.repository.js';
import type { Commune } from '../commune.js';
import { orderVariants, totalDurationMs, type CommuneRules } from './index.js';

/** The commune's settings as the pure scheduling rules take them. */
export function communeRules(commune: Commune): CommuneRules {
  return {
    timeZone: commune.timeZone,
    quietHours: commune.settings.quietHours,
    slots: commune.settings.slots.map((s) => ({
      name: s.name,
      start: s.start,
      end: s.end,
      maxAirTimeS: s.maxAirTimeMin * 60,
    })),
    emergency: commune.settings.emergency,
  };
}

export type BroadcastContent =
  | { readonly kind: 'announcement'; readonly announcement: AnnouncementRow }
  | { readonly kind: 'relay'; readonly url: string; readonly durationS: number };

/**
 * Air time of the content on one hamlet: a relay's duration, or the announcement's ready variants in the
 * hamlet's language order played back to back. 0 when the hamlet has none of its languages.
 */
export function airTimeMs(content: BroadcastContent, hamlet: Pick<HamletRow, 'languages'>): number {
  if (content.kind === 'relay') return content.durationS * 1000;
  const ready = content.announcement.variants.flatMap((v) =>
    v.status === 'ready' && v.audio ? [{ language: v.language, durationMs: v.audio.durationMs }] : [],
  );
  return totalDurationMs(orderVariants(hamlet.languages, ready));
}

/** Occurrence starts are stored as ISO text with milliseconds so they compare as text on every database. */
export const iso = (ms: number): string => new Date(ms).toISOString();
