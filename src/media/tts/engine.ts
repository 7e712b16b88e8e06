/** Voices espeak-ng offers for Vietnamese: northern (default), central and southern. */
export const ttsVoices = ['vi', 'vi-vn-x-central', 'vi-vn-x-south'] as const;
export type TtsVoice = (typeof ttsVoices)[number];

/**
 * A speech engine: text in, WAV out. espeak-ng is the default; a better Vietnamese voice plugs in here
 * without touching the pipeline.
 */
export interface TtsEngine {
  readonly name: string;
  synthesize(text: string, options: { readonly voice: string }): Promise<Uint8Array>;
}
