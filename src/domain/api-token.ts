import { z } from 'zod';
import { humanText } from './input.js';

/**
 * Machine tokens (mã máy) let a provincial information-source system pull the province's export.
 * The prefix tells them from a person's session token at a glance, in logs and to secret scanners, and
 * lets the API refuse one on a route it does not open without a database lookup.
 */
export const MACHINE_TOKEN_PREFIX = 'loa_mt_';

/** Whether a bearer token is a machine token by its form (it may still be unknown or revoked). */
export const isMachineToken = (token: string): boolean => token.startsWith(MACHINE_TOKEN_PREFIX);

/**
 * What a machine token opens: the province's export (read), or the door for CAP alerts (write). A token
 * made before scopes existed reads the export, as it always did.
 */
export const MACHINE_SCOPES = ['export:read', 'alerts:write'] as const;
export type MachineScope = (typeof MACHINE_SCOPES)[number];

export const ApiTokenInputSchema = z.strictObject({
  /** Which system holds it, e.g. "Hệ thống thông tin nguồn tỉnh". */
  name: humanText(100),
  scopes: z
    .array(z.enum(MACHINE_SCOPES))
    .min(1)
    .max(MACHINE_SCOPES.length)
    .readonly()
    .default(['export:read']),
});
export type ApiTokenInput = z.output<typeof ApiTokenInputSchema>;

/** A machine token as its province's admin sees it: never the token itself, which is stored hashed. */
export interface ApiToken {
  readonly id: string;
  readonly provinceId: string;
  readonly name: string;
  readonly scopes: readonly MachineScope[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}
