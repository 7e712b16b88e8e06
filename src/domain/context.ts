import type { Actor, UserActor } from './actor.js';

/** Who asks, and the request id that ties audit rows to log lines. */
export interface RequestContext<A extends Actor = UserActor> {
  readonly actor: A;
  readonly requestId: string | null;
}

export const systemContext = { actor: null, requestId: null } as const;
