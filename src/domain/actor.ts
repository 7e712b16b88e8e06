/** The roles of a commune's staff (DESIGN.md "Who uses it"). */
export const COMMUNE_ROLES = ['admin', 'commune_officer', 'hamlet_head', 'secretary'] as const;
/** The province's staff: they see every commune of the province and issue bulletins, change none. */
export const PROVINCE_ROLES = ['province_admin', 'province_officer'] as const;
/** Roles of DESIGN.md "Who uses it". */
export const roles = [...PROVINCE_ROLES, ...COMMUNE_ROLES] as const;
export type Role = (typeof roles)[number];
export type ProvinceRole = (typeof PROVINCE_ROLES)[number];

/**
 * Who is acting. `communeId` is the commune the request acts in: a commune user's own, or the one a
 * province user is looking at (a tenant is never crossed otherwise). `hamletIds` is the user's hamlet
 * scope (thôn phụ trách); admins, commune officers and province staff act on the whole commune, so
 * their scope is `'all'`.
 */
export interface UserActor {
  readonly kind: 'user';
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly provinceId: string;
  readonly communeId: string;
  readonly hamletIds: 'all' | readonly string[];
}

export interface ReceiverActor {
  readonly kind: 'receiver';
  readonly id: string;
  readonly hamletId: string;
}

/**
 * A provincial information-source system pulling the province's reports with a machine token (mã máy):
 * it reads the province's export and nothing else. `id` is the token's.
 */
export interface MachineActor {
  readonly kind: 'machine';
  readonly id: string;
  readonly provinceId: string;
  readonly name: string;
  /** What the token opens (`export:read`, `alerts:write`). */
  readonly scopes: readonly string[];
}

export type Actor = UserActor | ReceiverActor | MachineActor;

/** Commune-wide roles see every hamlet of their commune (province staff: of the commune they look at). */
export function hasCommuneScope(role: Role): boolean {
  return role === 'admin' || role === 'commune_officer' || isProvinceRole(role);
}

export function isProvinceRole(role: Role): role is ProvinceRole {
  return (PROVINCE_ROLES as readonly Role[]).includes(role);
}

export function inScope(actor: UserActor, hamletId: string): boolean {
  return actor.hamletIds === 'all' || actor.hamletIds.includes(hamletId);
}

/** Who asks, and the request id that ties audit rows to log lines. */
export interface RequestContext<A extends Actor = UserActor> {
  readonly actor: A;
  readonly requestId: string | null;
}

export const systemContext = { actor: null, requestId: null } as const;
