/** One language version of an announcement (a recording or a TTS rendering). */
export interface LanguagePart {
  readonly language: string;
  readonly durationMs: number;
}

// RFC 5646 §2.1.1: language tags are case-insensitive ('vi' = 'VI').
const key = (language: string): string => language.trim().toLowerCase();

/**
 * The variants a hamlet plays, in the hamlet's language order; a language the hamlet does not
 * list is not played, and a listed language with no variant is skipped. The first variant of a
 * language wins if there are several.
 * @example
 * orderVariants(['vi', 'giay'], [{ language: 'giay', … }, { language: 'hmn', … }, { language: 'vi', … }])
 * // → [vi, giay]
 */
export const orderVariants = <V extends LanguagePart>(
  hamletLanguages: readonly string[],
  variants: readonly V[],
): readonly V[] => {
  const byLanguage = new Map<string, V>();
  for (const v of variants) if (!byLanguage.has(key(v.language))) byLanguage.set(key(v.language), v);
  const played: V[] = [];
  for (const language of new Set(hamletLanguages.map(key))) {
    const v = byLanguage.get(language);
    if (v) played.push(v);
  }
  return played;
};

/** Air time of variants played one after another, in milliseconds. */
export const totalDurationMs = (variants: readonly { readonly durationMs: number }[]): number =>
  variants.reduce((sum, v) => sum + v.durationMs, 0);
