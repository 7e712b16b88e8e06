import type { Context, MiddlewareHandler } from 'hono';
import type { MachineActor, RequestContext } from '../../domain/actor.js';
import type { MachineScope } from '../../domain/api-token.js';
import { LoaError } from '../../domain/errors.js';
import type { ApiTokensService } from '../../services/api-tokens.service.js';
import { bearerToken } from './auth.js';

declare module 'hono' {
  interface ContextVariableMap {
    machine: MachineActor | undefined;
  }
}

/**
 * The export's door: a machine token (`Authorization: Bearer loa_mt_…`) of a live token, or 401 — a
 * person's session, by token or cookie, does not open it. Rate-limited per token and, for unknown
 * tokens, per address (429 with `Retry-After`).
 */
export const machineAuth = (
  tokens: Pick<ApiTokensService, 'authenticate'>,
  clientIp: (c: Context) => string,
  scope: MachineScope = 'export:read',
): MiddlewareHandler =>
  async function machineAuth(c, next) {
    const machine = await tokens.authenticate(bearerToken(c), clientIp(c));
    // A token opens what it was made for: the export, or the door for alerts, never both by accident.
    if (!machine.scopes.includes(scope))
      throw new LoaError(
        403,
        'scope_missing',
        `This machine token does not open ${scope}; the province admin can make one that does (scopes: ["${scope}"]).`,
        `Mã máy này không có quyền ${scope}; quản trị viên tỉnh cần cấp mã máy có quyền này.`,
      );
    c.set('machine', machine);
    await next();
  };

/** The export's request context: the machine and the request id. */
export function machineContext(c: Context): RequestContext<MachineActor> {
  const machine = c.get('machine');
  if (!machine) throw new Error('machineAuth must run before the machine routes');
  return { actor: machine, requestId: c.get('requestId') };
}
