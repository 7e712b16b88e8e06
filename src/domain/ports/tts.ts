/** Voices espeak-ng offers for Vietnamese: northern (default), central and southern. */
export const ttsVoices = ['vi', 'vi-vn-x-central', 'vi-vn-x-south'] as const;
export type TtsVoice = (typeof ttsVoices)[number];

/**
 * A speech engine: a secretary's text in, a WAV file out. espeak-ng is the default; a better
 * Vietnamese voice plugs in here without touching the pipeline.
 *
 * The engine prepares the text for speech itself (dates, numbers, units and abbreviations become
 * words, see `text/normalise-vi.ts`): callers pass the text exactly as it was typed.
 */
export interface TtsEngine {
  readonly name: string;
  synthesize(text: string, options: { readonly voice: TtsVoice }): Promise<Uint8Array>;
}

export function isTtsVoice(voice: string): voice is TtsVoice {
  return (ttsVoices as readonly string[]).includes(voice);
}

/** The one language every voice above speaks. */
export const voiceLanguage = 'vi';

/**
 * Whether a text in `language` is read by a voice of its own. Giáy, H'Mông and Dao have none: espeak-ng
 * reads them with Vietnamese rules, which listeners of those languages understand poorly, so the pages
 * suggest a human recording instead.
 */
export const hasOwnVoice = (language: string): boolean =>
  language === voiceLanguage || language.startsWith(`${voiceLanguage}-`);
