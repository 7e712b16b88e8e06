import { hasCommuneScope, isProvinceRole, type RequestContext, type Role } from '../domain/actor.js';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { User } from '../domain/user.js';
import type { AuditTrail } from './audit.service.js';
import { toUserActor } from './auth.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'users'>;
  readonly tx: UnitOfWork;
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

/** A commune's admin gives commune roles; province roles are the province's to give. */
function assertRoleGiven(ctx: RequestContext, role: Role): void {
  if (isProvinceRole(role) && !isProvinceRole(ctx.actor.role)) {
    throw forbidden(
      `The role ${role} is given by the province's administrator.`,
      'Vai trò cấp tỉnh do quản trị viên tỉnh cấp, không do xã cấp.',
    );
  }
}

/** Hamlet-scoped roles need at least one hamlet, and every hamlet must exist in the commune. */
async function checkScope(
  r: Pick<Repositories, 'hamlets'>,
  communeId: string,
  role: Role,
  hamletIds: readonly string[],
): Promise<void> {
  if (!hasCommuneScope(role) && hamletIds.length === 0) {
    throw invalid(
      'hamletIds',
      `A ${role} needs at least one hamlet in hamletIds.`,
      'Trưởng thôn và bí thư chi đoàn phải được giao ít nhất một thôn.',
    );
  }
  const existing = new Set(await r.hamlets.findExistingHamletIds(communeId, hamletIds));
  const missing = hamletIds.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw invalid(
      'hamletIds',
      `Unknown hamlet id(s): ${missing.join(', ')}.`,
      `Không tìm thấy thôn: ${missing.join(', ')}.`,
    );
  }
}

async function load(r: Pick<Repositories, 'users'>, ctx: RequestContext, id: string): Promise<User> {
  const user = await r.users.findUser(id);
  if (!user || user.communeId !== ctx.actor.communeId) throw notFound('User', id, 'người dùng');
  return user;
}

export function createUsersService(deps: Deps) {
  const { clock, tx } = deps;

  return {
    list(ctx: RequestContext, page: PageRequest): Promise<Page<User>> {
      assertAllowed(ctx.actor, 'user.manage');
      return deps.repos.users.listUsers(ctx.actor.communeId, page);
    },

    async get(ctx: RequestContext, id: string): Promise<User> {
      assertAllowed(ctx.actor, 'user.manage');
      return load(deps.repos, ctx, id);
    },

    async create(ctx: RequestContext, input: NewUser): Promise<User> {
      assertAllowed(ctx.actor, 'user.manage');
      assertRoleGiven(ctx, input.role);
      const username = input.username.normalize('NFC');
      const hamletIds = hasCommuneScope(input.role) ? [] : [...new Set(input.hamletIds)];
      // Hashed before the unit of work: scrypt takes a while, and the transaction holds locks.
      const passwordHash = await deps.passwords.hash(input.password);
      return tx(async (r) => {
        if (await r.users.isUsernameTaken(username)) {
          throw conflict(
            `The username ${JSON.stringify(username)} is taken.`,
            `Tên đăng nhập "${username}" đã có người dùng.`,
          );
        }
        await checkScope(r, ctx.actor.communeId, input.role, hamletIds);
        const id = deps.ids.id();
        await r.users.insertUser(
          {
            id,
            username,
            displayName: input.displayName.normalize('NFC'),
            passwordHash,
            role: input.role,
            communeId: ctx.actor.communeId,
            hamletIds,
          },
          clock.now().toISOString(),
        );
        await deps.audit.record(r, {
          ...ctx,
          action: 'user.create',
          targetType: 'user',
          targetId: id,
          details: { username, role: input.role, hamletIds },
        });
        return (await r.users.findUser(id))!;
      });
    },

    async update(ctx: RequestContext, id: string, changes: UserChanges): Promise<User> {
      assertAllowed(ctx.actor, 'user.manage');
      if (changes.role) assertRoleGiven(ctx, changes.role);
      if (id === ctx.actor.id && (changes.disabled || (changes.role && changes.role !== 'admin'))) {
        throw invalid(
          'role',
          'You cannot disable or demote yourself.',
          'Bạn không thể tự khóa hoặc hạ quyền của chính mình.',
        );
      }
      const passwordHash =
        changes.password === undefined ? undefined : await deps.passwords.hash(changes.password);
      return tx(async (r) => {
        const user = await load(r, ctx, id);
        const role = changes.role ?? user.role;
        const hamletIds = hasCommuneScope(role) ? [] : [...new Set(changes.hamletIds ?? user.hamletIds)];
        if (changes.role !== undefined || changes.hamletIds !== undefined) {
          await checkScope(r, ctx.actor.communeId, role, hamletIds);
        }
        const now = clock.now().toISOString();
        await r.users.updateUser(
          id,
          {
            ...(changes.displayName !== undefined && { displayName: changes.displayName.normalize('NFC') }),
            ...(changes.role !== undefined && { role }),
            ...((changes.role !== undefined || changes.hamletIds !== undefined) && { hamletIds }),
            ...(passwordHash !== undefined && { passwordHash }),
            ...(changes.disabled !== undefined && { disabledAt: changes.disabled ? now : null }),
          },
          now,
        );
        // A new password or a disabled account ends every open session at once.
        if (passwordHash !== undefined || changes.disabled) await r.sessions.revokeUserSessions(id, now);
        const fields = Object.keys(changes).filter((k) => changes[k as keyof UserChanges] !== undefined);
        await deps.audit.record(r, {
          ...ctx,
          action: 'user.update',
          targetType: 'user',
          targetId: id,
          details: { fields },
        });
        return (await r.users.findUser(id))!;
      });
    },

    /** A user of the commune by username, or undefined. */
    async findByUsername(ctx: RequestContext, username: string): Promise<User | undefined> {
      assertAllowed(ctx.actor, 'user.manage');
      const found = await deps.repos.users.findCredentialsByUsername(username.normalize('NFC'));
      if (!found || found.communeId !== ctx.actor.communeId) return undefined;
      const { passwordHash: _, ...user } = found;
      return user;
    },

    /** Users own history (announcements, audit rows), so deleting disables the account. */
    async remove(ctx: RequestContext, id: string): Promise<void> {
      await this.update(ctx, id, { disabled: true });
    },

    /**
     * The context of the commune's first admin, for the `loa` command: it runs on the server itself, as
     * its operator.
     */
    async operator(): Promise<RequestContext> {
      const admin = await deps.repos.users.findCredentialsByUsername('admin');
      if (!admin) throw new Error('No admin user exists yet; run `loa serve` or `loa seed` once first.');
      return { actor: toUserActor(admin), requestId: 'cli' };
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
