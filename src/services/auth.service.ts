import { hasCommuneScope, isProvinceRole, type UserActor } from '../domain/actor.js';
import { invalid, LoaError, notFound } from '../domain/errors.js';
import type { Clock } from '../domain/ports/clock.js';
import { hashToken, type IdGenerator } from '../domain/ports/ids.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import { usernameKey, type LoginInput, type PasswordChange, type User } from '../domain/user.js';
import type { AuditTrail } from './audit.service.js';
import { createRateLimiter } from './rate-limiter.js';

interface Deps {
  readonly repos: Pick<Repositories, 'users' | 'sessions' | 'communes' | 'rateLimits'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
  readonly sessionTtlHours: number;
}

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: User;
  /** The double-submit token the pages send back with every form (`loa_csrf` cookie). */
  readonly csrfToken: string;
}

export const invalidCredentials = new LoaError(
  401,
  'invalid_credentials',
  'Wrong username or password.',
  'Sai tên đăng nhập hoặc mật khẩu.',
);

/** The limit on failed sign-ins per username (an admin's password reset clears it). */
export const SIGN_IN_PER_USER = 'login-user';

const tooManyAttempts = (retryAfterS: number) =>
  new LoaError(
    429,
    'rate_limited',
    `Too many sign-in attempts. Try again in ${Math.ceil(retryAfterS / 60)} minute(s).`,
    `Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau ${Math.ceil(retryAfterS / 60)} phút.`,
    { retryAfterS },
  );

export function toUserActor(user: User): UserActor {
  return {
    kind: 'user',
    id: user.id,
    username: user.username,
    role: user.role,
    provinceId: user.provinceId,
    communeId: user.communeId,
    hamletIds: hasCommuneScope(user.role) ? 'all' : user.hamletIds,
  };
}

