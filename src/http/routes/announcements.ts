import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  AnnouncementMetaSchema,
  APPROVALS,
  AUDIO_FORMATS,
  PROCESSING_STATUSES,
  RejectionReasonSchema,
  SOURCE_KINDS,
  TextAnnouncementSchema,
  VariantFieldsSchema,
  VariantTextSchema,
  type Announcement,
  type AudioInfo,
} from '../../domain/announcement.js';
import type { MediaStore } from '../../domain/ports/media-store.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { zodProblem } from '../problem.js';
import { IdParam, jsonBody, jsonResponse, listOf, ListQuery, problemResponses, named } from '../schemas.js';
import { receiveUpload, uploadedFile } from '../upload.js';

const UploadFields = AnnouncementMetaSchema;
const TextInput = named(TextAnnouncementSchema, 'TextAnnouncementInput');
const VariantText = named(VariantTextSchema, 'VariantTextInput');

const Audio = z.object({
  url: z.string(),
  sha256: z.string(),
  format: z.enum(AUDIO_FORMATS),
  bytes: z.number(),
  durationMs: z.number(),
  loudness: z.object({ integratedLufs: z.number(), truePeakDbtp: z.number(), lraLu: z.number() }),
  source: z.object({ codec: z.string(), durationMs: z.number(), integratedLufs: z.number().nullable() }),
  peaks: z.array(z.number()),
});

const AnnouncementSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    category: z.string(),
    hamletId: z.string().nullable(),
    createdBy: z.string(),
    status: z.enum(PROCESSING_STATUSES),
    error: z.string().nullable(),
    approval: z.enum(APPROVALS),
    approvalReason: z.string().nullable(),
    createdAt: z.string(),
    variants: z.array(
      z.object({
        language: z.string(),
        status: z.enum(PROCESSING_STATUSES),
        error: z.string().nullable(),
        approval: z.enum(APPROVALS).openapi({
          description: 'A version added after approval waits for the office; approved ones keep airing',
        }),
        source: z.enum(SOURCE_KINDS),
        audio: Audio.nullable(),
        opus: Audio.nullable(),
      }),
    ),
  })
  .openapi('Announcement');

const Decided = AnnouncementSchema.extend({
  cancelledOccurrences: z.number().int().openapi({
    description: 'Occurrences not yet started that a rejection cancelled (0 for an approval)',
  }),
}).openapi('AnnouncementDecision');

const Accepted = z.object({ id: z.string(), status: z.enum(PROCESSING_STATUSES) });

const audioDto = (a: AudioInfo | null) =>
  a && {
    url: `/media/${a.sha256}.${a.format}`,
    sha256: a.sha256,
    format: a.format,
    bytes: a.bytes,
    durationMs: a.durationMs,
    loudness: { integratedLufs: a.integratedLufs, truePeakDbtp: a.truePeakDbtp, lraLu: a.lraLu },
    source: { codec: a.sourceCodec, durationMs: a.sourceDurationMs, integratedLufs: a.sourceLufs },
    peaks: [...a.peaks],
  };

export const toAnnouncementDto = (a: Announcement) => ({
  id: a.id,
  title: a.title,
  category: a.category,
  hamletId: a.hamletId,
  createdBy: a.createdBy,
  status: a.status,
  error: a.error,
  approval: a.approval,
  approvalReason: a.approvalReason,
  createdAt: a.createdAt,
  variants: a.variants.map((v) => ({
    language: v.language,
    status: v.status,
    error: v.error,
    approval: v.approval,
    source: v.sourceKind,
    audio: audioDto(v.audio),
    opus: audioDto(v.opus),
  })),
});

const security = [{ Bearer: [] }];
const tags = ['Announcements'];

const multipartDoc = {
  'multipart/form-data': {
    schema: UploadFields.extend({ file: z.string().openapi({ format: 'binary' }) }),
  },
};

