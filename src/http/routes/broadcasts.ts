import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { BroadcastRequestSchema, OCCURRENCE_STATUSES, SkipRequestSchema } from '../../domain/broadcast.js';
import { instantMs, PRIORITIES } from '../../domain/schedule/index.js';
import type { BroadcastView } from '../../services/broadcasts.service.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import {
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  keyOf,
  listOf,
  ListQuery,
  problemResponses,
  ProblemSchema,
  named,
} from '../schemas.js';

const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO 8601 time with an offset, e.g. "2026-12-01T06:00:00+07:00"',
  )
  .refine((value) => !Number.isNaN(instantMs(value)), 'is not a real date and time');
const Priority = z.enum(PRIORITIES);
const BroadcastInput = named(BroadcastRequestSchema, 'BroadcastInput');
const SkipInput = named(SkipRequestSchema, 'SkipInput');

const Refused = ProblemSchema.extend({
  conflicts: z
    .array(
      z.object({
        id: z.string().nullable(),
        broadcastId: z.string(),
        hamletId: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
        priority: Priority,
        title: z.string(),
      }),
    )
    .optional(),
  suggestion: z
    .object({ at: z.string() })
    .optional()
    .openapi({ description: 'An exact time refused: the next free time after it that fits, within 2 days' }),
}).openapi('SchedulingProblem');

const AiringCancelled = z.object({
  cancelledOccurrences: z.number().int(),
  skipped: z.number().int(),
});

const OccurrenceParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
  occurrenceId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'occurrenceId', in: 'path' } }),
});

const OccurrenceSchema = z.object({
  id: z.string(),
  hamletId: z.string(),
  at: z.string(),
  durationMs: z.number().int(),
  slot: z.string().nullable(),
});

const Created = z.object({
  id: z.string(),
  occurrences: z.array(OccurrenceSchema),
  displaced: z.array(z.object({ id: z.string(), hamletId: z.string(), at: z.string(), title: z.string() })),
});

const BroadcastSchema = z
  .object({
    id: z.string(),
    announcementId: z.string().nullable(),
    relay: z.object({ url: z.string(), durationS: z.number() }).nullable(),
    hamletIds: z.array(z.string()),
    schedule: z.record(z.string(), z.unknown()),
    priority: Priority,
    createdBy: z.string(),
    createdAt: z.string(),
    cancelledAt: z.string().nullable(),
    skips: z.array(z.object({ hamletId: z.string(), at: z.string() })),
    occurrences: z.array(
      OccurrenceSchema.extend({
        status: z.enum(OCCURRENCE_STATUSES),
        title: z.string(),
      }),
    ),
  })
  .openapi('Broadcast');

const toDto = (b: BroadcastView) => ({
  id: b.id,
  announcementId: b.announcementId,
  relay: b.relay ? { ...b.relay } : null,
  hamletIds: [...b.hamletIds],
  schedule: { ...b.schedule },
  priority: b.priority,
  createdBy: b.createdBy,
  createdAt: b.createdAt,
  cancelledAt: b.cancelledAt,
  skips: b.skips.map((k) => ({ ...k })),
  occurrences: b.occurrences.map((o) => ({
    id: o.id,
    hamletId: o.hamletId,
    at: o.startsAt,
    durationMs: o.durationMs,
    slot: o.slotName,
    status: o.status,
    title: o.title,
  })),
});

const security = [{ Bearer: [] }];
const tags = ['Broadcasts'];
const refusals = {
  409: {
    description:
      'Overlaps an item of equal or higher priority: `conflicts` names them, `suggestion.at` is the next free time',
    content: { 'application/problem+json': { schema: Refused } },
  },
  422: {
    description: 'Quiet hours (with `suggestion.at`), full slot, content not ready or approved, bad schedule',
    content: { 'application/problem+json': { schema: Refused } },
  },
};

export function broadcastRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/broadcasts',
      tags,
      security,
      middleware: [gate('broadcast.schedule')],
      request: { headers: IdempotencyHeader, body: jsonBody(BroadcastInput) },
      responses: {
        201: jsonResponse(
          'Scheduled, with the occurrences created; sent again under its `Idempotency-Key`, the first booking with the header `Idempotent-Replayed: true` (its airings as they stand, `displaced` empty)',
          Created,
        ),
        ...problemResponses,
        ...refusals,
      },
    }),
    async (c) => {
      const scheduled = await services.broadcasts.schedule(
        requestContext(c),
        c.req.valid('json'),
        keyOf(c.req.valid('header')),
      );
      if (scheduled.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(
        {
          id: scheduled.id,
          occurrences: scheduled.occurrences.map((o) => ({ ...o })),
          displaced: scheduled.displaced.map((d) => ({ ...d })),
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/broadcasts',
      tags,
      security,
      middleware: [gate('broadcast.read')],
      request: {
        query: ListQuery.extend({
          hamletId: z.string().max(100).optional(),
          from: instant.optional(),
          to: instant.optional(),
        }),
      },
      responses: {
        200: jsonResponse('Broadcasts with occurrences in your scope', listOf(BroadcastSchema)),
        ...problemResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await services.broadcasts.list(requestContext(c), {
        ...q,
        from: q.from && new Date(q.from).toISOString(),
        to: q.to && new Date(q.to).toISOString(),
      });
      return c.json({ items: page.items.map(toDto), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/broadcasts/{id}',
      tags,
      security,
      middleware: [gate('broadcast.read')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('The broadcast', BroadcastSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(toDto(await services.broadcasts.get(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/broadcasts/{id}',
      tags,
      security,
      middleware: [gate('broadcast.schedule')],
      description: 'Cancels occurrences that have not started; past ones stay for the record.',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Cancelled', z.object({ cancelledOccurrences: z.number().int() })),
        ...problemResponses,
      },
    }),
    async (c) => c.json(await services.broadcasts.cancel(requestContext(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/broadcasts/{id}/occurrences/{occurrenceId}',
      tags,
      security,
      middleware: [gate('broadcast.schedule')],
      description:
        'Cancels one occurrence that has not started ("only this airing"); the rest of the broadcast stays.',
      request: { params: OccurrenceParams },
      responses: {
        200: jsonResponse('Cancelled', AiringCancelled),
        409: {
          description: 'It has started, passed or is cancelled',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { id, occurrenceId } = c.req.valid('param');
      return c.json(await services.broadcasts.cancelOccurrence(requestContext(c), id, occurrenceId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/broadcasts/{id}/skips',
      tags,
      security,
      middleware: [gate('broadcast.schedule')],
      description:
        "Leaves out one airing of a series, named by the start its rule gives it (`at`: the cron run, or the slot's opening that day), on `hamletIds` (default: all of the series' hamlets). An airing already materialised is cancelled; a later one is kept in the broadcast's `skips`, so the dispatcher never creates it.",
      request: { params: IdParam, body: jsonBody(SkipInput) },
      responses: {
        200: jsonResponse('Left out', AiringCancelled),
        409: {
          description: 'The series is cancelled',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
        422: {
          description: 'Not a series, no airing at that time, or past',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        await services.broadcasts.skipAiring(requestContext(c), c.req.valid('param').id, c.req.valid('json')),
        200,
      ),
  );

  return app;
}
