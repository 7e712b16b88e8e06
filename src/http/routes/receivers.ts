import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ReceiverInputSchema, ReceiverPatchSchema } from '../../domain/receiver/receiver.js';
import type { Services } from '../../services/index.js';
import type { ReceiverView } from '../../services/receivers.service.js';
import { gate, requestContext } from '../middleware/gate.js';
import {
  IdParam,
  jsonBody,
  jsonResponse,
  listOf,
  ListQuery,
  problemResponses,
  ReceiverSchema,
  named,
} from '../schemas.js';

const ReceiverInput = named(ReceiverInputSchema, 'ReceiverInput');
const ReceiverPatch = named(ReceiverPatchSchema, 'ReceiverPatch');
const WithToken = z.object({
  receiver: ReceiverSchema,
  token: z.string().openapi({ description: 'Device bearer token; shown only this once' }),
});

const security = [{ Bearer: [] }];
const tags = ['Receivers'];

export const toReceiverDto = (r: ReceiverView) => ({
  id: r.id,
  hamletId: r.hamletId,
  name: r.name,
  disabled: r.disabledAt !== null,
  isExample: r.isExample,
  lastSeenAt: r.lastSeenAt,
  online: r.health.online,
  volume: r.health.volume,
  signal: r.health.signal,
  appVersion: r.health.appVersion,
  freeBytes: r.health.freeBytes,
  uptimeS: r.health.uptimeS,
  lastState: r.lastState ? { ...r.lastState } : null,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export function receiverRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receivers',
      tags,
      security,
      middleware: [gate('receiver.read')],
      request: { query: ListQuery.extend({ hamletId: z.string().max(100).optional() }) },
      responses: {
        200: jsonResponse('Receivers in your scope', listOf(ReceiverSchema)),
        ...problemResponses,
      },
    }),
    async (c) => {
      const page = await services.receivers.list(requestContext(c), c.req.valid('query'));
      return c.json({ items: page.items.map(toReceiverDto), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receivers',
      tags,
      security,
      middleware: [gate('receiver.manage')],
      request: { body: jsonBody(ReceiverInput) },
      responses: {
        201: jsonResponse('Created; keep the token, it is not shown again', WithToken),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { receiver, token } = await services.receivers.create(requestContext(c), c.req.valid('json'));
      return c.json({ receiver: toReceiverDto(receiver), token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receivers/{id}',
      tags,
      security,
      middleware: [gate('receiver.read')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('The receiver', ReceiverSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(toReceiverDto(await services.receivers.get(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/receivers/{id}',
      tags,
      security,
      middleware: [gate('receiver.manage')],
      request: { params: IdParam, body: jsonBody(ReceiverPatch) },
      responses: { 200: jsonResponse('Updated', ReceiverSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        toReceiverDto(
          await services.receivers.update(requestContext(c), c.req.valid('param').id, c.req.valid('json')),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receivers/{id}/rotate-token',
      tags,
      security,
      middleware: [gate('receiver.manage')],
      description: 'Issue a new device token; the old one stops working at once.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('New token, shown only this once', WithToken), ...problemResponses },
    }),
    async (c) => {
      const { receiver, token } = await services.receivers.rotateToken(
        requestContext(c),
        c.req.valid('param').id,
      );
      return c.json({ receiver: toReceiverDto(receiver), token }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/receivers/{id}',
      tags,
      security,
      middleware: [gate('receiver.manage')],
      request: { params: IdParam },
      responses: { 204: { description: 'Disabled; its token stops working' }, ...problemResponses },
    }),
    async (c) => {
      await services.receivers.remove(requestContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  return app;
}
