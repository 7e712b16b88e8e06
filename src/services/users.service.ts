import {
  COMMUNE_ROLES,
  hasCommuneScope,
  isProvinceRole,
  PROVINCE_ROLES,
  type RequestContext,
  type Role,
  type UserActor,
} from '../domain/actor.js';
import { LoaError, conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import {
  capSystemUserId,
  isSystemAccount,
  isSystemUsername,
  usernameKey,
  usernameRefusals,
  type User,
} from '../domain/user.js';
import type { AuditTrail } from './audit.service.js';
import { SIGN_IN_PER_USER, toUserActor } from './auth.service.js';
import { limitKey } from './rate-limiter.js';

interface Deps {
  readonly repos: Pick<Repositories, 'users' | 'hamlets'>;
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

/**
 * Who looks after whom: a commune's admin its own staff; the province's admin the province's staff and
 * the admins of its communes (a new commune's first admin, a forgotten password), nobody else's.
 */
function managedRoles(actor: UserActor): readonly Role[] {
  if (actor.role === 'province_admin') return [...PROVINCE_ROLES, 'admin'];
  return actor.role === 'admin' ? COMMUNE_ROLES : [];
}

function assertRoleGiven(ctx: RequestContext, role: Role): void {
  if (managedRoles(ctx.actor).includes(role)) return;
  throw isProvinceRole(role)
    ? forbidden(
        `The role ${role} is given by the province's administrator.`,
        'Vai trò cấp tỉnh do quản trị viên tỉnh cấp, không do xã cấp.',
      )
    : forbidden(
        `The role ${role} is given by the commune's administrator.`,
        'Vai trò này do quản trị viên của xã cấp.',
      );
}

/** One thing wrong with a user's input beyond its shape, on the field it concerns. */
export interface UserProblem {
  readonly field: 'username' | 'hamletIds';
  readonly message: string;
  readonly messageVi: string;
}

/** Hamlet-scoped roles need at least one hamlet, and every hamlet must exist in the commune. */
async function scopeProblems(
  r: Pick<Repositories, 'hamlets'>,
  communeId: string,
  role: Role,
  hamletIds: readonly string[],
): Promise<UserProblem[]> {
  if (!hasCommuneScope(role) && hamletIds.length === 0) {
    return [
      {
        field: 'hamletIds',
        message: `A ${role} needs at least one hamlet in hamletIds.`,
        messageVi: 'Trưởng thôn và bí thư chi đoàn phải được giao ít nhất một thôn.',
      },
    ];
  }
  const existing = new Set(await r.hamlets.findExistingHamletIds(communeId, hamletIds));
  const missing = hamletIds.filter((id) => !existing.has(id));
  return missing.length === 0
    ? []
    : [
        {
          field: 'hamletIds',
          message: `Unknown hamlet id(s): ${missing.join(', ')}.`,
          messageVi: `Không tìm thấy thôn: ${missing.join(', ')}.`,
        },
      ];
}

/** Every problem at once: 409 when the username is taken (with the others listed), else 422. */
function refusal(problems: readonly UserProblem[]): LoaError {
  const taken = problems.some((p) => p.field === 'username');
  return new LoaError(
    taken ? 409 : 422,
    taken ? 'conflict' : 'invalid',
    problems.map((p) => p.message).join(' '),
    problems.map((p) => p.messageVi).join(' '),
    { errors: problems.map((p) => ({ ...p })) },
  );
}

async function checkScope(
  r: Pick<Repositories, 'hamlets'>,
  communeId: string,
  role: Role,
  hamletIds: readonly string[],
): Promise<void> {
  const problems = await scopeProblems(r, communeId, role, hamletIds);
  if (problems.length > 0) throw refusal(problems);
}

/**
 * A user the caller may see: staff of the commune it acts in, or, for the province's admin, the
 * province's staff; anyone else does not exist for it (404).
 */
async function load(r: Pick<Repositories, 'users'>, ctx: RequestContext, id: string): Promise<User> {
  const user = await r.users.findUser(id);
  // The CAP account is not a person an admin manages: it does not exist for her (404).
  const visible =
    user &&
    !isSystemAccount(user) &&
    (isProvinceRole(user.role)
      ? ctx.actor.role === 'province_admin' && user.provinceId === ctx.actor.provinceId
      : user.communeId === ctx.actor.communeId);
  if (!visible) throw notFound('User', id, 'người dùng');
  return user;
}

/**
 * A commune (or the province) keeps an enabled admin: its last one is not disabled or demoted by its own
 * staff, which would lock it out, even by two admins disabling each other at the same moment. The
 * province may still disable a commune's last admin (someone who left): it manages the commune above.
 */
async function assertAdminLeft(
  r: Pick<Repositories, 'users'>,
  ctx: RequestContext,
  user: User,
): Promise<void> {
  const guarded =
    user.role === 'province_admin' || (user.role === 'admin' && !isProvinceRole(ctx.actor.role));
  if (!guarded) return;
  const scope = user.role === 'admin' ? { communeId: user.communeId } : { provinceId: user.provinceId };
  const others = (await r.users.lockActiveUsers(scope, user.role)).filter((other) => other !== user.id);
  if (others.length > 0) return;
  const where = user.role === 'admin' ? ['commune', 'xã'] : ['province', 'tỉnh'];
  throw conflict(
    `${user.username} is the last enabled admin of the ${where[0]}: add another admin first.`,
    `${user.username} là quản trị viên cuối cùng còn hoạt động của ${where[1]}: hãy thêm một quản trị viên khác trước.`,
  );
}

const usernameTaken = (username: string): UserProblem => {
  const { en, vi } = usernameRefusals.taken(username);
  return { field: 'username', message: en, messageVi: vi };
};

async function newUserProblems(
  r: Pick<Repositories, 'users' | 'hamlets'>,
  communeId: string,
  input: {
    readonly username?: string | undefined;
    readonly role?: Role | undefined;
    readonly hamletIds: readonly string[];
  },
): Promise<UserProblem[]> {
  const problems: UserProblem[] = [];
  const username = input.username?.normalize('NFC');
  if (username && isSystemUsername(username)) {
    const { en, vi } = usernameRefusals.system;
    problems.push({ field: 'username', message: en, messageVi: vi });
  } else if (username && (await r.users.isUsernameTaken(username))) {
    problems.push(usernameTaken(username));
  }
  if (input.role) {
    const hamletIds = hasCommuneScope(input.role) ? [] : [...new Set(input.hamletIds)];
    problems.push(...(await scopeProblems(r, communeId, input.role, hamletIds)));
  }
  return problems;
}

export function createUsersService(deps: Deps) {
  const { clock, tx } = deps;

  return {
    /** The staff of the commune the caller acts in, or (`province`, the province's admin) of the province. */
    list(
      ctx: RequestContext,
      page: PageRequest,
      of: 'commune' | 'province' = 'commune',
    ): Promise<Page<User>> {
      assertAllowed(ctx.actor, 'user.manage');
      if (of === 'province') {
        assertAllowed(ctx.actor, 'province.manage');
        return deps.repos.users.listUsers({ provinceId: ctx.actor.provinceId }, PROVINCE_ROLES, page);
      }
      return deps.repos.users.listUsers({ communeId: ctx.actor.communeId }, COMMUNE_ROLES, page, [
        capSystemUserId(ctx.actor.communeId),
      ]);
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
      const created = tx(async (r) => {
        // The lock a hamlet's deletion takes, held before its hamlets are checked: one deleted at the
        // same moment is seen deleted here, or sees this user and is refused.
        await r.hamlets.lockSchedules(hamletIds);
        const problems = await newUserProblems(r, ctx.actor.communeId, { ...input, username, hamletIds });
        if (problems.length > 0) throw refusal(problems);
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
      try {
        return await created;
      } catch (error) {
        // The same form sent twice at once: both checks passed, the unique index let one insert through.
        if (!(error instanceof LoaError) && (await deps.repos.users.isUsernameTaken(username))) {
          throw refusal([usernameTaken(username)]);
        }
        throw error;
      }
    },

    /**
     * What would refuse this new user besides the shape of its input (a taken username, a scope that
     * does not fit the role), all at once: a form whose input the schema refused still shows these with
     * the schema's messages, instead of in a second round. Give only what passed the schema.
     */
    async problemsOfNewUser(
      ctx: RequestContext,
      input: {
        readonly username?: string | undefined;
        readonly role?: Role | undefined;
        readonly hamletIds: readonly string[];
      },
    ): Promise<readonly UserProblem[]> {
      assertAllowed(ctx.actor, 'user.manage');
      return newUserProblems(deps.repos, ctx.actor.communeId, input);
    },

    async update(ctx: RequestContext, id: string, changes: UserChanges): Promise<User> {
      assertAllowed(ctx.actor, 'user.manage');
      if (changes.role) assertRoleGiven(ctx, changes.role);
      if (id === ctx.actor.id && (changes.disabled || (changes.role && changes.role !== ctx.actor.role))) {
        throw invalid(
          'role',
          'You cannot disable or demote yourself.',
          'Bạn không thể tự khóa hoặc hạ quyền của chính mình.',
        );
      }
      // One's own password is changed with the current one (and its limit): an open session is not enough.
      if (id === ctx.actor.id && changes.password !== undefined) {
        throw invalid(
          'password',
          'Change your own password on the Change password page (/tai-khoan), giving the current one.',
          'Hãy đổi mật khẩu của chính mình ở trang Đổi mật khẩu (/tai-khoan), với mật khẩu hiện tại.',
        );
      }
      const passwordHash =
        changes.password === undefined ? undefined : await deps.passwords.hash(changes.password);
      return tx(async (r) => {
        const user = await load(r, ctx, id);
        assertRoleGiven(ctx, user.role);
        const leaves = changes.disabled || (changes.role !== undefined && changes.role !== user.role);
        if (leaves && !user.disabledAt) await assertAdminLeft(r, ctx, user);
        const role = changes.role ?? user.role;
        const hamletIds = hasCommuneScope(role) ? [] : [...new Set(changes.hamletIds ?? user.hamletIds)];
        if (changes.role !== undefined || changes.hamletIds !== undefined) {
          await r.hamlets.lockSchedules(hamletIds); // as in create
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
        // A person locked out by failed sign-ins signs in with the new password at once.
        if (passwordHash !== undefined)
          await r.rateLimits.reset(limitKey(SIGN_IN_PER_USER, usernameKey(user.username)));
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

    /**
     * A new password set by the server's operator (`loa user passwd`), for any person of any commune or of
     * the province: the way back for an admin who forgot theirs, which no page can give without the
     * current one. It acts as an admin over that person (the province's for province staff), audited as
     * the command line; answers the account's username as it is spelled ("admin" for `Admin`), or
     * undefined when no such person exists.
     */
    async resetPassword(username: string, password: string): Promise<string | undefined> {
      const found = await deps.repos.users.findCredentialsByUsername(username);
      if (!found || isSystemAccount(found)) return undefined;
      const operator: RequestContext = {
        actor: {
          ...toUserActor(found),
          id: 'cli',
          username: 'cli',
          role: isProvinceRole(found.role) ? 'province_admin' : 'admin',
          hamletIds: 'all',
        },
        requestId: 'cli',
      };
      await this.update(operator, found.id, { password });
      return found.username;
    },

    /** Users own history (announcements, audit rows), so deleting disables the account. */
    async remove(ctx: RequestContext, id: string): Promise<void> {
      await this.update(ctx, id, { disabled: true });
    },

    /**
     * The context of the commune's first admin, for the `loa` command: it runs on the server itself, as
     * its operator.
     */
    async operator(username: 'admin' | 'tinh' = 'admin'): Promise<RequestContext> {
      const admin = await deps.repos.users.findCredentialsByUsername(username);
      if (!admin) {
        throw conflict(
          `No user ${username} exists yet; run \`loa serve\` or \`loa seed\` once first.`,
          `Chưa có người dùng ${username}; hãy chạy \`loa serve\` hoặc \`loa seed\` một lần trước.`,
        );
      }
      return { actor: toUserActor(admin), requestId: 'cli' };
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
