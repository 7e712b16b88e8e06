import type { HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import type { SessionsRepository } from '../db/repositories/sessions.repository.js';
import type { UserRow, UsersRepository } from '../db/repositories/users.repository.js';
import { hasCommuneScope, type Role } from '../domain/actor.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from '../domain/context.js';
import type { Clock, IdGenerator, PasswordHasher } from '../domain/ports.js';

interface Deps {
  readonly users: UsersRepository;
  readonly hamlets: HamletsRepository;
  readonly sessions: SessionsRepository;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly hamletIds: readonly string[];
  readonly displayName: string;
}

export interface UserChanges {
  readonly displayName?: string | undefined;
  readonly role?: Role | undefined;
  readonly hamletIds?: readonly string[] | undefined;
  readonly password?: string | undefined;
  readonly disabled?: boolean | undefined;
}

export function createUsersService(deps: Deps) {
  const { users, clock } = deps;

  /** Hamlet-scoped roles need at least one hamlet, and every hamlet must exist in the commune. */
  async function checkScope(communeId: string, role: Role, hamletIds: readonly string[]): Promise<void> {
    if (!hasCommuneScope(role) && hamletIds.length === 0) {
      throw invalid(
        'hamletIds',
        `A ${role} needs at least one hamlet in hamletIds.`,
        'Trưởng thôn và bí thư chi đoàn phải được giao ít nhất một thôn.',
      );
    }
    const existing = new Set(await deps.hamlets.findExistingHamletIds(communeId, hamletIds));
    const missing = hamletIds.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      throw invalid(
        'hamletIds',
        `Unknown hamlet id(s): ${missing.join(', ')}.`,
        `Không tìm thấy thôn: ${missing.join(', ')}.`,
      );
    }
  }

  async function load(ctx: RequestContext, id: string): Promise<UserRow> {
    const user = await users.findUser(id);
    if (!user || user.communeId !== ctx.actor.communeId) throw notFound('User', id, 'người dùng');
    return user;
  }

  return {
    list(ctx: RequestContext, page: PageRequest): Promise<Page<UserRow>> {
      assertAllowed(ctx.actor, 'user.manage');
      return users.listUsers(ctx.actor.communeId, page);
    },

    async get(ctx: RequestContext, id: string): Promise<UserRow> {
      assertAllowed(ctx.actor, 'user.manage');
      return load(ctx, id);
    },

    async create(ctx: RequestContext, input: NewUser): Promise<UserRow> {
      assertAllowed(ctx.actor, 'user.manage');
      const username = input.username.normalize('NFC');
      if (await users.isUsernameTaken(username)) {
        throw conflict(
          `The username ${JSON.stringify(username)} is taken.`,
          `Tên đăng nhập "${username}" đã có người dùng.`,
        );
      }
      const hamletIds = hasCommuneScope(input.role) ? [] : [...new Set(input.hamletIds)];
      await checkScope(ctx.actor.communeId, input.role, hamletIds);
      const id = deps.ids.id();
      await users.insertUser(
        {
          id,
          username,
          displayName: input.displayName.normalize('NFC'),
          passwordHash: await deps.passwords.hash(input.password),
          role: input.role,
          communeId: ctx.actor.communeId,
          hamletIds,
        },
        clock.now().toISOString(),
      );
      await deps.audit.record({
        ...ctx,
        action: 'user.create',
        targetType: 'user',
        targetId: id,
        details: { username, role: input.role, hamletIds },
      });
      return (await users.findUser(id))!;
    },

    async update(ctx: RequestContext, id: string, changes: UserChanges): Promise<UserRow> {
      assertAllowed(ctx.actor, 'user.manage');
      const user = await load(ctx, id);
      const role = changes.role ?? user.role;
      const hamletIds = hasCommuneScope(role) ? [] : [...new Set(changes.hamletIds ?? user.hamletIds)];
      if (changes.role !== undefined || changes.hamletIds !== undefined) {
        await checkScope(ctx.actor.communeId, role, hamletIds);
      }
      if (id === ctx.actor.id && (changes.disabled || (changes.role && changes.role !== 'admin'))) {
        throw invalid(
          'role',
          'You cannot disable or demote yourself.',
          'Bạn không thể tự khóa hoặc hạ quyền của chính mình.',
        );
      }
      const now = clock.now().toISOString();
      await users.updateUser(
        id,
        {
          ...(changes.displayName !== undefined && { displayName: changes.displayName.normalize('NFC') }),
          ...(changes.role !== undefined && { role }),
          ...((changes.role !== undefined || changes.hamletIds !== undefined) && { hamletIds }),
          ...(changes.password !== undefined && {
            passwordHash: await deps.passwords.hash(changes.password),
          }),
          ...(changes.disabled !== undefined && { disabledAt: changes.disabled ? now : null }),
        },
        now,
      );
      // A new password or a disabled account ends every open session at once.
      if (changes.password !== undefined || changes.disabled) await deps.sessions.revokeUserSessions(id, now);
      const fields = Object.keys(changes).filter((k) => changes[k as keyof UserChanges] !== undefined);
      await deps.audit.record({
        ...ctx,
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { fields },
      });
      return (await users.findUser(id))!;
    },

    /** Users own history (announcements, audit rows), so deleting disables the account. */
    async remove(ctx: RequestContext, id: string): Promise<void> {
      await this.update(ctx, id, { disabled: true });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
