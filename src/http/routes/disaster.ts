import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  BULLETIN_ENDS,
  BulletinRequestSchema,
  DisasterEventRequestSchema,
  EVENT_STATUSES,
  HAZARD_TYPES,
  RISK_LEVEL_COLOURS,
  type DisasterBulletin,
} from '../../domain/disaster.js';
import type { DisasterEventView } from '../../services/disaster.service.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import {
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  keyOf,
  named,
  problemResponses,
} from '../schemas.js';

const EventInput = named(DisasterEventRequestSchema, 'DisasterEventInput');
const BulletinInput = named(BulletinRequestSchema, 'DisasterBulletinInput');

const BulletinSchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    sequence: z.number().int(),
    announcementId: z.string(),
    title: z.string(),
    broadcastId: z.string(),
    riskLevel: z.number().int(),
    riskColour: z.string().openapi({ description: 'QĐ 18/2021 colour of the level, as #rrggbb' }),
    hazardType: z.enum(HAZARD_TYPES),
    agency: z.string(),
    issuedAt: z.string(),
    everyHours: z.number().int(),
    headerText: z.string(),
    hamletIds: z.array(z.string()),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    endReason: z.enum(BULLETIN_ENDS).nullable(),
  })
  .openapi('DisasterBulletin');

const PendingSchema = z
  .object({
    state: z.literal('waiting_for_header'),
    jobId: z.string(),
    eventId: z.string(),
    headerText: z.string(),
  })
  .openapi('DisasterBulletinPending');

const AiringSchema = z.object({
  hamletId: z.string(),
  lastAiredAt: z.string().nullable(),
  nextAt: z.string().nullable(),
});

const EventSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hazardType: z.enum(HAZARD_TYPES),
    status: z.enum(EVENT_STATUSES),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    bulletins: z.array(BulletinSchema.extend({ airings: z.array(AiringSchema) })),
  })
  .openapi('DisasterEvent');

const bulletinDto = (b: DisasterBulletin) => ({
  id: b.id,
  eventId: b.eventId,
  sequence: b.sequence,
  announcementId: b.announcementId,
  title: b.title,
  broadcastId: b.broadcastId,
  riskLevel: b.riskLevel,
  riskColour: RISK_LEVEL_COLOURS[b.riskLevel].background,
  hazardType: b.hazardType,
  agency: b.agency,
  issuedAt: b.issuedAt,
  everyHours: b.everyHours,
  headerText: b.headerText,
  hamletIds: [...b.hamletIds],
  createdAt: b.createdAt,
  endedAt: b.endedAt,
  endReason: b.endReason,
});

const eventDto = (e: DisasterEventView) => ({
  id: e.id,
  name: e.name,
  hazardType: e.hazardType,
  status: e.status,
  createdAt: e.createdAt,
  endedAt: e.endedAt,
  bulletins: e.bulletins.map((b) => ({
    ...bulletinDto(b),
    airings: b.airings.map((a) => ({ hamletId: a.hamletId, lastAiredAt: a.lastAiredAt, nextAt: a.nextAt })),
  })),
});

const security = [{ Bearer: [] }];
const tags = ['Disaster bulletins'];

/** Disaster events and their bulletins (QĐ 18/2021): presenters over the disaster service. */
export function disasterRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/disaster/events',
      tags,
      security,
      middleware: [gate('broadcast.emergency')],
      request: { headers: IdempotencyHeader, body: jsonBody(EventInput) },
      responses: { 201: jsonResponse('The event, with no bulletin yet', EventSchema), ...problemResponses },
    }),
    async (c) => {
      const event = await services.disaster.createEvent(
        requestContext(c),
        c.req.valid('json'),
        keyOf(c.req.valid('header')),
      );
      return c.json(eventDto({ ...event, bulletins: [] }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/disaster/events',
      tags,
      security,
      middleware: [gate('broadcast.read')],
      request: { query: z.object({ status: z.enum(EVENT_STATUSES).optional() }) },
      responses: {
        200: jsonResponse(
          'Events (newest first) with their bulletins and when each last aired per hamlet',
          z.object({ items: z.array(EventSchema) }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const events = await services.disaster.listEvents(requestContext(c), c.req.valid('query').status);
      return c.json({ items: events.map(eventDto) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/disaster/events/{id}',
      tags,
      security,
      middleware: [gate('broadcast.read')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('The event', EventSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(eventDto(await services.disaster.getEvent(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/disaster/events/{id}/bulletins',
      tags,
      security,
      middleware: [gate('broadcast.emergency')],
      description:
        'Puts a new bulletin of the event on the air: it replaces the bulletin on the air before it (whose future airings are cancelled) and repeats every `everyHours` hours on the hour (default 2), each airing preceded by a spoken header with its issue time.',
      request: { headers: IdempotencyHeader, params: IdParam, body: jsonBody(BulletinInput) },
      responses: {
        201: jsonResponse('On the air', BulletinSchema),
        202: jsonResponse(
          'Waiting for a processing node to speak its header (edge profile); it goes on the air, replacing the bulletin before it, as soon as the header is spoken',
          PendingSchema,
        ),
        409: {
          description: 'The event has ended',
          content: { 'application/problem+json': { schema: z.any() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const issued = await services.disaster.addBulletin(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json'),
        keyOf(c.req.valid('header')),
      );
      if (issued.state === 'on_air') return c.json(bulletinDto(issued.bulletin), 201);
      const { state, jobId, eventId, headerText } = issued;
      return c.json({ state, jobId, eventId, headerText }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/disaster/bulletins/{id}/end',
      tags,
      security,
      middleware: [gate('broadcast.emergency')],
      description: 'Takes a bulletin off the air: its future airings are cancelled and playing boxes stop.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('Ended', BulletinSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        bulletinDto(await services.disaster.endBulletin(requestContext(c), c.req.valid('param').id)),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/disaster/events/{id}/end',
      tags,
      security,
      middleware: [gate('broadcast.emergency')],
      description: 'Ends the event and every bulletin of it still on the air.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('Ended', EventSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(eventDto(await services.disaster.endEvent(requestContext(c), c.req.valid('param').id)), 200),
  );

  return app;
}
