import { z } from 'zod';
import { humanText, languageCode } from './input.js';
import { usernameKey } from './user.js';

// thôn
export interface Hamlet {
  readonly id: string;
  readonly communeId: string;
  readonly name: string;
  /** Language codes in play order, e.g. ["vi", "giay"]. */
  readonly languages: readonly string[];
  readonly lat: number | null;
  readonly lon: number | null;
  /** A placeholder of the example commune. */
  readonly isExample: boolean;
  /** Bumped whenever the hamlet's future schedule changes: the receivers' manifest ETag. */
  readonly scheduleVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The key a hamlet's name is unique by in its commune: trimmed, then folded as usernames are
 * (`usernameKey`: NFC, one case), so that "Thôn Ún Tà", "THÔN ÚN TÀ " and the same name typed with
 * combining diacritics are one name. The name keeps its spelling for display.
 *
 * @example hamletNameKey(' THÔN ÚN TÀ') === hamletNameKey('Thôn Ún Tà') // 'thôn ún tà'
 */
export const hamletNameKey = (name: string): string => usernameKey(name.trim());

/** Between a name's key and a hamlet's id in the key of a hamlet named like an older one (`twinNameKey`). */
export const TWIN_MARK = '\u001f';

/**
 * Hamlets named alike in one commune before names were unique (migration 0030) are all kept: the older
 * holds the name's key, each other one `<key>\u001f<id>`, which no name given in the app folds to (they
 * hold no control character); the name is still taken while any of them is live.
 */
export const twinNameKey = (key: string, id: string): string => `${key}${TWIN_MARK}${id}`;

export interface HamletValues {
  readonly name: string;
  readonly languages: readonly string[];
  readonly lat: number | null;
  readonly lon: number | null;
}

export const HamletInputSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lowercase letters, digits and dashes, e.g. "un-ta"')
    .optional(),
  name: humanText(200),
  languages: z.array(languageCode).min(1, 'give at least one language, e.g. ["vi"]').max(10).readonly(),
  lat: z.number().min(-90).max(90).nullable().default(null),
  lon: z.number().min(-180).max(180).nullable().default(null),
});
export type HamletInput = z.output<typeof HamletInputSchema>;

export const HamletPatchSchema = z.strictObject({
  name: humanText(200).optional(),
  languages: z.array(languageCode).min(1).max(10).readonly().optional(),
  lat: z.number().min(-90).max(90).nullable().optional(),
  lon: z.number().min(-180).max(180).nullable().optional(),
});
export type HamletPatch = z.output<typeof HamletPatchSchema>;
