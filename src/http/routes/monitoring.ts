import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { OCCURRENCE_STATUSES } from '../../domain/broadcast.js';
import { PRIORITIES } from '../../domain/schedule/index.js';
import { RECEIVER_PLAYBACK_STATUSES } from '../../domain/receiver/playback.js';
import type { Services } from '../../services/index.js';
import { coverageCsv, coverageCsvOptions } from '../coverage-csv.js';
import { gate, requestContext } from '../middleware/gate.js';
import { jsonResponse, problemResponses } from '../schemas.js';

const security = [{ Bearer: [] }];
const tags = ['Monitoring'];
const when = z
  .string()
  .max(40)
  .optional()
  .openapi({ description: 'ISO 8601 time, or a date YYYY-MM-DD meaning midnight in the commune' });
const OccurrenceStatus = z.enum(OCCURRENCE_STATUSES);

const PlaybackItem = z
  .object({
    id: z.string(),
    broadcastId: z.string(),
    hamletId: z.string(),
    startsAt: z.string(),
    durationMs: z.number().int(),
    priority: z.enum(PRIORITIES),
    slotName: z.string().nullable(),
    status: OccurrenceStatus,
    title: z.string(),
    receivers: z.array(
      z.object({
        receiverId: z.string(),
        name: z.string(),
        status: z.enum(RECEIVER_PLAYBACK_STATUSES),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        detail: z.string().nullable(),
      }),
    ),
  })
  .openapi('PlaybackOccurrence');

const CoverageSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    hamlets: z.array(
      z.object({
        hamletId: z.string(),
        hamletName: z.string(),
        scheduled: z.number().int(),
        played: z.number().int(),
        failed: z.number().int(),
        missed: z.number().int(),
        rate: z.number().nullable(),
      }),
    ),
  })
  .openapi('Coverage');

/** Monitoring for people: playback per receiver, coverage per hamlet (JSON or CSV). */
export function monitoringRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/playback',
      tags,
      security,
      middleware: [gate('playback.read')],
      description:
        'Occurrences (default: the last and next 24 h) with, per receiver of the hamlet, the status derived from its events: scheduled, playing, played, failed, missed.',
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
      return c.json(
        {
          items: page.items.map((o) => ({ ...o, receivers: [...o.receivers] })),
          nextCursor: page.nextCursor,
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
        'Per hamlet in your scope (default: the last 30 days): scheduled, played, failed, missed and rate = played / (played + failed + missed). Send `Accept: text/csv` for a spreadsheet (UTF-8 with BOM): columns `hamlet_id,hamlet,…` separated by commas; `sep=semicolon` for Excel set to Vietnam (`;`, decimal comma, Vietnamese column names), `header=vi|keys` to choose the column names.',
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
          description: 'Coverage per hamlet',
          content: { 'application/json': { schema: CoverageSchema }, 'text/csv': { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      const report = await services.reports.coverage(requestContext(c), { from, to });
      if (!/\btext\/csv\b/i.test(c.req.header('accept') ?? '')) {
        return c.json({ ...report, hamlets: report.hamlets.map((h) => ({ ...h })) }, 200);
      }
      return coverageCsv(c, report, coverageCsvOptions(c, 'keys')) as never;
    },
  );

  return app;
}
