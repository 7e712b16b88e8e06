import { z } from 'zod';
import { humanText, languageCode } from './input.js';

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
