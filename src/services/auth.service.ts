import type { SessionsRepository } from '../db/repositories/sessions.repository.js';
import type { UserRow, UsersRepository } from '../db/repositories/users.repository.js';
import { hasCommuneScope, type UserActor } from '../domain/actor.js';
import { LoaError } from '../domain/errors.js';
import type { AuditTrail } from './audit.service.js';
import { hashToken, type Clock, type IdGenerator, type PasswordHasher } from '../domain/ports.js';

interface Deps {
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
  readonly sessionTtlHours: number;
}

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: UserRow;
}

export const invalidCredentials = new LoaError(
  401,
  'invalid_credentials',
  'Wrong username or password.',
  'Sai tên đăng nhập hoặc mật khẩu.',
);

export function toUserActor(user: UserRow): UserActor {
  return {
    kind: 'user',
    id: user.id,
    username: user.username,
    role: user.role,
    communeId: user.communeId,
    hamletIds: hasCommuneScope(user.role) ? 'all' : user.hamletIds,
  };
}

export function createAuthService(deps: Deps) {
  const { users, sessions, clock, ids, passwords } = deps;
  // Verifying against a throwaway hash when the user is unknown keeps both failures equally slow.
  const decoyHash = passwords.hash(ids.token());

  return {
    async login(username: string, password: string, requestId: string | null): Promise<LoginResult> {
      const user = await users.findCredentialsByUsername(username.normalize('NFC'));
      const ok = await passwords.verify(password, user?.passwordHash ?? (await decoyHash));
      if (!user || !ok || user.disabledAt) throw invalidCredentials;
      const token = ids.token();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + deps.sessionTtlHours * 3_600_000).toISOString();
      const sessionId = ids.id();
      await sessions.insertSession(
        { id: sessionId, tokenHash: await hashToken(token), userId: user.id, expiresAt },
        now.toISOString(),
      );
      const { passwordHash: _, ...publicUser } = user;
      await deps.audit.record({
        actor: toUserActor(publicUser),
        requestId,
        action: 'auth.login',
        targetType: 'session',
        targetId: sessionId,
      });
      return { token, expiresAt, user: publicUser };
    },

    /** The user behind a session token, or undefined when it is unknown, expired, revoked or disabled. */
    async authenticateUser(token: string): Promise<{ actor: UserActor; sessionId: string } | undefined> {
      const session = await sessions.findLiveSession(await hashToken(token), clock.now().toISOString());
      if (!session) return undefined;
      const user = await users.findUser(session.userId);
      if (!user || user.disabledAt) return undefined;
      return { actor: toUserActor(user), sessionId: session.id };
    },

    /** The signed-in user's own record, fresh from the database. */
    async me(actor: UserActor): Promise<UserRow> {
      const user = await users.findUser(actor.id);
      if (!user || user.disabledAt)
        throw new LoaError(401, 'unauthenticated', 'Sign in again.', 'Vui lòng đăng nhập lại.');
      return user;
    },

    async logout(actor: UserActor, sessionId: string, requestId: string | null): Promise<void> {
      await sessions.revokeSession(sessionId, clock.now().toISOString());
      await deps.audit.record({
        actor,
        requestId,
        action: 'auth.logout',
        targetType: 'session',
        targetId: sessionId,
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
