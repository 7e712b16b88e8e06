import type { Context, MiddlewareHandler } from 'hono';
import { assertAllowed, type Permission } from '../../domain/policy.js';
import type { RequestContext } from '../../domain/actor.js';
import { requireUser } from './auth.js';

/** Refuses, before any input is read, a caller without a session or whose role lacks `permission`. */
export const gate = (permission: Permission): MiddlewareHandler =>
  async function gate(c, next) {
    assertAllowed(requireUser(c).actor, permission);
    await next();
  };

/** The request context a service call needs: the signed-in user and the request id. */
export function requestContext(c: Context): RequestContext {
  return { actor: requireUser(c).actor, requestId: c.get('requestId') };
}
