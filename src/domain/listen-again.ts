import type { Priority } from './schedule/types.js';

/**
 * Listen again (nghe lại): what aired in a commune or a hamlet in the last 30 days, for anyone, on a
 * public page and a podcast feed. Only approved content that the boxes reported playing is listed.
 */

/** A commune's choice: listening again on or off, and which announcement categories (null: all). */
export interface ListenAgainSettings {
  readonly enabled: boolean;
  readonly categories: readonly string[] | null;
}

export const DEFAULT_LISTEN_AGAIN: ListenAgainSettings = { enabled: true, categories: null };

/** How far back the page and the feed go. */
export const LISTEN_AGAIN_DAYS = 30;

/** An emergency stays on top this long after its latest airing (while its broadcast is not cancelled). */
export const ACTIVE_EMERGENCY_MS = 24 * 3_600_000;

/**
 * One language version of an announcement that the boxes of a hamlet reported playing, at one priority
 * and from broadcasts cancelled or not: when it aired first and last. Grouped so, a bulletin repeated
 * every two hours for a month is a few rows, not hundreds, and no limit on rows cuts the month short.
 */
export interface AiredAudio {
  readonly hamletId: string;
  readonly firstAiredAt: string;
  readonly lastAiredAt: string;
  readonly priority: Priority;
  readonly broadcastCancelled: boolean;
  readonly announcementId: string;
  readonly title: string;
  readonly category: string;
  readonly language: string;
  readonly sha256: string;
  readonly format: 'mp3' | 'opus';
  readonly bytes: number;
  readonly durationMs: number;
}

export interface ListenAgainEntry {
  readonly announcementId: string;
  readonly title: string;
  readonly category: string;
  readonly priority: Priority;
  /** An emergency still in force: shown first. */
  readonly active: boolean;
  readonly firstAiredAt: string;
  readonly lastAiredAt: string;
  readonly hamletIds: readonly string[];
  /** Each language once, in the order first aired. */
  readonly variants: readonly {
    readonly language: string;
    readonly url: string;
    readonly sha256: string;
    readonly format: 'mp3' | 'opus';
    readonly bytes: number;
    readonly durationMs: number;
  }[];
}

/** MIME type of an enclosure or an `<audio>` source. */
export const audioMime = (format: 'mp3' | 'opus'): string => (format === 'mp3' ? 'audio/mpeg' : 'audio/ogg');

/**
 * The airings grouped per announcement: active emergencies first, then the latest aired first.
 * @example listenAgainEntries(rows, Date.parse('2026-11-27T12:00:00Z'), ['vi', 'giay'])[0].active // → true for a flood warning aired at 11:00
 */
export function listenAgainEntries(
  rows: readonly AiredAudio[],
  nowMs: number,
  /** The commune's languages in their order: a hamlet's parts air in one moment, listed in this order. */
  languageOrder: readonly string[] = [],
): ListenAgainEntry[] {
  const rank = (language: string) => {
    const i = languageOrder.indexOf(language);
    return i < 0 ? languageOrder.length : i;
  };
  const byAnnouncement = new Map<string, AiredAudio[]>();
  const ordered = [...rows].sort(
    (a, b) => a.firstAiredAt.localeCompare(b.firstAiredAt) || rank(a.language) - rank(b.language),
  );
  for (const row of ordered) {
    const list = byAnnouncement.get(row.announcementId);
    if (list) list.push(row);
    else byAnnouncement.set(row.announcementId, [row]);
  }
  const entries = [...byAnnouncement.values()].map((airings): ListenAgainEntry => {
    const first = airings[0]!;
    const last = airings.reduce((a, b) => (b.lastAiredAt > a.lastAiredAt ? b : a));
    const emergencies = airings.filter((a) => a.priority === 'emergency');
    const active = emergencies.some(
      (a) => !a.broadcastCancelled && nowMs - Date.parse(a.lastAiredAt) <= ACTIVE_EMERGENCY_MS,
    );
    const languages = new Map<string, ListenAgainEntry['variants'][number]>();
    for (const a of airings) {
      if (!languages.has(a.language))
        languages.set(a.language, {
          language: a.language,
          url: `/media/${a.sha256}.${a.format}`,
          sha256: a.sha256,
          format: a.format,
          bytes: a.bytes,
          durationMs: a.durationMs,
        });
    }
    return {
      announcementId: first.announcementId,
      title: last.title,
      category: last.category,
      priority: emergencies.length > 0 ? 'emergency' : last.priority,
      active,
      firstAiredAt: first.firstAiredAt,
      lastAiredAt: last.lastAiredAt,
      hamletIds: [...new Set(airings.map((a) => a.hamletId))],
      variants: [...languages.values()],
    };
  });
  return entries.sort(
    (a, b) => Number(b.active) - Number(a.active) || b.lastAiredAt.localeCompare(a.lastAiredAt),
  );
}
