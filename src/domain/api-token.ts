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

export const ApiTokenInputSchema = z.strictObject({
  /** Which system holds it, e.g. "Hệ thống thông tin nguồn tỉnh". */
  name: humanText(100),
});
export type ApiTokenInput = z.output<typeof ApiTokenInputSchema>;

/** A machine token as its province's admin sees it: never the token itself, which is stored hashed. */
export interface ApiToken {
  readonly id: string;
  readonly provinceId: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}
