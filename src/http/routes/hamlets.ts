import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { HamletInputSchema, HamletPatchSchema, type Hamlet } from '../../domain/hamlet.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import {
  HamletSchema,
  IdParam,
  jsonBody,
  jsonResponse,
  listOf,
  ListQuery,
  problemResponses,
  ProblemSchema,
  named,
} from '../schemas.js';

const HamletInput = named(HamletInputSchema, 'HamletInput');
const HamletPatch = named(HamletPatchSchema, 'HamletPatch');

const security = [{ Bearer: [] }];
const tags = ['Hamlets'];

const nameRule =
  "A hamlet's name is one in its commune, compared ignoring letter case, spaces around it and how its diacritics were typed: a name another live hamlet of the commune has is refused with 409, the problem's `errors` naming the field `name`.";
const nameTaken = {
  description: 'Another hamlet of the commune has the name',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

export const toHamletDto = (h: Hamlet) => ({ ...h, languages: [...h.languages] });

export function hamletRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hamlets',
      tags,
      security,
      middleware: [gate('hamlet.read')],
      request: { query: ListQuery },
      responses: { 200: jsonResponse('Hamlets in your scope', listOf(HamletSchema)), ...problemResponses },
    }),
    async (c) => {
      const page = await services.hamlets.list(requestContext(c), c.req.valid('query'));
      return c.json({ items: page.items.map(toHamletDto), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/hamlets',
      tags,
      security,
      middleware: [gate('hamlet.manage')],
      request: { body: jsonBody(HamletInput) },
      description: nameRule,
      responses: { 201: jsonResponse('Created', HamletSchema), ...problemResponses, 409: nameTaken },
    }),
    async (c) =>
      c.json(toHamletDto(await services.hamlets.create(requestContext(c), c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hamlets/{id}',
      tags,
      security,
      middleware: [gate('hamlet.read')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('The hamlet', HamletSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(toHamletDto(await services.hamlets.get(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/hamlets/{id}',
      tags,
      security,
      middleware: [gate('hamlet.manage')],
      request: { params: IdParam, body: jsonBody(HamletPatch) },
      description: nameRule,
      responses: { 200: jsonResponse('Updated', HamletSchema), ...problemResponses, 409: nameTaken },
    }),
    async (c) =>
      c.json(
        toHamletDto(
          await services.hamlets.update(requestContext(c), c.req.valid('param').id, c.req.valid('json')),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/hamlets/{id}',
      tags,
      security,
      middleware: [gate('hamlet.manage')],
      request: { params: IdParam },
      description:
        'Refused with 409 while receivers or users (disabled ones included) belong to the hamlet: move the receivers and give the users another hamlet first.',
      responses: {
        204: { description: 'Hidden; its history stays' },
        ...problemResponses,
        409: {
          description: 'Receivers or users still belong to it',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      await services.hamlets.remove(requestContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
