import { orderVariants } from '../schedule/language.js';
import type { ManifestItem } from './protocol.js';

const HOUR_MS = 3_600_000;
/** A receiver must be able to play this far ahead with no network (DESIGN.md: 48 h). */
export const MANIFEST_HORIZON_MS = 48 * HOUR_MS;
/** The window moves in steps of this size, so a manifest stays cacheable (and 304-able) for a while. */
export const MANIFEST_STEP_MS = HOUR_MS;

export interface ManifestWindow {
  /** ISO instants: occurrences starting in [from, to). */
  readonly from: string;
  readonly to: string;
  /** Which step of the moving window this is; part of the ETag. */
  readonly step: number;
}

/**
 * The window a manifest covers at `nowMs`: from one step before the current step (so an item still
 * running, such as a long relay, is joined) to at least 48 h after now.
 * @example manifestWindow(Date.parse('2026-11-27T01:20:00Z'))
 * // → { from: '2026-11-27T00:00:00.000Z', to: '2026-11-29T02:00:00.000Z', step: 498817 }
 */
export function manifestWindow(nowMs: number): ManifestWindow {
  const step = manifestStep(nowMs);
  const start = step * MANIFEST_STEP_MS;
  return {
    from: new Date(start - MANIFEST_STEP_MS).toISOString(),
    to: new Date(start + MANIFEST_HORIZON_MS + MANIFEST_STEP_MS).toISOString(),
    step,
  };
}

/** The step of the moving window at `nowMs`: all a 304 needs of it. */
export const manifestStep = (nowMs: number): number => Math.floor(nowMs / MANIFEST_STEP_MS);

/**
 * The manifest's entity tag. The hamlet's schedule version alone is not enough: the 48 h window moves,
 * and an occurrence materialised long ago enters it without any version bump.
 */
export const manifestEtag = (hamletId: string, version: number, step: number): string =>
  `"h-${hamletId}-v${version}-w${step}"`;

/** Whether an `If-None-Match` header value matches `etag` (RFC 9110 §13.1.2, weak comparison). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => bare(t) === bare(etag));
}

/** One occurrence with its ready audio variants, as the repository reads it. */
export interface ManifestOccurrence {
  readonly occurrenceId: string;
  readonly startsAt: string;
  readonly durationMs: number;
  readonly priority: ManifestItem['priority'];
  readonly title: string;
  readonly relay: { readonly url: string; readonly durationS: number } | null;
  readonly variants: readonly {
    readonly language: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly durationMs: number;
    readonly format: 'mp3' | 'opus';
  }[];
}

/**
 * Manifest items in play order: a relay is one item; an announcement is its variants in the hamlet's
 * language order, back to back, all sharing the occurrence id, as many as fit in the air time the
 * occurrence was booked for (a version approved after the booking airs from the next booking on, and
 * never runs into what follows). An occurrence with no playable variant (e.g. its only recording is in
 * a language the hamlet no longer lists) yields nothing.
 */
export function manifestItems(
  occurrences: readonly ManifestOccurrence[],
  hamletLanguages: readonly string[],
): readonly ManifestItem[] {
  const sorted = [...occurrences].sort((a, b) =>
    a.startsAt === b.startsAt ? (a.occurrenceId < b.occurrenceId ? -1 : 1) : a.startsAt < b.startsAt ? -1 : 1,
  );
  const items: ManifestItem[] = [];
  for (const o of sorted) {
    const base = { occurrenceId: o.occurrenceId, priority: o.priority, title: o.title };
    if (o.relay) {
      items.push({
        ...base,
        part: 0,
        at: o.startsAt,
        durationMs: o.relay.durationS * 1000,
        kind: 'relay',
        language: null,
        audio: null,
        relay: { url: o.relay.url },
      });
      continue;
    }
    let at = Date.parse(o.startsAt);
    const end = at + o.durationMs;
    const fitting: ManifestOccurrence['variants'][number][] = [];
    for (const v of orderVariants(hamletLanguages, o.variants)) {
      // Durations are measured on different encodes: a second of slack.
      const upTo = Date.parse(o.startsAt) + fitting.reduce((sum, p) => sum + p.durationMs, 0) + v.durationMs;
      if (fitting.length > 0 && upTo > end + 1000) break;
      fitting.push(v);
    }
    fitting.forEach((v, part) => {
      items.push({
        ...base,
        part,
        at: new Date(at).toISOString(),
        durationMs: v.durationMs,
        kind: 'audio',
        language: v.language,
        audio: { url: `/media/${v.sha256}.${v.format}`, sha256: v.sha256, bytes: v.bytes, format: v.format },
        relay: null,
      });
      at += v.durationMs;
    });
  }
  return items;
}
