import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Services } from '../../services/index.js';
import { coverageCsv, coverageCsvOptions } from '../coverage-csv.js';
import { gate, requestContext } from '../middleware/gate.js';
import { IdParam, jsonResponse, problemResponses } from '../schemas.js';
import {
  BroadcastPlaybackSchema,
  CoverageSchema,
  OccurrenceStatus,
  PlaybackItem,
  playbackDto,
  ReachSchema,
  TimelineSchema,
  when,
} from './monitoring-schemas.js';

const security = [{ Bearer: [] }];
const tags = ['Monitoring'];
const statuses =
  'scheduled, playing, played, failed, missed (no report after the grace of 10 min although the receiver was heard from), offline (no report, and no heartbeat from 2 min before the start to the end of the grace) or interrupted (the receiver was told to stop: `interruption` says why; no failure of the box)';

/** Monitoring for people: playback per receiver, coverage per receiver and hamlet (JSON or CSV). */
export function monitoringRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/playback',
      tags,
      security,
      middleware: [gate('playback.read')],
      description: `Occurrences (default: the last and next 24 h) with, per receiver expected to air them (of the hamlet, existing and enabled when they started), the status derived from its events and heartbeats: ${statuses}; the times it started and ended, and the SHA-256 of the audio it played.`,
      request: {
        query: z.strictObject({
          hamletId: z.string().max(100).optional(),
          from: when,
          to: when,
          status: OccurrenceStatus.optional(),
          cursor: z.string().max(300).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: jsonResponse(
          'Occurrences with receiver status',
          z.object({ items: z.array(PlaybackItem), nextCursor: z.string().nullable() }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const page = await services.monitoring.playback(requestContext(c), c.req.valid('query'));
      return c.json({ items: page.items.map(playbackDto), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/playback/{id}',
      tags,
      security,
      middleware: [gate('playback.read')],
      description: `One occurrence with every receiver expected to air it: ${statuses}.`,
      request: { params: IdParam },
      responses: { 200: jsonResponse('The occurrence', PlaybackItem), ...problemResponses },
    }),
    async (c) => {
      const found = await services.monitoring.occurrence(requestContext(c), c.req.valid('param').id);
      return c.json(playbackDto(found), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/broadcasts/{id}/playback',
      tags,
      security,
      middleware: [gate('playback.read')],
      description: `A broadcast's occurrences in your hamlets (the latest 200, in airing order), each with every receiver's status (${statuses}), times and audio SHA-256.`,
      request: { params: IdParam },
      responses: { 200: jsonResponse('The broadcast', BroadcastPlaybackSchema), ...problemResponses },
    }),
    async (c) => {
      const found = await services.monitoring.broadcast(requestContext(c), c.req.valid('param').id);
      const b = found.broadcast;
      return c.json(
        {
          id: b.id,
          title: found.title,
          priority: b.priority,
          hamletIds: [...b.hamletIds],
          createdAt: b.createdAt,
          cancelledAt: b.cancelledAt,
          occurrences: found.occurrences.map(playbackDto),
          truncated: found.truncated,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/broadcasts/{id}/reach',
      tags,
      security,
      middleware: [gate('playback.read')],
      description:
        'How far a broadcast\'s first airing (an emergency\'s "now") reached in your hamlets: receivers expected, those online when it was sent (a heartbeat in the 2 min before), those that reported starting it, and the others by name with their status. Small, for the emergency page to poll.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('Reach of the first airing', ReachSchema), ...problemResponses },
    }),
    async (c) => {
      const reach = await services.monitoring.reach(requestContext(c), c.req.valid('param').id);
      return c.json(
        { ...reach, notStarted: reach.notStarted.map((r) => ({ ...r, sha256s: [...r.sha256s] })) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receivers/{id}/timeline',
      tags,
      security,
      middleware: [gate('playback.read')],
      description:
        "One receiver's local day: its online and offline stretches from its heartbeats (each keeps it online for 2 min) and its playback of every occurrence of its hamlet that day.",
      request: {
        params: IdParam,
        query: z.strictObject({
          date: z
            .string()
            .max(20)
            .openapi({ description: 'Local date YYYY-MM-DD in the commune (default: today)' })
            .optional(),
        }),
      },
      responses: { 200: jsonResponse("The receiver's day", TimelineSchema), ...problemResponses },
    }),
    async (c) => {
      const ctx = requestContext(c);
      const date = c.req.valid('query').date ?? (await services.monitoring.today(ctx));
      const day = await services.monitoring.receiverDay(ctx, c.req.valid('param').id, date);
      return c.json(
        {
          ...day,
          spans: [...day.spans],
          items: day.items.map((i) => ({
            occurrence: i.occurrence,
            playback: { ...i.playback, sha256s: [...i.playback.sha256s] },
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/reports/coverage',
      tags,
      security,
      middleware: [gate('report.read')],
      description:
        'Coverage in your scope (default: the last 30 days), counted per receiver: each receiver expected to air an occurrence is one airing, and once its outcome is known it is played, failed, missed or offline; rate = played / expected. An airing the box cut short because it was told to (an emergency, the item taken off the air, a stop) is counted apart as `interrupted`, neither failed nor expected. `receivers` has one row per receiver and hamlet: an airing counts under the hamlet the box was in when it aired, so a box moved in the range has a row in each. `hamlets` adds up the rows of its receivers beside the number of occurrences scheduled there. Send `Accept: text/csv` for a spreadsheet (UTF-8 with BOM) with both levels: columns `level,hamlet_id,hamlet,…,rate,interrupted` separated by commas; `sep=semicolon` for Excel set to Vietnam (`;`, decimal comma, Vietnamese column names), `header=vi|keys` to choose the column names.',
      request: {
        query: z.strictObject({
          from: when,
          to: when,
          sep: z
            .enum(['comma', 'semicolon'])
            .optional()
            .openapi({ description: 'CSV only: `semicolon` for Excel in Vietnam (`;` and decimal commas)' }),
          header: z
            .enum(['keys', 'vi'])
            .optional()
            .openapi({ description: 'CSV only: column names for programs (`keys`) or in Vietnamese (`vi`)' }),
        }),
      },
      responses: {
        200: {
          description: 'Coverage per receiver and per hamlet',
          content: { 'application/json': { schema: CoverageSchema }, 'text/csv': { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      const report = await services.reports.coverage(requestContext(c), { from, to });
      if (!/\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
        return c.json(
          {
            ...report,
            hamlets: report.hamlets.map((h) => ({ ...h })),
            receivers: report.receivers.map((r) => ({ ...r })),
          },
          200,
        );
      }
      return coverageCsv(c, report, coverageCsvOptions(c, 'keys')) as never;
    },
  );

  return app;
}
