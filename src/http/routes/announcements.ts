import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  AnnouncementMetaSchema,
  APPROVALS,
  type AnnouncementMeta,
  PROCESSING_STATUSES,
  ApprovalSchema,
  RejectionReasonSchema,
  TextAnnouncementSchema,
  VariantFieldsSchema,
  VariantTextSchema,
} from '../../domain/announcement.js';
import { announcementTag } from '../../domain/announcement-decision.js';
import type { MediaStore } from '../../domain/ports/media-store.js';
import type { VariantSource } from '../../services/announcement-intake.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { readJson, zodProblem } from '../problem.js';
import {
  IdempotencyHeader,
  IdParam,
  jsonBody,
  jsonResponse,
  keyOf,
  listOf,
  ListQuery,
  problemResponses,
  named,
} from '../schemas.js';
import { receiveUpload, uploadedFile } from '../upload.js';
import {
  Accepted,
  AiringSchema,
  AnnouncementSchema,
  Approved,
  Decided,
  decisionProblems,
  etagHeader,
  IfMatchHeader,
  toAiringDto,
  toAnnouncementDto,
  toApprovedDto,
  toDecidedDto,
} from './announcement-dto.js';

const UploadFields = AnnouncementMetaSchema;
const TextInput = named(TextAnnouncementSchema, 'TextAnnouncementInput');
const VariantText = named(VariantTextSchema, 'VariantTextInput');
const ApprovalInput = named(ApprovalSchema, 'ApprovalInput');

const security = [{ Bearer: [] }];
const OriginalKept = z
  .object({ id: z.string(), language: z.string(), bytes: z.number().int() })
  .openapi('OriginalKept');
const tags = ['Announcements'];

/**
 * `processed=true`: the file is an MP3 levelled and encoded already (the upload page does it in the
 * browser on the edge profile); it is measured and, on target, ready at once, else refused with 422.
 */
const processedField = z.enum(['true', 'false']).optional().openapi({
  description: 'true when the file is an MP3 processed already (measured, never processed again)',
});

const multipartDoc = {
  'multipart/form-data': {
    schema: UploadFields.extend({
      file: z.string().openapi({ format: 'binary' }),
      processed: processedField,
    }),
  },
};

