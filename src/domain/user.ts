import { z } from 'zod';
import { roles, type Role } from './actor.js';
import { humanText, idText } from './input.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  /** The commune the user works in; for province staff, the commune they look at first. */
  readonly communeId: string;
  readonly provinceId: string;
  /** The hamlets a secretary or hamlet head looks after (thôn phụ trách). */
  readonly hamletIds: readonly string[];
  readonly disabledAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The CAP alerts' own account in a commune (`cap-<commune>`, "Hệ thống cảnh báo CAP"): disabled, it never
 * signs in, and what alerts book and write is attributed to it. It is not a person: the commune's user
 * list leaves it out and an admin can neither edit, enable nor delete it.
 */
export const capSystemUserId = (communeId: string): string => `cap-${communeId}`;

/**
 * The key a username is unique and looked up by: the name in one case, so that "Admin" from a phone
 * keyboard that capitalises the first letter signs in as "admin", and "Đức" and "đức" cannot be two
 * accounts. The name keeps its spelling for display. Folded here, not with SQL `lower()`, which folds
 * ASCII letters only in SQLite; `toLowerCase` is the same in every runtime (no locale's rules).
 *
 * @example usernameKey('ĐỨC') === usernameKey('đức') // 'đức'
 */
export const usernameKey = (username: string): string =>
  username.normalize('NFC').toLowerCase().normalize('NFC');

/** Usernames of the form `cap-…` are kept for those accounts, whatever the case of their letters. */
export const isSystemUsername = (username: string): boolean => usernameKey(username).startsWith('cap-');

/** Why a username is refused, in both languages: kept for a CAP account, or taken. */
export const usernameRefusals = {
  system: {
    en: `Usernames beginning with "cap-" are kept for the CAP alerts' accounts; choose another.`,
    vi: 'Tên đăng nhập bắt đầu bằng "cap-" được dành cho tài khoản hệ thống cảnh báo CAP; hãy chọn tên khác.',
  },
  taken: (username: string) => ({
    en: `The username ${JSON.stringify(username)} is taken.`,
    vi: `Tên đăng nhập "${username}" đã có người dùng.`,
  }),
};

export const isSystemAccount = (user: Pick<User, 'id' | 'communeId'>): boolean =>
  user.id === capSystemUserId(user.communeId);

export interface UserCredentials extends User {
  readonly passwordHash: string;
  /**
   * The key the account is found by: `usernameKey(username)`, but one of its own for the newer of two
   * accounts whose names folded alike before keys existed (migration 0029).
   */
  readonly usernameKey: string;
}

export const passwordText = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

export const usernameText = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(64, 'must be at most 64 characters')
      .regex(/^[\p{L}\p{N}._-]+$/u, 'may contain letters, digits, dot, dash and underscore only'),
  );

export const RoleSchema = z.enum(roles);

export const UserInputSchema = z.strictObject({
  username: usernameText,
  password: passwordText,
  role: RoleSchema,
  hamletIds: z.array(idText).max(50).readonly().default([]),
  displayName: humanText(200),
});
export type UserInput = z.output<typeof UserInputSchema>;

export const UserPatchSchema = z.strictObject({
  displayName: humanText(200).optional(),
  role: RoleSchema.optional(),
  hamletIds: z.array(idText).max(50).readonly().optional(),
  password: passwordText.optional(),
  disabled: z.boolean().optional(),
});
export type UserPatch = z.output<typeof UserPatchSchema>;

/** A person's own new password, given with the one it replaces (a session alone does not change it). */
export const PasswordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordText,
});
export type PasswordChange = z.output<typeof PasswordChangeSchema>;

export const LoginSchema = z.strictObject({
  // No username has a control character (see usernameText), and PostgreSQL text cannot hold NUL: one
  // would fail the look-up and the attempt's count with a server error instead of a refusal.
  username: z
    .string()
    .min(1)
    .max(64)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters'),
  password: z.string().min(1).max(200),
});
export type LoginInput = z.output<typeof LoginSchema>;
