import { z } from 'zod';
import { humanText } from './input.js';
import { usernameText } from './user.js';

// tỉnh
export interface Province {
  readonly id: string;
  /** The 2-digit province code (Lào Cai: 15 since the 2025 merger). */
  readonly code: string;
  readonly name: string;
}

/**
 * A new commune of the province, with its first admin (the commune's own IT person) when one is named;
 * without one, the province admin adds the commune's admin later through the commune switcher.
 */
export const CommuneInputSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lowercase letters, digits and dashes, e.g. "coc-san"')
    .optional(),
  name: humanText(200),
  code: z.string().regex(/^\d{5}$/, 'must be the 5-digit commune code, e.g. "02746"'),
  timeZone: z.string().min(1).max(64).default('Asia/Ho_Chi_Minh'),
  admin: z.strictObject({ username: usernameText, displayName: humanText(200) }).optional(),
});
export type CommuneInput = z.output<typeof CommuneInputSchema>;
