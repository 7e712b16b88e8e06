import { DELIVERY_STATUSES } from '../../domain/bulletin.js';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { PRIORITIES } from '../../domain/schedule/types.js';
import type { Services } from '../../services/index.js';
import { csvOptionsOf } from '../csv.js';
import { gate, requestContext } from '../middleware/gate.js';
import { airTimeCsv, rollupCsv } from '../province-csv.js';
import { problemResponses } from '../schemas.js';

const security = [{ Bearer: [] }];
const tags = ['Province'];

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .optional()
  .openapi({ example: '2026-11-01' });

const Query = z.strictObject({
  from: localDate.openapi({ description: 'First local date (default: the first of this month)' }),
  to: localDate.openapi({ description: 'Last local date, included (default: today)' }),
  sep: z
    .enum(['comma', 'semicolon'])
    .optional()
    .openapi({ description: 'CSV only: `semicolon` for Excel in Vietnam (`;` and decimal commas)' }),
  header: z
    .enum(['keys', 'vi'])
    .optional()
    .openapi({ description: 'CSV only: column names for programs (`keys`) or in Vietnamese (`vi`)' }),
});

const Airings = {
  expected: z.number().int(),
  played: z.number().int(),
  failed: z.number().int(),
  missed: z.number().int(),
  offline: z.number().int(),
  interrupted: z.number().int().openapi({ description: 'cut short on purpose; not in `expected`' }),
  rate: z.number().nullable(),
};
const Receivers = z.object({ online: z.number().int(), total: z.number().int() });

const RollupSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    communes: z.array(
      z.object({
        communeId: z.string(),
        communeName: z.string(),
        communeCode: z.string(),
        receivers: Receivers,
        scheduled: z.number().int(),
        ...Airings,
      }),
    ),
    total: z.object({ receivers: Receivers, scheduled: z.number().int(), ...Airings }),
    bulletins: z
      .array(
        z.object({
          bulletinId: z.string(),
          title: z.string(),
          level: z.enum(PRIORITIES),
          sentAt: z.string(),
          communes: z.array(
            z.object({
              communeId: z.string(),
              status: z.enum(DELIVERY_STATUSES),
              airedReceivers: z.number().int(),
            }),
          ),
        }),
      )
      .openapi({
        description: 'Bulletins the province sent in the range, with each target commune’s status now',
      }),
  })
  .openapi('ProvinceRollup');

const AirTimeSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    months: z.array(z.string()),
    communes: z.array(
      z.object({
        communeId: z.string(),
        communeName: z.string(),
        month: z.string(),
        category: z.string(),
        priority: z.enum(PRIORITIES),
        airings: z.number().int(),
        airTimeMs: z.number().int(),
      }),
    ),
    total: z.array(
      z.object({
        month: z.string(),
        category: z.string(),
        priority: z.enum(PRIORITIES),
        airings: z.number().int(),
        airTimeMs: z.number().int(),
      }),
    ),
  })
  .openapi('ProvinceAirTime');

const wantsCsv = (accept: string | undefined) => /\btext\/csv\b/i.test(accept ?? '');

/**
 * The province's roll-ups for its staff (JSON, or CSV with `Accept: text/csv`): the same service and
 * CSV presenter as the page `/tinh/bao-cao`.
 */
export function provinceReportRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/rollup',
      tags,
      security,
      middleware: [gate('province.read')],
      description:
        "Every commune of your province over a range of local dates (each commune's own days): its receivers online now (a heartbeat within two intervals) out of its enabled ones, its occurrences scheduled, and its receivers' airings counted as the commune's coverage report counts them (each receiver expected to air an occurrence is one airing: played, failed, missed or offline once known; rate = played / expected). `total` adds the communes up. Send `Accept: text/csv` for a spreadsheet.",
      request: { query: Query },
      responses: {
        200: {
          description: 'The roll-up per commune',
          content: { 'application/json': { schema: RollupSchema }, 'text/csv': { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      const rollup = await services.reports.rollup(requestContext(c), { from, to });
      if (wantsCsv(c.req.header('accept'))) return rollupCsv(c, rollup, csvOptionsOf(c, 'keys')) as never;
      return c.json(rollup as z.infer<typeof RollupSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/air-time',
      tags,
      security,
      middleware: [gate('province.read')],
      description:
        "Air time per local month, per category (the announcement's; `relay` for relays of national or provincial radio) and per level (normal, priority, emergency): each hamlet's airing that at least one receiver reported starting counts once, with its length. Per commune, and added up for the province in `total`. Send `Accept: text/csv` for a spreadsheet (seconds; minutes with Vietnamese headers).",
      request: { query: Query },
      responses: {
        200: {
          description: 'Air time per month, category and level',
          content: { 'application/json': { schema: AirTimeSchema }, 'text/csv': { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      const airTime = await services.reports.airTime(requestContext(c), { from, to });
      if (wantsCsv(c.req.header('accept'))) return airTimeCsv(c, airTime, csvOptionsOf(c, 'keys')) as never;
      return c.json(airTime as z.infer<typeof AirTimeSchema>, 200);
    },
  );

  return app;
}
