import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { LoginSchema, PasswordChangeSchema } from '../../domain/user.js';
import type { Services } from '../../services/index.js';
import { requireUser } from '../middleware/auth.js';
import { jsonBody, jsonResponse, problemResponses, UserSchema } from '../schemas.js';
import { clearSessionCookies, setSessionCookies } from '../session-cookies.js';
import { toUserDto } from './users.js';

const LoginResult = z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema });

export interface AuthRouteDeps {
  readonly services: Services;
  readonly clientIp: (c: Context) => string;
}

export function authRoutes({ services, clientIp }: AuthRouteDeps) {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tags: ['Auth'],
      request: { body: jsonBody(LoginSchema) },
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
      const session = await services.auth.login(c.req.valid('json'), {
        clientIp: clientIp(c),
        requestId: c.get('requestId'),
      });
      setSessionCookies(c, session);
      return c.json(
        { token: session.token, expiresAt: session.expiresAt, user: toUserDto(session.user) },
        200,
      );
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
      clearSessionCookies(c);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/auth/password',
      tags: ['Auth'],
      security: [{ Bearer: [] }],
      description:
        'The signed-in person changes their own password, giving the current one (a wrong one counts as a failed sign-in). Their other sessions end; this one stays open.',
      request: { body: jsonBody(PasswordChangeSchema) },
      responses: {
        204: { description: 'Changed' },
        ...problemResponses,
        429: { description: 'Too many attempts; see Retry-After' },
      },
    }),
    async (c) => {
      const auth = requireUser(c);
      await services.auth.changePassword(auth.actor, auth.sessionId, c.req.valid('json'), c.get('requestId'));
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
