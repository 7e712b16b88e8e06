import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AnnouncementRow, AudioInfo } from '../../db/repositories/announcements.repository.js';
import { LoaError } from '../../domain/errors.js';
import { maxTextChars, ttsVoices, type VariantSource } from '../../services/announcements.service.js';
import type { Services } from '../../services/index.js';
import type { MediaStore } from '../../domain/ports.js';
import { gate, requestContext } from '../middleware/gate.js';
import { zodProblem } from '../problem.js';
import {
  humanText,
  IdParam,
  jsonBody,
  jsonResponse,
  languageCode,
  listOf,
  ListQuery,
  problemResponses,
} from '../schemas.js';
import { receiveUpload } from '../upload.js';

const category = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[\p{L}\p{N} _-]+$/u, 'may contain letters, digits, spaces, dash and underscore')
  .default('thong-bao');

const text = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(
        maxTextChars,
        `must be at most ${maxTextChars} characters; split a longer text into several announcements`,
      ),
  );

const UploadFields = z.strictObject({
  title: humanText(200),
  language: languageCode,
  category,
  hamletId: z.string().min(1).max(100).optional(),
});

const TextInput = z.strictObject({
  title: humanText(200),
  language: languageCode,
  category,
  hamletId: z.string().min(1).max(100).optional(),
  text,
  voice: z.enum(ttsVoices).default('vi'),
});

const VariantText = z.strictObject({ language: languageCode, text, voice: z.enum(ttsVoices).default('vi') });

const Audio = z.object({
  url: z.string(),
  sha256: z.string(),
  format: z.enum(['mp3', 'opus']),
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
    status: z.enum(['queued', 'processing', 'ready', 'failed']),
    error: z.string().nullable(),
    approval: z.enum(['pending', 'approved', 'rejected']),
    approvalReason: z.string().nullable(),
    createdAt: z.string(),
    variants: z.array(
      z.object({
        language: z.string(),
        status: z.enum(['queued', 'processing', 'ready', 'failed']),
        error: z.string().nullable(),
        source: z.enum(['upload', 'text']),
        audio: Audio.nullable(),
        opus: Audio.nullable(),
      }),
    ),
  })
  .openapi('Announcement');

const Accepted = z.object({ id: z.string(), status: z.enum(['queued', 'processing', 'ready', 'failed']) });

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

export const toAnnouncementDto = (a: AnnouncementRow) => ({
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
    const upload = await receiveUpload(c, media, uploadLimitBytes);
    const source = await uploadSource(upload, media);
    const parsed = UploadFields.safeParse(upload.fields);
    if (!parsed.success) {
      await media.discard(source.key);
      return zodProblem(c, parsed.error, 'form');
    }
    return c.json(await services.announcements.create(ctx, parsed.data, source), 202);
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
            schema: z.object({ language: languageCode, file: z.string().openapi({ format: 'binary' }) }),
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
    const upload = await receiveUpload(c, media, uploadLimitBytes);
    const source = await uploadSource(upload, media);
    const parsed = z.strictObject({ language: languageCode }).safeParse(upload.fields);
    if (!parsed.success) {
      await media.discard(source.key);
      return zodProblem(c, parsed.error, 'form');
    }
    return c.json(await services.announcements.addVariant(ctx, id, parsed.data.language, source), 202);
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
          status: z.enum(['queued', 'processing', 'ready', 'failed']).optional(),
          approval: z.enum(['pending', 'approved', 'rejected']).optional(),
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
      responses: { 200: jsonResponse('Approved', AnnouncementSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        toAnnouncementDto(
          await services.announcements.decide(requestContext(c), c.req.valid('param').id, 'approved', null),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/reject',
      tags,
      security,
      middleware: [gate('announcement.approve')],
      request: { params: IdParam, body: jsonBody(z.strictObject({ reason: humanText(500) })) },
      responses: { 200: jsonResponse('Rejected', AnnouncementSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(
        toAnnouncementDto(
          await services.announcements.decide(
            requestContext(c),
            c.req.valid('param').id,
            'rejected',
            c.req.valid('json').reason,
          ),
        ),
        200,
      ),
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

async function uploadSource(
  upload: Awaited<ReturnType<typeof receiveUpload>>,
  media: MediaStore,
): Promise<Extract<VariantSource, { kind: 'upload' }>> {
  if (!upload.file) {
    throw new LoaError(
      400,
      'missing_file',
      'Attach the recording in the field "file".',
      'Hãy đính kèm tệp ghi âm (trường "file").',
    );
  }
  if (upload.file.bytes === 0) {
    await media.discard(upload.file.key);
    throw new LoaError(
      422,
      'empty',
      'The file is empty (0 bytes). Record again and send the new file.',
      'Tệp rỗng (0 byte). Hãy ghi âm lại rồi gửi tệp mới.',
    );
  }
  return { kind: 'upload', key: upload.file.key, bytes: upload.file.bytes, filename: upload.file.filename };
}
