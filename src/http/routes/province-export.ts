import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DEVICE_STATES } from '../../domain/province-report.js';
import type { Services } from '../../services/index.js';
import type { BulletinDeliveryView, DeviceView } from '../../services/province-export.service.js';
import { BULLETIN_LEVELS, DELIVERY_STATUSES } from '../../domain/bulletin.js';
import type { CommuneDay } from '../../domain/province-report.js';
import { machineAuth, machineContext } from '../middleware/machine-auth.js';
import { ProblemSchema } from '../schemas.js';

/**
 * The province's export for its information-source system, version 1. The version is in the path
 * (`/api/v1/province/reports/v1/…`) and in every answer (`version: 1`): within v1 fields are only ever
 * added, never renamed, removed or given another meaning; anything else is a v2 beside it. Items are
 * mapped field by field below, so nothing of the service's own shapes leaks in by accident, and
 * `test/api/province-export.test.ts` pins every key.
 */
export const EXPORT_VERSION = 1;
const base = `/api/v1/province/reports/v${EXPORT_VERSION}`;
const security = [{ MachineToken: [] }];
const tags = ['Province export (v1)'];

const problems = {
  400: { description: 'Invalid query', content: { 'application/problem+json': { schema: ProblemSchema } } },
  401: {
    description: 'No live machine token (a person’s sign-in token is refused here)',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  422: {
    description: 'A date or cursor that cannot be used',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  429: {
    description: 'Too many requests with this token; see `Retry-After`',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(500)
  .openapi({ description: 'Items per page (1–1000)' });
const cursor = z
  .string()
  .max(300)
  .optional()
  .openapi({ description: 'The `nextCursor` of the previous page (same `from` and `to`)' });
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .optional();

const envelope = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    version: z.literal(EXPORT_VERSION),
    provinceId: z.string(),
    generatedAt: z.string().openapi({ description: 'When this page was read (UTC)' }),
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end' }),
  });

const DeviceSchema = z
  .object({
    receiverId: z.string(),
    receiverName: z.string(),
    communeId: z.string(),
    communeName: z.string(),
    hamletId: z.string(),
    hamletName: z.string(),
    state: z.enum(DEVICE_STATES).openapi({
      description:
        '`online`: a heartbeat within the last two heartbeat intervals (2 min); `offline`: none since; `disabled`: its token is refused; `never_seen`: no heartbeat ever',
    }),
    stateSince: z.string().nullable().openapi({
      description:
        'online: the first heartbeat of its current online stretch (null when not recorded yet); offline: when its last heartbeat stopped keeping it online (2 min after it); disabled: when it was disabled; never_seen: when it was created',
    }),
    lastHeartbeatAt: z.string().nullable(),
    agentVersion: z.string().nullable().openapi({ description: 'The agent version of its last heartbeat' }),
    createdAt: z.string(),
  })
  .openapi('ExportDeviceV1', {
    example: {
      receiverId: 'rx-un-ta-1',
      receiverName: 'Cụm loa nhà văn hóa Ún Tà',
      communeId: 'coc-san',
      communeName: 'Xã Cốc San',
      hamletId: 'un-ta',
      hamletName: 'Thôn Ún Tà',
      state: 'offline',
      stateSince: '2026-11-27T01:02:00.000Z',
      lastHeartbeatAt: '2026-11-27T01:00:00.000Z',
      agentVersion: '0.2.0',
      createdAt: '2026-11-01T03:00:00.000Z',
    },
  });

const PlaybackDaySchema = z
  .object({
    communeId: z.string(),
    date: z.string().openapi({ description: "The commune's local date" }),
    scheduled: z.number().int().openapi({ description: 'Occurrences that day, cancelled ones left out' }),
    expected: z.number().int().openapi({
      description:
        'Airings expected of its receivers whose outcome is known: played + failed + missed + offline',
    }),
    played: z.number().int(),
    failed: z.number().int(),
    missed: z.number().int().openapi({ description: 'No report although the receiver was heard from' }),
    offline: z.number().int().openapi({ description: 'No report, and no heartbeat around the airing' }),
    interrupted: z.number().int().openapi({
      description:
        'Cut short because the box was told to (an emergency over it, an item taken off the air): not expected, not failed. Added within v1.',
    }),
    rate: z
      .number()
      .nullable()
      .openapi({ description: 'played / expected, 3 decimals; null when nothing is expected' }),
  })
  .openapi('ExportPlaybackDayV1', {
    example: {
      communeId: 'coc-san',
      date: '2026-11-26',
      scheduled: 18,
      expected: 34,
      played: 30,
      failed: 1,
      missed: 1,
      offline: 2,
      interrupted: 0,
      rate: 0.882,
    },
  });

const BulletinDeliverySchema = z
  .object({
    bulletinId: z.string(),
    title: z.string(),
    level: z
      .enum(BULLETIN_LEVELS)
      .openapi({ description: 'Thông tư 39/2020: normal, priority or emergency' }),
    sentAt: z.string(),
    answerBy: z.string().nullable().openapi({ description: 'Normal bulletins: the answer deadline' }),
    communeId: z.string(),
    communeName: z.string(),
    status: z.enum(DELIVERY_STATUSES).openapi({
      description:
        '`received`, `scheduled` (booked; `firstAiringAt` says when), `declined` (`declineReason` says why), `aired` (a box reported starting it; `airedReceivers` counts them), `no_answer` (still only received after `answerBy`)',
    }),
    firstAiringAt: z.string().nullable(),
    airedReceivers: z.number().int(),
    declineReason: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .openapi('ExportBulletinDeliveryV1', {
    example: {
      bulletinId: '01jd7…',
      title: 'Lịch tiêm phòng gia súc',
      level: 'normal',
      sentAt: '2026-11-27T01:00:00.000Z',
      answerBy: '2026-11-28T10:00:00.000Z',
      communeId: 'coc-san',
      communeName: 'Xã Cốc San',
      status: 'aired',
      firstAiringAt: '2026-11-28T02:00:00.000Z',
      airedReceivers: 2,
      declineReason: null,
      decidedAt: '2026-11-27T02:10:00.000Z',
    },
  });

/** A commune's delivery of a bulletin as v1 says it: field by field. */
const bulletinDeliveryV1 = (v: BulletinDeliveryView): z.infer<typeof BulletinDeliverySchema> => ({
  bulletinId: v.bulletin.id,
  title: v.bulletin.title,
  level: v.bulletin.level,
  sentAt: v.bulletin.sentAt ?? '',
  answerBy: v.bulletin.answerBy,
  communeId: v.delivery.communeId,
  communeName: v.delivery.communeName,
  status: v.status,
  firstAiringAt: v.delivery.firstAiringAt,
  airedReceivers: v.delivery.airedReceivers,
  declineReason: v.delivery.declineReason,
  decidedAt: v.delivery.decidedAt,
});

/** A device as v1 says it: field by field. */
const deviceV1 = (d: DeviceView): z.infer<typeof DeviceSchema> => ({
  receiverId: d.receiverId,
  receiverName: d.receiverName,
  communeId: d.communeId,
  communeName: d.communeName,
  hamletId: d.hamletId,
  hamletName: d.hamletName,
  state: d.state,
  stateSince: d.stateSince,
  lastHeartbeatAt: d.lastSeenAt,
  agentVersion: d.agentVersion,
  createdAt: d.createdAt,
});

/** A commune's day as v1 says it: field by field. */
const playbackDayV1 = (d: CommuneDay): z.infer<typeof PlaybackDaySchema> => ({
  communeId: d.communeId,
  date: d.date,
  scheduled: d.scheduled,
  expected: d.expected,
  played: d.played,
  failed: d.failed,
  missed: d.missed,
  offline: d.offline,
  interrupted: d.interrupted,
  rate: d.rate,
});

/**
 * `GET /api/v1/province/reports/v1/devices`, `…/playback-days` and `…/bulletins`, opened by a machine
 * token only.
 */
export function provinceExportRoutes(services: Services, clientIp: (c: Context) => string) {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'MachineToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A machine token (`loa_mt_…`) the province admin creates; it opens the export only.',
  });
  const gate = machineAuth(services.apiTokens, clientIp);
  const meta = (c: Context, generatedAt: string) => ({
    version: EXPORT_VERSION as typeof EXPORT_VERSION,
    provinceId: machineContext(c).actor.provinceId,
    generatedAt,
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/devices`,
      tags,
      security,
      middleware: [gate],
      summary: 'Devices and their state',
      description:
        "Every receiver of the token's province, by `receiverId`, with its state now and since when, its last heartbeat and agent version.",
      request: { query: z.strictObject({ cursor, limit }) },
      responses: {
        200: {
          description: 'A page of devices',
          content: { 'application/json': { schema: envelope(DeviceSchema).openapi('ExportDevicesPageV1') } },
        },
        ...problems,
      },
    }),
    async (c) => {
      const page = await services.provinceExport.devices(machineContext(c), c.req.valid('query'));
      return c.json(
        { ...meta(c, page.generatedAt), items: page.items.map(deviceV1), nextCursor: page.nextCursor },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/playback-days`,
      tags,
      security,
      middleware: [gate],
      summary: 'Playback statistics per commune and day',
      description:
        "Every commune of the token's province on every local day from `from` to `to` (both included; default: the seven days before today), ordered by `date` then `communeId`, counted as the communes' own coverage reports count them: each receiver expected to air an occurrence is one airing, known once its grace is over.",
      request: {
        query: z.strictObject({
          from: localDate.openapi({ description: 'First local date', example: '2026-11-20' }),
          to: localDate.openapi({ description: 'Last local date, included', example: '2026-11-26' }),
          cursor,
          limit,
        }),
      },
      responses: {
        200: {
          description: 'A page of commune-days',
          content: {
            'application/json': { schema: envelope(PlaybackDaySchema).openapi('ExportPlaybackDaysPageV1') },
          },
        },
        ...problems,
      },
    }),
    async (c) => {
      const page = await services.provinceExport.playbackDays(machineContext(c), c.req.valid('query'));
      return c.json(
        { ...meta(c, page.generatedAt), items: page.items.map(playbackDayV1), nextCursor: page.nextCursor },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/bulletins`,
      tags,
      security,
      middleware: [gate],
      summary: 'Bulletins and their delivery per commune',
      description:
        "Every sent bulletin of the token's province, one item per bulletin and target commune, ordered by `bulletinId` then `communeId`, with the status the province's pages show.",
      request: { query: z.strictObject({ cursor, limit }) },
      responses: {
        200: {
          description: 'A page of bulletin deliveries',
          content: {
            'application/json': {
              schema: envelope(BulletinDeliverySchema).openapi('ExportBulletinDeliveriesPageV1'),
            },
          },
        },
        ...problems,
      },
    }),
    async (c) => {
      const page = await services.provinceExport.bulletins(machineContext(c), c.req.valid('query'));
      return c.json(
        {
          ...meta(c, page.generatedAt),
          items: page.items.map(bulletinDeliveryV1),
          nextCursor: page.nextCursor,
        },
        200,
      );
    },
  );

  return app;
}
