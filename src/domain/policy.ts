import { hasCommuneScope, inScope, type Role, type UserActor } from './actor.js';
import { forbidden } from './errors.js';

/**
 * The one authorisation policy: which role may do what, and on which hamlets. Routes gate on the role
 * before any work; services check the hamlet scope of what they load or write with `assertAllowed`.
 */
export const permissions = {
  'commune.read': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'commune.manage': ['admin'],
  'hamlet.read': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'hamlet.manage': ['admin'],
  'user.manage': ['admin'],
  'receiver.read': ['admin', 'commune_officer', 'hamlet_head'],
  'receiver.manage': ['admin'],
  'announcement.read': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'announcement.create': ['admin', 'commune_officer', 'hamlet_head', 'secretary'],
  'announcement.approve': ['admin', 'commune_officer'],
  'broadcast.read': ['admin', 'commune_officer', 'hamlet_head'],
  'broadcast.schedule': ['admin', 'commune_officer', 'hamlet_head'],
  'broadcast.emergency': ['admin', 'commune_officer'],
  'playback.read': ['admin', 'commune_officer', 'hamlet_head'],
  'report.read': ['admin', 'commune_officer', 'hamlet_head'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/**
 * What a commune-wide target (no hamlet: content from the commune office) is to every hamlet: something
 * it may read and schedule into its own hamlets. Changing or approving it stays with commune-wide roles.
 */
const sharedWithHamlets: ReadonlySet<Permission> = new Set(['announcement.read']);

const roleNamesVi: Record<Role, string> = {
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

/** The hamlet filter a list query must apply for this actor. */
export function readScope(actor: UserActor): 'all' | readonly string[] {
  return actor.hamletIds;
}
