import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiTokenInputSchema, MACHINE_SCOPES, type ApiToken } from '../../domain/api-token.js';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  WebhookEndpointInputSchema,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../domain/webhook.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { IdParam, jsonBody, jsonResponse, ListQuery, named, problemResponses } from '../schemas.js';

const security = [{ Bearer: [] }];
const tags = ['Province'];

const ApiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(MACHINE_SCOPES)),
    createdBy: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');

const EndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('WebhookEndpoint');

const AttemptSchema = z.object({
  attempt: z.number().int(),
  startedAt: z.string(),
  finishedAt: z
    .string()
    .nullable()
    .openapi({ description: 'null: no result was recorded (the process stopped)' }),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});

const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: 'Sent as `webhook-id`, the same on every attempt' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    attemptLog: z.array(AttemptSchema),
  })
  .openapi('WebhookDelivery');

const tokenDto = (t: ApiToken) => ({
  id: t.id,
  name: t.name,
  scopes: [...t.scopes],
  createdBy: t.createdBy,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

const endpointDto = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: [...e.events],
  description: e.description,
  createdBy: e.createdBy,
  createdAt: e.createdAt,
  disabledAt: e.disabledAt,
});

const deliveryDto = (d: WebhookDelivery) => ({
  id: d.id,
  eventId: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
  attemptLog: d.attemptLog.map((a) => ({ ...a })),
});

/** The province admin's machine tokens and webhook endpoints: the same services as `/tinh/ma-may` and `/tinh/webhook`. */
export function provinceIntegrationRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/tokens',
      tags,
      security,
      middleware: [gate('province.manage')],
      responses: {
        200: jsonResponse('Machine tokens, newest first', z.object({ items: z.array(ApiTokenSchema) })),
        ...problemResponses,
      },
    }),
    async (c) => c.json({ items: (await services.apiTokens.list(requestContext(c))).map(tokenDto) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/province/tokens',
      tags,
      security,
      middleware: [gate('province.manage')],
      description:
        'A machine token for a system of the province: with `scopes: ["export:read"]` (the default) it opens the export (`/api/v1/province/reports/v1/…`), with `["alerts:write"]` the door for CAP alerts (`POST /api/v1/alerts/cap`), and nothing else. The token is in this answer only; it is stored as a SHA-256 digest.',
      request: { body: jsonBody(named(ApiTokenInputSchema, 'ApiTokenInput')) },
      responses: {
        201: jsonResponse(
          'Created',
          z.object({
            token: ApiTokenSchema,
            secret: z.string().openapi({ description: 'The bearer token, `loa_mt_…`; shown only here' }),
          }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const made = await services.apiTokens.create(requestContext(c), c.req.valid('json'));
      return c.json({ token: tokenDto(made.token), secret: made.secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/province/tokens/{id}',
      tags,
      security,
      middleware: [gate('province.manage')],
      description: 'Revokes a machine token: its next request gets 401.',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Revoked', ApiTokenSchema),
        ...problemResponses,
        409: { description: 'Already revoked' },
      },
    }),
    async (c) =>
      c.json(tokenDto(await services.apiTokens.revoke(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/webhooks',
      tags,
      security,
      middleware: [gate('province.manage')],
      responses: {
        200: jsonResponse(
          'Webhook endpoints, newest first, with their deliveries pending a retry and failed for good',
          z.object({
            items: z.array(EndpointSchema.extend({ pending: z.number().int(), failed: z.number().int() })),
          }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const items = await services.webhooks.list(requestContext(c));
      return c.json(
        { items: items.map((e) => ({ ...endpointDto(e), pending: e.pending, failed: e.failed })) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/province/webhooks',
      tags,
      security,
      middleware: [gate('province.manage')],
      description:
        'An endpoint of the province’s operations centre for `events`. The URL must be https and reach a public address: one that is, or whose name resolves to, a private, loopback, link-local or otherwise local address is refused (422), unless the service runs with `WEBHOOK_ALLOW_PRIVATE=1`. The signing secret (`whsec_…`, Standard Webhooks) is in this answer only.',
      request: { body: jsonBody(named(WebhookEndpointInputSchema, 'WebhookEndpointInput')) },
      responses: {
        201: jsonResponse(
          'Registered',
          z.object({
            endpoint: EndpointSchema,
            secret: z.string().openapi({ description: 'The signing secret, `whsec_…`; shown only here' }),
          }),
        ),
        ...problemResponses,
        422: { description: 'A URL that is not https or leads into a local network' },
      },
    }),
    async (c) => {
      const made = await services.webhooks.register(requestContext(c), c.req.valid('json'));
      return c.json({ endpoint: endpointDto(made.endpoint), secret: made.secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/province/webhooks/{id}',
      tags,
      security,
      middleware: [gate('province.manage')],
      description: 'Disables an endpoint: nothing more is sent to it, retries included.',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Disabled', EndpointSchema),
        ...problemResponses,
        409: { description: 'Already disabled' },
      },
    }),
    async (c) =>
      c.json(endpointDto(await services.webhooks.disable(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/webhooks/{id}/deliveries',
      tags,
      security,
      middleware: [gate('province.manage')],
      description:
        'An endpoint’s deliveries, newest first, each with every attempt: time, status code, duration, error.',
      request: { params: IdParam, query: ListQuery },
      responses: {
        200: jsonResponse(
          'Deliveries',
          z.object({
            endpoint: EndpointSchema,
            items: z.array(DeliverySchema),
            nextCursor: z.string().nullable(),
          }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const found = await services.webhooks.deliveries(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('query'),
      );
      return c.json(
        {
          endpoint: endpointDto(found.endpoint),
          items: found.deliveries.items.map(deliveryDto),
          nextCursor: found.deliveries.nextCursor,
        },
        200,
      );
    },
  );

  return app;
}