export function createAuthService(deps: Deps) {
  const { repos, clock, ids, passwords } = deps;
  // Verifying against a throwaway hash when the user is unknown keeps both failures equally slow.
  const decoyHash = passwords.hash(ids.token());
  // Per username slows guessing one account from many addresses; per address, one address guessing
  // many accounts. Both count failed attempts in a 15-minute window.
  const window = { windowMs: 15 * 60_000, clock, store: repos.rateLimits };
  const perUser = createRateLimiter({ ...window, max: 5, scope: SIGN_IN_PER_USER });
  const perAddress = createRateLimiter({ ...window, max: 20, scope: 'login-address' });

  return {
    /**
     * Signs a user in: a new session (its token stored only as a digest) and an audit row. An attempt is
     * counted before the password is checked, so that a burst of parallel guesses cannot all get past
     * the limit while the first ones are still being verified; a successful one is taken back.
     */
    async login(
      input: LoginInput,
      from: { readonly clientIp: string; readonly requestId: string | null },
    ): Promise<LoginResult> {
      // Counted by the name's folded key, as it is looked up: guesses at "Admin", "admin" and "ADMIN"
      // share one budget.
      const userKey = usernameKey(input.username);
      const waits = await Promise.all([perUser.hit(userKey), perAddress.hit(from.clientIp)]);
      if (Math.max(...waits) > 0) {
        // A refused attempt is not one more guess: it leaves both counts as they were.
        await Promise.all([perUser.release(userKey), perAddress.release(from.clientIp)]);
        throw tooManyAttempts(Math.max(...waits));
      }
      const user = await repos.users.findCredentialsByUsername(input.username);
      const ok = await passwords.verify(input.password, user?.passwordHash ?? (await decoyHash));
      if (!user || !ok || user.disabledAt) throw invalidCredentials;
      // The budget is the account's own unless its name folded like an older one's before keys existed
      // (0029): then a sign-in as "Hoa" must not clear the guesses at "hoa", another account.
      const own = user.usernameKey === userKey;
      await Promise.all([
        own ? perUser.reset(userKey) : perUser.release(userKey),
        perAddress.release(from.clientIp),
      ]);
      const token = ids.token();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + deps.sessionTtlHours * 3_600_000).toISOString();
      const sessionId = ids.id();
      const { passwordHash: _, ...publicUser } = user;
      const tokenHash = await hashToken(token);
      await deps.tx(async (r) => {
        // Checked again under the account's lock: a password reset or change, or a disabling, that
        // committed while the password was being checked ends this sign-in as it ended the open sessions.
        const current = await r.users.lockCredentials(user.id);
        if (!current || current.passwordHash !== user.passwordHash || current.disabledAt)
          throw invalidCredentials;
        await r.sessions.insertSession(
          { id: sessionId, tokenHash, userId: user.id, expiresAt },
          now.toISOString(),
        );
        await deps.audit.record(r, {
          actor: toUserActor(publicUser),
          requestId: from.requestId,
          action: 'auth.login',
          targetType: 'session',
          targetId: sessionId,
        });
      });
      return { token, expiresAt, user: publicUser, csrfToken: ids.token() };
    },

    /** The user behind a session token, or undefined when it is unknown, expired, revoked or disabled. */
    async authenticateUser(token: string): Promise<{ actor: UserActor; sessionId: string } | undefined> {
      const session = await repos.sessions.findLiveSession(await hashToken(token), clock.now().toISOString());
      if (!session) return undefined;
      const user = await repos.users.findUser(session.userId);
      if (!user || user.disabledAt) return undefined;
      return { actor: toUserActor(user), sessionId: session.id };
    },

    /**
     * The actor of a province user looking at one of the province's communes (the commune switcher):
     * the same person, acting in that commune with read-only rights. Any other commune is not found.
     */
    async viewCommune(actor: UserActor, communeId: string): Promise<UserActor> {
      if (!isProvinceRole(actor.role) || communeId === actor.communeId) return actor;
      const commune = await repos.communes.findCommune(communeId);
      if (!commune || commune.provinceId !== actor.provinceId) throw notFound('Commune', communeId, 'xã');
      return { ...actor, communeId };
    },

    /** Forgets the attempt windows that have ended (the dispatcher's hourly clean-up). */
    pruneRateLimits(): Promise<number> {
      return repos.rateLimits.deleteExpired(clock.now().toISOString());
    },

    /** The signed-in user's own record, fresh from the database. */
    async me(actor: UserActor): Promise<User> {
      const user = await repos.users.findUser(actor.id);
      if (!user || user.disabledAt)
        throw new LoaError(401, 'unauthenticated', 'Sign in again.', 'Vui lòng đăng nhập lại.');
      return user;
    },

    /**
     * A person changes their own password: the current one is checked as a sign-in is (and counted
     * against the same limit, so a session left open is no way to guess it), every other session of
     * theirs ends, the one they changed it from stays open.
     */
    async changePassword(
      actor: UserActor,
      sessionId: string,
      input: PasswordChange,
      requestId: string | null,
    ): Promise<void> {
      const userKey = usernameKey(actor.username);
      const wait = await perUser.hit(userKey);
      if (wait > 0) {
        await perUser.release(userKey);
        throw tooManyAttempts(wait);
      }
      const user = await repos.users.findCredentialsByUsername(actor.username);
      if (!user || user.id !== actor.id || user.disabledAt)
        throw new LoaError(401, 'unauthenticated', 'Sign in again.', 'Vui lòng đăng nhập lại.');
      if (!(await passwords.verify(input.currentPassword, user.passwordHash))) {
        throw invalid('currentPassword', 'The current password is wrong.', 'Mật khẩu hiện tại không đúng.');
      }
      await perUser.release(userKey);
      if (input.newPassword === input.currentPassword) {
        throw invalid(
          'newPassword',
          'The new password is the current one; choose another.',
          'Mật khẩu mới trùng mật khẩu hiện tại; hãy chọn mật khẩu khác.',
        );
      }
      const passwordHash = await passwords.hash(input.newPassword);
      await deps.tx(async (r) => {
        // Checked again under the account's lock, as a sign-in is: an admin's reset or a disabling that
        // committed while the current password was being checked ended this session, and its password
        // must not be replaced by one chosen with the old.
        const current = await r.users.lockCredentials(actor.id);
        if (!current || current.passwordHash !== user.passwordHash || current.disabledAt)
          throw new LoaError(401, 'unauthenticated', 'Sign in again.', 'Vui lòng đăng nhập lại.');
        const now = clock.now().toISOString();
        await r.users.updateUser(actor.id, { passwordHash }, now);
        await r.sessions.revokeUserSessions(actor.id, now, sessionId);
        await deps.audit.record(r, {
          actor,
          requestId,
          action: 'auth.password_change',
          targetType: 'user',
          targetId: actor.id,
        });
      });
    },

    logout(actor: UserActor, sessionId: string, requestId: string | null): Promise<void> {
      return deps.tx(async (r) => {
        await r.sessions.revokeSession(sessionId, clock.now().toISOString());
        await deps.audit.record(r, {
          actor,
          requestId,
          action: 'auth.logout',
          targetType: 'session',
          targetId: sessionId,
        });
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
