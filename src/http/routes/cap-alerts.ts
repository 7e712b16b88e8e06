import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_CAP_BYTES } from '../../domain/cap/alert.js';
import { CAP_ALERT_STATES, type CapCommuneItem } from '../../domain/cap/intake.js';
import { LoaError } from '../../domain/errors.js';
import type { CapQueueItem } from '../../domain/ports/repositories.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { machineAuth, machineContext } from '../middleware/machine-auth.js';
import { IdParam, jsonResponse, problemResponses, ProblemSchema } from '../schemas.js';

const State = z.enum(CAP_ALERT_STATES);

const IntakeSchema = z
  .object({
    id: z.string(),
    duplicate: z.boolean(),
    msgType: z.string(),
    level: z.enum(['emergency', 'priority', 'review', 'none']),
    signedBy: z
      .object({ subject: z.string(), fingerprint: z.string() })
      .nullable()
      .describe(
        'The trusted certificate whose key signed the alert (XML-DSig), or null when it was not signed',
      ),
    communes: z.array(z.object({ communeId: z.string(), hamletIds: z.array(z.string()), state: State })),
  })
  .openapi('CapIntake');

const ItemSchema = z
  .object({
    id: z.string(),
    alertId: z.string(),
    hamletIds: z.array(z.string()),
    state: State,
    announcementId: z.string().nullable(),
    eventId: z.string().nullable(),
    bulletinId: z.string().nullable(),
    broadcastId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('CapItem');

const QueueItemSchema = ItemSchema.extend({
  headline: z.string(),
  sender: z.string(),
  sent: z.string(),
  msgType: z.string(),
  level: z.enum(['emergency', 'priority', 'review', 'none']),
  expiresAt: z.string().nullable(),
}).openapi('CapQueueItem');

const itemDto = (i: CapCommuneItem) => ({
  id: i.id,
  alertId: i.alertId,
  hamletIds: [...i.hamletIds],
  state: i.state,
  announcementId: i.announcementId,
  eventId: i.eventId,
  bulletinId: i.bulletinId,
  broadcastId: i.broadcastId,
  createdAt: i.createdAt,
});
const queueDto = (i: CapQueueItem) => ({
  ...itemDto(i),
  headline: i.headline,
  sender: i.sender,
  sent: i.sent,
  msgType: i.msgType,
  level: i.level,
  expiresAt: i.expiresAt,
});

const CAP_TYPES = /^(application\/(cap\+xml|xml)|text\/xml)(\s*;|$)/i;
const tags = ['CAP alerts'];
const refused = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** CAP 1.2 alerts pushed by a province's system, and the commune's queue of what they became. */
export function capAlertRoutes(services: Services, clientIp: (c: Context) => string) {
  const app = new OpenAPIHono();
  const machine = machineAuth(services.apiTokens, clientIp, 'alerts:write');
  const limit = bodyLimit({
    maxSize: MAX_CAP_BYTES,
    onError: () => {
      throw new LoaError(
        413,
        'cap_too_large',
        `The CAP document is larger than ${MAX_CAP_BYTES / 1024} KB.`,
        `Bản tin CAP lớn hơn ${MAX_CAP_BYTES / 1024} KB.`,
      );
    },
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/alerts/cap',
      tags,
      security: [{ MachineToken: [] }],
      middleware: [machine, limit],
      description:
        'One CAP 1.2 alert (OASIS) as XML (`application/cap+xml`, `application/xml` or `text/xml`, at most 256 KB) with a machine token of the `alerts:write` scope. 202 with what it became in each commune it reaches; 200 `duplicate: true` for a message already received (same sender, identifier and sent). Refused documents leave nothing and are never read aloud.',
      request: {
        body: {
          required: true,
          content: { 'application/cap+xml': { schema: z.string().openapi({ format: 'xml' }) } },
        },
      },
      responses: {
        202: jsonResponse('Received: aired, queued for review, or recorded', IntakeSchema),
        200: jsonResponse('Already received', IntakeSchema),
        413: refused('Larger than 256 KB'),
        415: refused('Not an XML media type'),
        422: refused(
          "Not CAP 1.2: wrong namespace, off the schema, signed, expired, nothing to read; or an Update or Cancel naming another sender's alert (`cap_foreign_reference`)",
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!CAP_TYPES.test(type))
        throw new LoaError(
          415,
          'unsupported_media_type',
          `Send the CAP document as application/cap+xml (or application/xml, text/xml), not "${type || 'nothing'}".`,
          'Hãy gửi bản tin CAP dạng XML (application/cap+xml).',
        );
      const ctx = machineContext(c);
      const result = await services.capAlerts.intake(
        ctx.actor.provinceId,
        { via: 'push', actorCtx: ctx },
        await c.req.text(),
      );
      const body = {
        ...result,
        communes: result.communes.map((x) => ({ ...x, hamletIds: [...x.hamletIds] })),
      };
      return result.duplicate ? c.json(body, 200) : c.json(body, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/alerts/cap',
      tags,
      security: [{ Bearer: [] }],
      middleware: [gate('broadcast.read')],
      request: { query: z.object({ state: State.optional() }) },
      responses: {
        200: jsonResponse(
          "The commune's CAP alerts, newest first",
          z.object({ items: z.array(QueueItemSchema) }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const state = c.req.valid('query').state;
      const items = await services.capAlerts.list(requestContext(c), state ? [state] : undefined);
      return c.json({ items: items.map(queueDto) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/alerts/cap/{id}/air',
      tags,
      security: [{ Bearer: [] }],
      middleware: [gate('broadcast.emergency')],
      description:
        'Airs an alert of the review queue as a disaster bulletin, once its announcement is approved (attach a recording first as another language version if wanted).',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('On the air', ItemSchema),
        409: refused('Not waiting for review'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(itemDto(await services.capAlerts.airItem(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/alerts/cap/{id}/dismiss',
      tags,
      security: [{ Bearer: [] }],
      middleware: [gate('broadcast.emergency')],
      description:
        'Leaves an alert of the review queue unaired; one aired meanwhile (or otherwise no longer in review) answers 409.',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Dismissed', ItemSchema),
        409: refused('Not waiting for review'),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(itemDto(await services.capAlerts.dismissItem(requestContext(c), c.req.valid('param').id)), 200),
  );

  return app;
}
