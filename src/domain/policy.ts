import { hasCommuneScope, inScope, type Role, type UserActor } from './actor.js';
import { forbidden } from './errors.js';

/**
 * The one authorisation policy: which role may do what, and on which hamlets. Routes gate on the role
 * before any work; services check the hamlet scope of what they load or write with `assertAllowed`.
 */
const province = ['province_admin', 'province_officer'] as const;

export const permissions = {
  'commune.read': [...province, 'admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'commune.manage': ['admin'],
  'hamlet.read': [...province, 'admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'hamlet.manage': ['admin'],
  /** Which users each may manage: `managedRoles` in the users service. */
  'user.manage': ['province_admin', 'admin'],
  'receiver.read': [...province, 'admin', 'commune_officer', 'hamlet_head'],
  'receiver.manage': ['admin'],
  /** Remote control of the boxes: volume, mute, daily hours, refresh, restart, test tone. */
  'receiver.control': ['admin', 'commune_officer'],
  'announcement.read': [...province, 'admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'announcement.create': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'announcement.approve': ['admin', 'commune_officer'],
  /** Every role may withdraw, but only what it wrote (`assertMayWithdraw`); the office anything. */
  'announcement.withdraw': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'broadcast.read': [...province, 'admin', 'commune_officer', 'hamlet_head'],
  'broadcast.schedule': ['admin', 'commune_officer', 'hamlet_head'],
  'broadcast.emergency': ['admin', 'commune_officer'],
  'playback.read': [...province, 'admin', 'commune_officer', 'hamlet_head'],
  'report.read': [...province, 'admin', 'commune_officer', 'hamlet_head'],
  'audit.read': ['province_admin', 'admin'],
  /** The province's own pages and roll-ups of every commune. */
  'province.read': province,
  /** New communes and their first admin; machine tokens and webhooks of the province. */
  'province.manage': ['province_admin'],
  /** Bulletins sent down to the communes (Thông tư 39/2020: normal, priority, emergency). */
  'bulletin.issue': ['province_officer'],
  /** A commune's answer to a normal bulletin: schedule it or decline it, and its own language versions. */
  'bulletin.answer': ['admin', 'commune_officer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/**
 * What a commune-wide target (no hamlet: content from the commune office) is to every hamlet: something
 * it may read and schedule into its own hamlets. Changing or approving it stays with commune-wide roles.
 */
const sharedWithHamlets: ReadonlySet<Permission> = new Set(['announcement.read']);

const roleNamesVi: Record<Role, string> = {
  province_admin: 'quản trị viên tỉnh',
  province_officer: 'cán bộ tỉnh',
  admin: 'quản trị viên',
  commune_officer: 'cán bộ văn phòng xã',
  hamlet_head: 'trưởng thôn',
  secretary: 'bí thư chi đoàn',
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

/**
 * Whether `actor` may use `permission` on `hamlets`: `'commune'` for commune-wide targets, a list of
 * hamlet ids, or nothing when the action has no hamlet (then only the role counts).
 */
export function isAllowed(
  actor: UserActor,
  permission: Permission,
  hamlets?: 'commune' | readonly (string | null)[],
): boolean {
  if (!roleAllows(actor.role, permission)) return false;
  if (hamlets === undefined) return true;
  if (hamlets === 'commune') return hasCommuneScope(actor.role);
  const wholeCommune = hasCommuneScope(actor.role) || sharedWithHamlets.has(permission);
  return hamlets.every((id) => (id === null ? wholeCommune : inScope(actor, id)));
}

/**
 * Throws a 403 LoaError that says what is missing, in English and Vietnamese. `names` gives the hamlets'
 * names where the caller has them, so that a person reads "Thôn Nà Pồ", not its id.
 */
export function assertAllowed(
  actor: UserActor,
  permission: Permission,
  hamlets?: 'commune' | readonly (string | null)[],
  names: Readonly<Record<string, string>> = {},
): void {
  if (isAllowed(actor, permission, hamlets)) return;
  if (!roleAllows(actor.role, permission)) {
    throw forbidden(
      `The role ${actor.role} may not do this (${permission}).`,
      `Vai trò ${roleNamesVi[actor.role]} không được phép thực hiện thao tác này.`,
    );
  }
  const outside =
    hamlets === 'commune'
      ? ['toàn xã']
      : (hamlets ?? [])
          .filter((id) => id === null || !inScope(actor, id))
          .map((id) => (id === null ? 'toàn xã' : (names[id] ?? id)));
  throw forbidden(
    `This concerns hamlets outside your scope: ${outside.join(', ')}.`,
    `Thao tác này liên quan đến thôn ngoài phạm vi phụ trách của bạn: ${outside.join(', ')}.`,
  );
}

/**
 * Whether `actor` may withdraw this announcement: its author, while its hamlet is in her scope, or the
 * commune office, which answers for what airs.
 */
export function mayWithdraw(
  actor: UserActor,
  announcement: { readonly createdBy: string; readonly hamletId: string | null },
): boolean {
  if (isAllowed(actor, 'announcement.approve', [announcement.hamletId])) return true;
  return (
    announcement.createdBy === actor.id && isAllowed(actor, 'announcement.withdraw', [announcement.hamletId])
  );
}

/** Throws a 403 LoaError that says why, unless `mayWithdraw`. */
export function assertMayWithdraw(
  actor: UserActor,
  announcement: { readonly createdBy: string; readonly hamletId: string | null },
): void {
  if (mayWithdraw(actor, announcement)) return;
  // Out of scope, the refusal names the hamlets, as everywhere else.
  assertAllowed(actor, 'announcement.withdraw', [announcement.hamletId]);
  throw forbidden(
    'Only its author or the commune office may withdraw this announcement.',
    'Bạn không được phép rút lại thông báo này: chỉ người gửi hoặc văn phòng xã được rút lại.',
  );
}

/** The hamlet filter a list query must apply for this actor. */
export function readScope(actor: UserActor): 'all' | readonly string[] {
  return actor.hamletIds;
}
