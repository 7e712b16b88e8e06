/** Roles of DESIGN.md "Who uses it". */
export const roles = ['admin', 'commune_officer', 'hamlet_head', 'secretary'] as const;
export type Role = (typeof roles)[number];

/**
 * Who is acting. `hamletIds` is the user's hamlet scope (thôn phụ trách); admins and commune officers act
 * on the whole commune, so their scope is `'all'`.
 */
export interface UserActor {
  readonly kind: 'user';
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly communeId: string;
  readonly hamletIds: 'all' | readonly string[];
}

export interface ReceiverActor {
  readonly kind: 'receiver';
  readonly id: string;
  readonly hamletId: string;
}

export type Actor = UserActor | ReceiverActor;

/** Commune-wide roles see and act on every hamlet of their commune. */
export function hasCommuneScope(role: Role): boolean {
  return role === 'admin' || role === 'commune_officer';
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
