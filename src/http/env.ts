import type { ReceiverActor, UserActor } from '../domain/actor.js';
import type { Logger } from '../domain/ports/logger.js';

export interface UserAuth {
  readonly actor: UserActor;
  readonly sessionId: string;
  readonly via: 'bearer' | 'cookie';
}

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    logger: Logger;
    auth: UserAuth | undefined;
    receiver: ReceiverActor | undefined;
    /** Scheme and host as the browser wrote them (`src/http/forwarded.ts`). */
    publicOrigin: string | undefined;
    /** The communes a province user's pages offer in the commune switcher (none for commune users). */
    communeChoices: readonly { readonly id: string; readonly name: string }[] | undefined;
  }
}

export const sessionCookie = 'loa_session';
export const csrfCookie = 'loa_csrf';
export const csrfHeader = 'x-csrf-token';
/** The commune province staff look at: a header for the API, a cookie for the pages (the switcher). */
export const communeHeader = 'x-loa-commune';
export const communeCookie = 'loa_commune';
