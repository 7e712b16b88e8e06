import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Commune } from '../../domain/commune.js';
import { CommuneInputSchema } from '../../domain/province.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { IdParam, jsonBody, jsonResponse, named, problemResponses } from '../schemas.js';

const ProvinceSchema = z.object({ id: z.string(), code: z.string(), name: z.string() }).openapi('Province');

const CommuneSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    code: z.string(),
    provinceId: z.string(),
    timeZone: z.string(),
  })
  .openapi('CommuneSummary');

const Created = z.object({
  commune: CommuneSummary,
  admin: z
    .object({
      username: z.string(),
      password: z.string().openapi({ description: 'Generated; shown only in this answer' }),
    })
    .optional()
    .openapi({ description: 'The first admin, when the request named one' }),
});

const summary = (c: Commune) => ({
  id: c.id,
  name: c.name,
  code: c.code,
  provinceId: c.provinceId,
  timeZone: c.timeZone,
});

const security = [{ Bearer: [] }];
const tags = ['Province'];

/**
 * The province's own resources: the province, its communes, new communes. Province staff look at one
 * commune's resources through the other routes, naming it in the `X-Loa-Commune` header.
 */
export function provinceRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province',
      tags,
      security,
      middleware: [gate('province.read')],
      responses: { 200: jsonResponse('Your province', ProvinceSchema), ...problemResponses },
    }),
    async (c) => c.json({ ...(await services.communes.province(requestContext(c))) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/communes',
      tags,
      security,
      middleware: [gate('province.read')],
      responses: {
        200: jsonResponse('The communes of your province', z.object({ items: z.array(CommuneSummary) })),
        ...problemResponses,
      },
    }),
    async (c) => c.json({ items: (await services.communes.list(requestContext(c))).map(summary) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/communes/{id}',
      tags,
      security,
      middleware: [gate('province.read')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('A commune of your province', CommuneSummary), ...problemResponses },
    }),
    async (c) =>
      c.json(summary(await services.communes.inProvince(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/communes',
      tags,
      security,
      middleware: [gate('province.manage')],
      description:
        'A new commune of the province, with its first admin when `admin` is given, whose generated password is shown only in this answer. The code must be new to the province, deleted communes included (409).',
      request: { body: jsonBody(named(CommuneInputSchema, 'CommuneInput')) },
      responses: {
        201: jsonResponse('Created', Created),
        ...problemResponses,
        409: { description: 'The id, code or admin username is taken' },
      },
    }),
    async (c) => {
      const created = await services.communes.create(requestContext(c), c.req.valid('json'));
      return c.json(
        { commune: summary(created.commune), ...(created.admin && { admin: created.admin }) },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/communes/{id}',
      tags,
      security,
      middleware: [gate('province.manage')],
      description:
        'Deletes (hides) a commune: its users can no longer sign in, its receivers are refused, it leaves every list; its history is kept. The commune the province staff belong to cannot be deleted (409).',
      request: { params: IdParam },
      responses: {
        204: { description: 'Deleted' },
        ...problemResponses,
        409: { description: "The commune the province's staff belong to" },
      },
    }),
    async (c) => {
      await services.communes.remove(requestContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
