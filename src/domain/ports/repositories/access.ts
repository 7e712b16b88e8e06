import type { Role } from '../../actor.js';
import type { ApiToken, MachineScope } from '../../api-token.js';
import type { AuditRecord } from '../../audit.js';
import type { Page, PageRequest } from '../../page.js';
import type { User, UserCredentials } from '../../user.js';

/** Attempts per key in fixed windows, in the database so that every instance counts them together. */
export interface RateLimitsRepository {
  /**
   * Counts one attempt of `key`, in a window ending at `resetAt` when none is open at `now`; answers the
   * attempts of the open window and when it ends.
   */
  hit(
    key: string,
    resetAt: string,
    now: string,
  ): Promise<{ readonly count: number; readonly resetAt: string }>;
  /** Takes back one attempt of the open window. */
  release(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  /** Forgets the windows that ended before `now`; answers how many. */
  deleteExpired(now: string): Promise<number>;
}

export interface AuditRepository {
  appendAudit(record: AuditRecord): Promise<void>;
  listRecentAudit(limit: number): Promise<readonly AuditRecord[]>;
}

export interface ApiTokensRepository {
  insertApiToken(
    token: {
      readonly id: string;
      readonly provinceId: string;
      readonly name: string;
      readonly tokenHash: string;
      /** Default: the export only, as before scopes existed. */
      readonly scopes?: readonly MachineScope[];
      readonly createdBy: string;
    },
    now: string,
  ): Promise<void>;
  /** The province's tokens, newest first, revoked ones too. */
  listApiTokens(provinceId: string): Promise<readonly ApiToken[]>;
  findApiToken(provinceId: string, id: string): Promise<ApiToken | undefined>;
  /** Revokes a live token of the province; false when there is none to revoke. */
  revokeApiToken(provinceId: string, id: string, now: string): Promise<boolean>;
  /** The live (not revoked) token behind a digest. */
  findLiveApiToken(tokenHash: string): Promise<
    | {
        readonly id: string;
        readonly provinceId: string;
        readonly name: string;
        readonly scopes: readonly MachineScope[];
      }
    | undefined
  >;
  /** Records a use, unless one was recorded after `unlessAfter` (one write a minute per token at most). */
  touchApiToken(id: string, now: string, unlessAfter: string): Promise<void>;
}

export interface SessionsRepository {
  insertSession(
    session: { id: string; tokenHash: string; userId: string; expiresAt: string },
    now: string,
  ): Promise<void>;
  /** The live session for a token digest: not revoked, not expired, user not disabled. */
  findLiveSession(tokenHash: string, now: string): Promise<{ id: string; userId: string } | undefined>;
  revokeSession(id: string, now: string): Promise<void>;
  /** Ends the user's open sessions, but `keepSessionId` (the one a password was changed from). */
  revokeUserSessions(userId: string, now: string, keepSessionId?: string): Promise<void>;
}

export interface UsersRepository {
  /**
   * Users with one of `roles`: of one commune (its staff), or of every commune of a province (the
   * province's staff, who keep a home commune).
   */
  listUsers(
    where: { readonly communeId: string } | { readonly provinceId: string },
    roles: readonly Role[],
    page: PageRequest,
    /** Accounts left out (the commune's CAP account). */
    excludeIds?: readonly string[],
  ): Promise<Page<User>>;
  /**
   * The enabled users with this role in a commune or a province, their rows locked until the unit of
   * work ends: who is left to manage it, while one of them is being disabled or demoted.
   */
  lockActiveUsers(
    where: { readonly communeId: string } | { readonly provinceId: string },
    role: Role,
  ): Promise<readonly string[]>;
  findUser(id: string): Promise<User | undefined>;
  findCredentialsByUsername(username: string): Promise<UserCredentials | undefined>;
  /**
   * The account's password hash and whether it is disabled, its row locked until the unit of work ends
   * (PostgreSQL; SQLite's unit already holds the write lock): a sign-in checks them again under it.
   */
  lockCredentials(
    userId: string,
  ): Promise<{ readonly passwordHash: string; readonly disabledAt: string | null } | undefined>;
  isUsernameTaken(username: string): Promise<boolean>;
  countUsers(): Promise<number>;
  insertUser(
    user: {
      id: string;
      username: string;
      displayName: string;
      passwordHash: string;
      role: Role;
      communeId: string;
      hamletIds: readonly string[];
    },
    now: string,
  ): Promise<void>;
  updateUser(
    id: string,
    changes: {
      displayName?: string;
      role?: Role;
      passwordHash?: string;
      disabledAt?: string | null;
      hamletIds?: readonly string[];
    },
    now: string,
  ): Promise<void>;
}
