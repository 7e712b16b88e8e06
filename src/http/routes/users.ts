import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { UserInputSchema, UserPatchSchema, type User } from '../../domain/user.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import {
  IdParam,
  jsonBody,
  jsonResponse,
  listOf,
  ListQuery,
  problemResponses,
  UserSchema,
  named,
} from '../schemas.js';

const UserInput = named(UserInputSchema, 'UserInput');
const UserPatch = named(UserPatchSchema, 'UserPatch');

const security = [{ Bearer: [] }];
const tags = ['Users'];

export const toUserDto = (u: User) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  hamletIds: [...u.hamletIds],
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

export function userRoutes(services: Services) {
  const app = new OpenAPIHono();
  const guard = [gate('user.manage')];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/users',
      tags,
      security,
      middleware: guard,
      description:
        'The staff of your commune (province admin: of the commune named by `X-Loa-Commune`); `of=province` lists the province staff (province admin only).',
      request: {
        query: ListQuery.extend({ of: z.enum(['commune', 'province']).default('commune') }),
      },
      responses: { 200: jsonResponse('Users', listOf(UserSchema)), ...problemResponses },
    }),
    async (c) => {
      const { of, ...page } = c.req.valid('query');
      const found = await services.users.list(requestContext(c), page, of);
      return c.json({ items: found.items.map(toUserDto), nextCursor: found.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/users',
      tags,
      security,
      middleware: guard,
      request: { body: jsonBody(UserInput) },
      responses: { 201: jsonResponse('Created', UserSchema), ...problemResponses },
    }),
    async (c) => c.json(toUserDto(await services.users.create(requestContext(c), c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/users/{id}',
      tags,
      security,
      middleware: guard,
      request: { params: IdParam },
      responses: { 200: jsonResponse('The user', UserSchema), ...problemResponses },
    }),
    async (c) => c.json(toUserDto(await services.users.get(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/users/{id}',
      tags,
      security,
      middleware: guard,
      description: 'Change display name, role and hamlet scope, reset the password, or disable/enable.',
      request: { params: IdParam, body: jsonBody(UserPatch) },
      responses: { 200: jsonResponse('Updated', UserSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        toUserDto(
          await services.users.update(requestContext(c), c.req.valid('param').id, c.req.valid('json')),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/users/{id}',
      tags,
      security,
      middleware: guard,
      request: { params: IdParam },
      responses: { 204: { description: 'Disabled; history stays' }, ...problemResponses },
    }),
    async (c) => {
      await services.users.remove(requestContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
