import type { MachineActor, RequestContext } from '../domain/actor.js';
import {
  isMachineToken,
  MACHINE_TOKEN_PREFIX,
  type ApiToken,
  type ApiTokenInput,
} from '../domain/api-token.js';
import { conflict, LoaError, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import { hashToken, type IdGenerator } from '../domain/ports/ids.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';
import { createRateLimiter } from './rate-limiter.js';

interface Deps {
  readonly repos: Pick<Repositories, 'apiTokens' | 'rateLimits'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Requests a machine token may make per minute: a system pulling the export every few minutes needs few. */
export const MACHINE_REQUESTS_PER_MINUTE = 120;
/** Requests with an unknown or revoked machine token an address may make per 15 minutes. */
export const MACHINE_FAILURES_PER_ADDRESS = 20;

const refused = new LoaError(
  401,
  'machine_unauthenticated',
  `The province's export needs "Authorization: Bearer ${MACHINE_TOKEN_PREFIX}…": a machine token the province admin creates under /tinh/ma-may or POST /api/v1/province/tokens. A revoked token, or a person's sign-in token, is not accepted here.`,
  'Dữ liệu xuất của tỉnh chỉ đọc được bằng mã máy (do quản trị viên tỉnh cấp). Mã đã thu hồi hoặc mã đăng nhập của người dùng không dùng được ở đây.',
);

const tooMany = (retryAfterS: number) =>
  new LoaError(
    429,
    'rate_limited',
    `Too many requests with this machine token; try again in ${retryAfterS} s.`,
    `Quá nhiều yêu cầu với mã máy này; hãy thử lại sau ${retryAfterS} giây.`,
    { retryAfterS },
  );

/**
 * Machine tokens (mã máy) of the province: the province admin creates one for its information-source
 * system (shown once, stored as a SHA-256 digest), lists and revokes them; each creation and revocation
 * is audited. The export authenticates with `authenticate`, which also rate-limits.
 */
export function createApiTokensService(deps: Deps) {
  const { clock } = deps;
  const store = deps.repos.rateLimits;
  const perToken = createRateLimiter({
    max: MACHINE_REQUESTS_PER_MINUTE,
    windowMs: 60_000,
    clock,
    store,
    scope: 'token',
  });
  const failures = createRateLimiter({
    max: MACHINE_FAILURES_PER_ADDRESS,
    windowMs: 15 * 60_000,
    clock,
    store,
    scope: 'token-failures',
  });

  // When this process last recorded each token's use: a system paging through the export writes once.
  const touched = new Map<string, number>();

  return {
    /** A new machine token of the caller's province; the token itself is in this answer only. */
    async create(ctx: RequestContext, input: ApiTokenInput): Promise<{ token: ApiToken; secret: string }> {
      assertAllowed(ctx.actor, 'province.manage');
      const secret = `${MACHINE_TOKEN_PREFIX}${deps.ids.token()}`;
      const tokenHash = await hashToken(secret);
      const id = deps.ids.id();
      const token = await deps.tx(async (r) => {
        await r.apiTokens.insertApiToken(
          {
            id,
            provinceId: ctx.actor.provinceId,
            name: input.name,
            scopes: input.scopes,
            tokenHash,
            createdBy: ctx.actor.id,
          },
          clock.now().toISOString(),
        );
        await deps.audit.record(r, {
          ...ctx,
          action: 'api_token.create',
          targetType: 'api_token',
          targetId: id,
          details: { name: input.name },
        });
        return (await r.apiTokens.findApiToken(ctx.actor.provinceId, id))!;
      });
      return { token, secret };
    },

    /** The province's machine tokens, newest first, revoked ones too. */
    list(ctx: RequestContext): Promise<readonly ApiToken[]> {
      assertAllowed(ctx.actor, 'province.manage');
      return deps.repos.apiTokens.listApiTokens(ctx.actor.provinceId);
    },

    /** Revokes a token of the province: its next request gets 401. Revoking it again is a 409. */
    async revoke(ctx: RequestContext, id: string): Promise<ApiToken> {
      assertAllowed(ctx.actor, 'province.manage');
      return deps.tx(async (r) => {
        const token = await r.apiTokens.findApiToken(ctx.actor.provinceId, id);
        if (!token) throw notFound('Machine token', id, 'mã máy');
        if (!(await r.apiTokens.revokeApiToken(ctx.actor.provinceId, id, clock.now().toISOString()))) {
          throw conflict(
            `The machine token "${token.name}" was already revoked.`,
            `Mã máy "${token.name}" đã bị thu hồi trước đó.`,
          );
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'api_token.revoke',
          targetType: 'api_token',
          targetId: id,
          details: { name: token.name },
        });
        return (await r.apiTokens.findApiToken(ctx.actor.provinceId, id))!;
      });
    },

    /**
     * The machine behind a bearer token on the export, or 401; 429 past the token's rate, or once an
     * address has sent too many unknown tokens (a live token is still let through from there: it is not
     * a guess). Nothing is cached: a revoked token is refused at once. A use is recorded at most once a
     * minute per token.
     */
    async authenticate(bearer: string | undefined, clientIp: string): Promise<MachineActor> {
      const found =
        bearer && isMachineToken(bearer)
          ? await deps.repos.apiTokens.findLiveApiToken(await hashToken(bearer))
          : undefined;
      if (!found) {
        // Counted as it comes and checked after, so that a burst of guesses is held to the limit too.
        const wait = await failures.hit(clientIp);
        throw wait > 0 ? tooMany(wait) : refused;
      }
      const retry = await perToken.hit(found.id);
      if (retry > 0) throw tooMany(retry);
      const now = clock.now().getTime();
      if ((touched.get(found.id) ?? Number.NEGATIVE_INFINITY) <= now - 60_000) {
        if (touched.size >= 10_000) touched.clear();
        touched.set(found.id, now);
        await deps.repos.apiTokens.touchApiToken(
          found.id,
          new Date(now).toISOString(),
          new Date(now - 60_000).toISOString(),
        );
      }
      return {
        kind: 'machine',
        id: found.id,
        provinceId: found.provinceId,
        name: found.name,
        scopes: found.scopes,
      };
    },
  };
}

export type ApiTokensService = ReturnType<typeof createApiTokensService>;
