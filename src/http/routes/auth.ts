import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { LoaError } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import type { Clock, IdGenerator } from '../../domain/ports.js';
import { csrfCookie, sessionCookie } from '../env.js';
import { requireUser } from '../middleware/auth.js';
import { createRateLimiter } from '../middleware/rate-limit.js';
import { jsonBody, jsonResponse, problemResponses, UserSchema } from '../schemas.js';
import { toUserDto } from './users.js';

const LoginInput = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

const LoginResult = z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema });

export interface AuthRouteDeps {
  readonly services: Services;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly clientIp: (c: Context) => string;
}

const tooMany = (retryAfterS: number) =>
  new LoaError(
    429,
    'rate_limited',
    `Too many sign-in attempts. Try again in ${Math.ceil(retryAfterS / 60)} minute(s).`,
    `Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau ${Math.ceil(retryAfterS / 60)} phút.`,
    { retryAfterS },
  );

export function authRoutes({ services, clock, ids, clientIp }: AuthRouteDeps) {
  const app = new OpenAPIHono();
  // Failed attempts only: per username slows guessing one account from many addresses; per IP, one
  // address guessing many accounts.
  const perUser = createRateLimiter({ max: 5, windowMs: 15 * 60_000, clock });
  const perIp = createRateLimiter({ max: 20, windowMs: 15 * 60_000, clock });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tags: ['Auth'],
      request: { body: jsonBody(LoginInput) },
      responses: {
        200: jsonResponse(
          'Signed in; the token is also set as an HttpOnly cookie for the pages',
          LoginResult,
        ),
        ...problemResponses,
        429: { description: 'Too many attempts; see Retry-After' },
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const userKey = username.normalize('NFC').toLowerCase();
      const ip = clientIp(c);
      const wait = Math.max(perUser.retryAfterS(userKey), perIp.retryAfterS(ip));
      if (wait > 0) throw tooMany(wait);
      try {
        const result = await services.auth.login(username, password, c.get('requestId'));
        perUser.reset(userKey);
        const secure = new URL(c.req.url).protocol === 'https:';
        const expires = new Date(result.expiresAt);
        setCookie(c, sessionCookie, result.token, {
          httpOnly: true,
          sameSite: 'Lax',
          secure,
          path: '/',
          expires,
        });
        setCookie(c, csrfCookie, ids.token(), {
          httpOnly: false,
          sameSite: 'Lax',
          secure,
          path: '/',
          expires,
        });
        return c.json(
          { token: result.token, expiresAt: result.expiresAt, user: toUserDto(result.user) },
          200,
        );
      } catch (error) {
        perUser.hit(userKey);
        perIp.hit(ip);
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/logout',
      tags: ['Auth'],
      security: [{ Bearer: [] }],
      responses: { 204: { description: 'Session revoked' }, ...problemResponses },
    }),
    async (c) => {
      const auth = requireUser(c);
      await services.auth.logout(auth.actor, auth.sessionId, c.get('requestId'));
      deleteCookie(c, sessionCookie, { path: '/' });
      deleteCookie(c, csrfCookie, { path: '/' });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/auth/me',
      tags: ['Auth'],
      security: [{ Bearer: [] }],
      responses: { 200: jsonResponse('The signed-in user', UserSchema), ...problemResponses },
    }),
    async (c) => {
      return c.json(toUserDto(await services.auth.me(requireUser(c).actor)), 200);
    },
  );

  return app;
}
