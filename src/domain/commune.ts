import type { ListenAgainSettings } from './listen-again.js';

/** Local wall-clock time `HH:MM`. */
export type LocalTime = string;

// khung giờ phát cố định
export interface StandingSlot {
  readonly name: string;
  readonly label: string;
  readonly start: LocalTime;
  readonly end: LocalTime;
  /** Rural radio rules cap a slot's air time (45 min by default). */
  readonly maxAirTimeMin: number;
  /** Optional relay of national or provincial radio at the start of the slot. */
  readonly relay?: { readonly url: string; readonly durationS: number };
}

export interface AudioTargets {
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
  readonly maxLraLu: number;
  readonly opus: boolean;
}

export interface CommuneSettings {
  readonly quietHours: { readonly start: LocalTime; readonly end: LocalTime };
  readonly approvalRequired: boolean;
  readonly slots: readonly StandingSlot[];
  readonly audio: AudioTargets;
  readonly emergency: { readonly repeatCount: number; readonly repeatIntervalMin: number };
  /** Languages the commune broadcasts in, by code, with a display name. */
  readonly languages: readonly { readonly code: string; readonly name: string }[];
  /** The public listen-again page and feed (absent: on, every category). */
  readonly listenAgain?: ListenAgainSettings | undefined;
}

export interface Commune {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly provinceCode: string;
  /** The province it belongs to (its tenant's parent). */
  readonly provinceId: string;
  readonly timeZone: string;
  readonly settings: CommuneSettings;
}

/** A commune as stored, with the version of its settings: one more on every change of what it shows. */
export interface StoredCommune extends Commune {
  readonly settingsVersion: number;
}

/**
 * The commune's strong entity tag (RFC 9110 §8.8.3): it changes with every settings version, so a write
 * sent back with it (`If-Match`) lands only on what its sender read.
 * @example communeEtag({ id: 'coc-san', settingsVersion: 3 }) // → '"commune-coc-san-v3"'
 */
export const communeEtag = (c: Pick<StoredCommune, 'id' | 'settingsVersion'>): string =>
  `"commune-${c.id}-v${c.settingsVersion}"`;

export const defaultAudioTargets: AudioTargets = {
  integratedLufs: -16,
  truePeakDbtp: -1.5,
  maxLraLu: 8,
  opus: false,
};

/**
 * The standing slots that run into quiet hours, on the commune's clock (quiet hours may cross midnight):
 * what is booked in a slot is packed there, never checked against quiet hours one by one.
 * @example slotsInQuietHours([{ name: 'morning', start: '05:00', end: '06:00', … }], { start: '21:30', end: '05:30' })
 * // → the morning slot
 */
export function slotsInQuietHours(
  slots: readonly StandingSlot[],
  quiet: CommuneSettings['quietHours'],
): readonly StandingSlot[] {
  if (quiet.start === quiet.end) return [];
  const crosses = quiet.start > quiet.end;
  return slots.filter((s) =>
    crosses ? s.end > quiet.start || s.start < quiet.end : s.start < quiet.end && quiet.start < s.end,
  );
}
