import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  BulletinOrderSchema,
  BulletinDeclineSchema,
  BulletinScheduleSchema,
  BulletinUploadFieldsSchema,
} from '../../domain/bulletin.js';
import type { MediaStore } from '../../domain/ports/media-store.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { readJson, zodProblem } from '../problem.js';
import { IdParam, jsonBody, jsonResponse, named, problemResponses } from '../schemas.js';
import { receiveUpload, uploadedFile } from '../upload.js';
import {
  BulletinSchema,
  DeliverySchema,
  InboxItemSchema,
  Placement,
  ProofSchema,
  Scheduled,
  TextInput,
  bulletinDto,
  deliveryDto,
  viewDto,
} from './bulletin-schemas.js';

const security = [{ Bearer: [] }];
const tags = ['Bulletins'];

/**
 * Bulletins from the province (Thông tư 39/2020): the province's side under `/api/v1/province/bulletins`
 * (province officer: make and send; province staff: read), the commune's inbox under `/api/v1/bulletins`
 * (commune admin and officer: schedule or decline).
 */
export function bulletinRoutes(services: Services, media: MediaStore, uploadLimitBytes: number) {
  const app = new OpenAPIHono();
  const isJson = (ct: string | undefined) => !!ct && /^application\/json\b/i.test(ct);

  // Recordings are streamed by hand, as for announcements, so this path is documented in the registry.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/v1/province/bulletins',
    tags,
    security,
    description:
      'A new bulletin: a text (JSON) or a recording (multipart: title, language, category, level, communeIds ' +
      '"all" or comma-separated, answerBy, file). Its audio is processed as a job; send it once ready.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: TextInput },
          'multipart/form-data': {
            schema: BulletinUploadFieldsSchema.extend({ file: z.string().openapi({ format: 'binary' }) }),
          },
        },
      },
    },
    responses: {
      202: jsonResponse('Accepted; audio processing', z.object({ id: z.string(), status: z.string() })),
      ...problemResponses,
      422: { description: 'An unknown or deleted commune, a deadline on a non-normal bulletin' },
    },
  });
  app.post('/api/v1/province/bulletins', gate('bulletin.issue'), async (c) => {
    const ctx = requestContext(c);
    if (isJson(c.req.header('content-type'))) {
      const parsed = TextInput.safeParse(await readJson(c));
      if (!parsed.success) return zodProblem(c, parsed.error, 'json');
      const { text, voice, level, communeIds, answerBy, ...meta } = parsed.data;
      return c.json(
        await services.bulletins.create(
          ctx,
          { level, communeIds, ...(answerBy !== undefined && { answerBy }) },
          meta,
          { kind: 'text', text, voice },
        ),
        202,
      );
    }
    await using upload = await receiveUpload(c, media, uploadLimitBytes);
    const file = uploadedFile(upload);
    const parsed = BulletinUploadFieldsSchema.safeParse(upload.fields);
    if (!parsed.success) return zodProblem(c, parsed.error, 'form');
    const { level, communeIds, answerBy, ...meta } = parsed.data;
    return c.json(
      await services.bulletins.create(
        ctx,
        { level, communeIds, ...(answerBy !== undefined && { answerBy }) },
        meta,
        { kind: 'upload', upload: file },
      ),
      202,
    );
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/bulletins',
      tags,
      security,
      middleware: [gate('province.read')],
      responses: {
        200: jsonResponse(
          'The province’s bulletins, newest first',
          z.object({ items: z.array(BulletinSchema) }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => c.json({ items: (await services.bulletins.list(requestContext(c))).map(viewDto) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/bulletins/{id}',
      tags,
      security,
      middleware: [gate('province.read')],
      request: { params: IdParam },
      responses: {
        200: jsonResponse('A bulletin with every commune’s status', BulletinSchema),
        ...problemResponses,
      },
    }),
    async (c) =>
      c.json(viewDto(await services.bulletins.get(requestContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/province/bulletins/{id}/send',
      tags,
      security,
      middleware: [gate('bulletin.issue')],
      description:
        'Sends a bulletin whose audio is ready: one delivery per target commune; priority and emergency ' +
        'bulletins are booked in each commune at once (its next standing slot, or now). Sending a priority ' +
        'or emergency bulletin again books the communes still unbooked (after a failure) and answers ' +
        "every commune's placement.",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          'Sent',
          z.object({ id: z.string(), sentAt: z.string(), placements: z.array(Placement) }),
        ),
        ...problemResponses,
        409: { description: 'A normal bulletin already sent' },
        422: { description: 'The audio is not ready yet' },
      },
    }),
    async (c) => {
      const sent = await services.bulletins.send(requestContext(c), c.req.valid('param').id);
      return c.json({ ...sent, placements: [...sent.placements] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/province/bulletins/{id}/proof',
      tags,
      security,
      middleware: [gate('province.read')],
      description: 'Per commune and per receiver: what each box reported of the bulletin (poll it live).',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The proof of playback', ProofSchema), ...problemResponses },
    }),
    async (c) => {
      const proof = await services.bulletins.proof(requestContext(c), c.req.valid('param').id);
      return c.json({ bulletin: viewDto(proof.bulletin), receivers: [...proof.receivers] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/bulletins',
      tags,
      security,
      middleware: [gate('bulletin.answer')],
      responses: {
        200: jsonResponse(
          'The commune’s inbox of province bulletins',
          z.object({ items: z.array(InboxItemSchema) }),
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const items = await services.bulletins.inbox(requestContext(c));
      return c.json(
        {
          items: items.map((i) => ({
            bulletin: bulletinDto(i.bulletin),
            delivery: deliveryDto({ ...i.delivery, status: i.status }),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/bulletins/{id}',
      tags,
      security,
      middleware: [gate('bulletin.answer')],
      request: { params: IdParam },
      responses: { 200: jsonResponse('A bulletin of the inbox', InboxItemSchema), ...problemResponses },
    }),
    async (c) => {
      const i = await services.bulletins.inboxItem(requestContext(c), c.req.valid('param').id);
      return c.json(
        { bulletin: bulletinDto(i.bulletin), delivery: deliveryDto({ ...i.delivery, status: i.status }) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/bulletins/{id}/schedule',
      tags,
      security,
      middleware: [gate('bulletin.answer')],
      description:
        'The commune schedules a normal bulletin: exactly one of at, slot or recurrence, in hamletIds ' +
        '(or "all"), with the rules of any booking.',
      request: { params: IdParam, body: jsonBody(named(BulletinScheduleSchema, 'BulletinScheduleInput')) },
      responses: {
        201: jsonResponse('Scheduled', Scheduled),
        ...problemResponses,
        409: { description: 'Already answered, or a clash with the schedule' },
        422: { description: 'Quiet hours, a full slot, a bad schedule' },
      },
    }),
    async (c) => {
      const done = await services.bulletins.schedule(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json({ ...done, occurrences: [...done.occurrences], displaced: [...done.displaced] }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/bulletins/{id}/order',
      tags,
      security,
      middleware: [gate('bulletin.answer')],
      description:
        'A priority bulletin against the commune’s own priority items in the slots it was placed in: ' +
        '`first` or `after_commune_priority`.',
      request: { params: IdParam, body: jsonBody(named(BulletinOrderSchema, 'BulletinOrderInput')) },
      responses: {
        200: jsonResponse('Ordered', DeliverySchema),
        ...problemResponses,
        409: { description: 'Not a priority bulletin, or no priority item of the commune shares its slot' },
      },
    }),
    async (c) => {
      const d = await services.bulletins.reorder(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json').place,
      );
      return c.json(deliveryDto(d), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/bulletins/{id}/decline',
      tags,
      security,
      middleware: [gate('bulletin.answer')],
      request: { params: IdParam, body: jsonBody(named(BulletinDeclineSchema, 'BulletinDeclineInput')) },
      responses: {
        200: jsonResponse('Declined', DeliverySchema),
        ...problemResponses,
        409: { description: 'Already answered' },
        422: { description: 'No reason given' },
      },
    }),
    async (c) => {
      const d = await services.bulletins.decline(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json').reason,
      );
      return c.json(deliveryDto(d), 200);
    },
  );

  return app;
}