/** The text fields of an upload without the processing claim, which is not part of the content. */
function withoutClaim(fields: Readonly<Record<string, string>>): {
  readonly fields: Record<string, string>;
  readonly processed: boolean;
} {
  const { processed, ...rest } = fields;
  return { fields: rest, processed: processed === 'true' };
}

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
      headers: IdempotencyHeader,
      body: { required: true, content: { ...multipartDoc, 'application/json': { schema: TextInput } } },
    },
    responses: {
      202: jsonResponse(
        'Accepted for processing; sent again under its `Idempotency-Key`, the announcement the first copy made (as it stands now) with the header `Idempotent-Replayed: true`',
        Accepted,
      ),
      ...problemResponses,
    },
  });
  app.post('/api/v1/announcements', gate('announcement.create'), async (c) => {
    const ctx = requestContext(c);
    // Checked before a recording is read: a malformed key would refuse it after the whole upload.
    const headers = IdempotencyHeader.safeParse({ 'idempotency-key': c.req.header('idempotency-key') });
    if (!headers.success) return zodProblem(c, headers.error, 'header');
    const create = async (meta: AnnouncementMeta, source: VariantSource) => {
      const { replayed, ...created } = await services.announcements.create(
        ctx,
        meta,
        source,
        keyOf(headers.data),
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(created, 202);
    };
    if (isJson(c.req.header('content-type'))) {
      const parsed = TextInput.safeParse(await readJson(c));
      if (!parsed.success) return zodProblem(c, parsed.error, 'json');
      const { text: body, voice, ...meta } = parsed.data;
      return create(meta, { kind: 'text', text: body, voice });
    }
    await using upload = await receiveUpload(c, media, uploadLimitBytes);
    const file = uploadedFile(upload);
    const { fields, processed } = withoutClaim(upload.fields);
    const parsed = UploadFields.safeParse(fields);
    if (!parsed.success) return zodProblem(c, parsed.error, 'form');
    // Awaited here: the upload is disposed of when this function returns.
    return await create(parsed.data, { kind: 'upload', upload: file, processed });
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
            schema: VariantFieldsSchema.extend({
              file: z.string().openapi({ format: 'binary' }),
              processed: processedField,
            }),
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
      const parsed = VariantText.safeParse(await readJson(c));
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
    const { fields, processed } = withoutClaim(upload.fields);
    const parsed = VariantFieldsSchema.safeParse(fields);
    if (!parsed.success) return zodProblem(c, parsed.error, 'form');
    return c.json(
      await services.announcements.addVariant(ctx, id, parsed.data.language, {
        kind: 'upload',
        upload: file,
        processed,
      }),
      202,
    );
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/v1/announcements/{id}/variants/{language}/original',
    tags,
    security,
    description:
      "The original recording of a version uploaded processed (`processed=true`), sent after it: kept as the version's source, from which a retry or a processing node makes its audio again. The version stays as it is (ready). 409 when it keeps an original already or is a text.",
    request: {
      params: IdParam.extend({ language: z.string() }),
      body: {
        required: true,
        content: {
          'multipart/form-data': { schema: z.object({ file: z.string().openapi({ format: 'binary' }) }) },
        },
      },
    },
    responses: { 201: jsonResponse('Kept', OriginalKept), ...problemResponses },
  });
  app.post(
    '/api/v1/announcements/:id/variants/:language/original',
    gate('announcement.create'),
    async (c) => {
      const ctx = requestContext(c);
      const { id, language } = c.req.param();
      // Refused before the recording is read.
      await services.announcements.assertMayKeepOriginal(ctx, id, language);
      await using upload = await receiveUpload(c, media, uploadLimitBytes);
      return c.json(await services.announcements.keepOriginal(ctx, id, language, uploadedFile(upload)), 201);
    },
  );

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
          withdrawn: z.enum(['true', 'false']).optional().openapi({
            description: 'Withdrawn ones only (true) or none (false); with `approval` the default is false',
          }),
          order: z.enum(['oldest', 'newest']).default('oldest').openapi({
            description: 'The oldest first (the default) or the newest first; the cursor follows the order',
          }),
        }),
      },
      responses: {
        200: jsonResponse('Announcements in your scope', listOf(AnnouncementSchema)),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { order, ...q } = c.req.valid('query');
      const page = await services.announcements.list(requestContext(c), {
        ...q,
        newestFirst: order === 'newest',
        mine: q.mine === 'true',
        withdrawn: q.withdrawn === undefined ? undefined : q.withdrawn === 'true',
      });
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
        200: {
          ...jsonResponse('Processing and approval state, audio and loudness', AnnouncementSchema),
          headers: etagHeader,
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const a = await services.announcements.get(requestContext(c), c.req.valid('param').id);
      return c.json(toAnnouncementDto(a), 200, { ETag: announcementTag(a) });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/approve',
      tags,
      security,
      middleware: [gate('announcement.approve')],
      request: {
        params: IdParam,
        headers: IfMatchHeader,
        body: { ...jsonBody(ApprovalInput), required: false },
      },
      description:
        'Approves the versions that wait and can be judged (heard, or read for a typed text): every one, or only those of `variantIds` (the versions the officer heard); a version added meanwhile, or a recording still processing or failed, keeps waiting, and so does the announcement (`waitingVariantIds`). With nothing to judge, 409. Approving refused content lifts the refusal for the versions it approves; the others wait for the office.',
      responses: {
        200: { ...jsonResponse('Approved', Approved), headers: etagHeader },
        ...problemResponses,
        ...decisionProblems,
      },
    }),
    async (c) => {
      const decided = await services.announcements.decide(
        requestContext(c),
        c.req.valid('param').id,
        'approved',
        null,
        c.req.valid('json').variantIds,
        { ifMatch: c.req.valid('header')['if-match'] },
      );
      return c.json(toApprovedDto(decided), 200, { ETag: announcementTag(decided) });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/reject',
      tags,
      security,
      middleware: [gate('announcement.approve')],
      request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(RejectionReasonSchema) },
      description:
        'Refuses every version and takes the content off the air: occurrences that have not started are cancelled and boxes playing it are told to stop.',
      responses: {
        200: { ...jsonResponse('Rejected', Decided), headers: etagHeader },
        ...problemResponses,
        ...decisionProblems,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const decided = await services.announcements.decide(
        requestContext(c),
        id,
        'rejected',
        c.req.valid('json').reason,
        undefined,
        { ifMatch: c.req.valid('header')['if-match'] },
      );
      return c.json(toDecidedDto(decided), 200, { ETag: announcementTag(decided) });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/withdraw',
      tags,
      security,
      middleware: [gate('announcement.withdraw')],
      request: { params: IdParam },
      description:
        'Its author, or the commune office, withdraws it: occurrences that have not started are cancelled, boxes playing it are told to stop, and it cannot be booked again (422).',
      responses: { 200: jsonResponse('Withdrawn', Decided), ...problemResponses },
    }),
    async (c) =>
      c.json(
        toDecidedDto(await services.announcements.withdraw(requestContext(c), c.req.valid('param').id)),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/announcements/{id}/airings',
      tags,
      security,
      middleware: [gate('announcement.read')],
      request: { params: IdParam },
      description:
        'Where and when it airs and whether it played: its latest occurrences (cancelled ones too) in your hamlets, by start time.',
      responses: {
        200: jsonResponse('Airings', z.object({ items: z.array(AiringSchema) })),
        ...problemResponses,
      },
    }),
    async (c) => {
      const airings = await services.announcements.airings(requestContext(c), c.req.valid('param').id);
      return c.json({ items: airings.map(toAiringDto) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/announcements/{id}/retry',
      tags,
      security,
      middleware: [gate('announcement.create')],
      description:
        'Processes failed versions again from their kept originals; 409 for a withdrawn announcement, which is never processed again.',
      request: { params: IdParam },
      responses: { 202: jsonResponse('Queued again', Accepted), ...problemResponses },
    }),
    async (c) => c.json(await services.announcements.retry(requestContext(c), c.req.valid('param').id), 202),
  );

  return app;
}