export function announcementRoutes(services: Services, media: MediaStore, uploadLimitBytes: number) {
  const app = new OpenAPIHono();
  const isJson = (ct: string | undefined) => !!ct && /^application\/json\b/i.test(ct);

  // Uploads are streamed by hand (never parsed whole into memory), so these two paths are documented in
  // the registry and served by plain handlers.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/v1/announcements',
    tags,
    security,
    description: `A recording (multipart: title, language, category, file; at most ${Math.round(uploadLimitBytes / 1_048_576)} MB) or a text (JSON: title, language, text, voice). Answers at once; processing runs as a job.`,
    request: {
      body: { required: true, content: { ...multipartDoc, 'application/json': { schema: TextInput } } },
    },
    responses: { 202: jsonResponse('Accepted for processing', Accepted), ...problemResponses },
  });
  app.post('/api/v1/announcements', gate('announcement.create'), async (c) => {
    const ctx = requestContext(c);
    if (isJson(c.req.header('content-type'))) {
      const parsed = TextInput.safeParse(await c.req.json());
      if (!parsed.success) return zodProblem(c, parsed.error, 'json');
      const { text: body, voice, ...meta } = parsed.data;
      return c.json(await services.announcements.create(ctx, meta, { kind: 'text', text: body, voice }), 202);
    }
    await using upload = await receiveUpload(c, media, uploadLimitBytes);
    const file = uploadedFile(upload);
    const parsed = UploadFields.safeParse(upload.fields);
    if (!parsed.success) return zodProblem(c, parsed.error, 'form');
    return c.json(
      await services.announcements.create(ctx, parsed.data, { kind: 'upload', upload: file }),
      202,
    );
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/v1/announcements/{id}/variants',
    tags,
    security,
    description:
      'Adds another language: a recording (multipart: language, file) or a text (JSON: language, text, voice).',
    request: {
      params: IdParam,
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: VariantFieldsSchema.extend({ file: z.string().openapi({ format: 'binary' }) }),
          },
          'application/json': { schema: VariantText },
        },
      },
    },
    responses: { 202: jsonResponse('Accepted for processing', Accepted), ...problemResponses },
  });
  app.post('/api/v1/announcements/:id/variants', gate('announcement.create'), async (c) => {
    const ctx = requestContext(c);
    const id = c.req.param('id');
    if (isJson(c.req.header('content-type'))) {
      const parsed = VariantText.safeParse(await c.req.json());
      if (!parsed.success) return zodProblem(c, parsed.error, 'json');
      const { language, text: body, voice } = parsed.data;
      return c.json(
        await services.announcements.addVariant(ctx, id, language, { kind: 'text', text: body, voice }),
        202,
      );
    }
    // Refused before a recording of hundreds of megabytes is read.
    await services.announcements.assertMayAddVariant(ctx, id);
    await using upload = await receiveUpload(c, media, uploadLimitBytes);
    const file = uploadedFile(upload);
    const parsed = VariantFieldsSchema.safeParse(upload.fields);
    if (!parsed.success) return zodProblem(c, parsed.error, 'form');
    return c.json(
      await services.announcements.addVariant(ctx, id, parsed.data.language, {
        kind: 'upload',
        upload: file,
      }),
      202,
    );
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/announcements',
      tags,
      security,
      middleware: [gate('announcement.read')],
      request: {
        query: ListQuery.extend({
          status: z.enum(PROCESSING_STATUSES).optional(),
          approval: z.enum(APPROVALS).optional(),
          mine: z.enum(['true', 'false']).optional(),
        }),
      },
      responses: {
        200: jsonResponse('Announcements in your scope', listOf(AnnouncementSchema)),
        ...problemResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await services.announcements.list(requestContext(c), { ...q, mine: q.mine === 'true' });
      return c.json({ items: page.items.map(toAnnouncementDto), nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/announcements/{id}',
      tags,
      security,
      middleware: [gate('announcement.read')],
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Processing and approval state, audio and loudness', AnnouncementSchema),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(
        toAnnouncementDto(await services.announcements.get(requestContext(c), c.req.valid('param').id)),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/approve',
      tags,
      security,
      middleware: [gate('announcement.approve')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('Approved', Decided), ...problemResponses },
    }),
    async (c) => {
      const decided = await services.announcements.decide(
        requestContext(c),
        c.req.valid('param').id,
        'approved',
        null,
      );
      return c.json(
        { ...toAnnouncementDto(decided), cancelledOccurrences: decided.cancelledOccurrences },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/reject',
      tags,
      security,
      middleware: [gate('announcement.approve')],
      request: { params: IdParam, body: jsonBody(RejectionReasonSchema) },
      description:
        'Refuses every version and takes the content off the air: occurrences that have not started are cancelled and boxes playing it are told to stop.',
      responses: { 200: jsonResponse('Rejected', Decided), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const decided = await services.announcements.decide(
        requestContext(c),
        id,
        'rejected',
        c.req.valid('json').reason,
      );
      return c.json(
        { ...toAnnouncementDto(decided), cancelledOccurrences: decided.cancelledOccurrences },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/retry',
      tags,
      security,
      middleware: [gate('announcement.create')],
      description: 'Processes failed versions again from their kept originals.',
      request: { params: IdParam },
      responses: { 202: jsonResponse('Queued again', Accepted), ...problemResponses },
    }),
    async (c) => c.json(await services.announcements.retry(requestContext(c), c.req.valid('param').id), 202),
  );

  return app;
}
