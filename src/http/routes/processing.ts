import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { LoaError } from '../../domain/errors.js';
import type { MediaStore } from '../../domain/ports/media-store.js';
import type { ProcessingService } from '../../services/processing.service.js';
import { limitBody } from '../body-limit.js';
import { readJson, zodProblem } from '../problem.js';
import { receiveUpload, uploadedFile } from '../upload.js';

/** A node names itself (its host name): its leases are held under that name. */
const NodeName = z.string().trim().min(1).max(100);
const LeaseBody = z.strictObject({ node: NodeName });
const FailureBody = z.strictObject({
  node: NodeName,
  // Kept to its first 2,000 characters: a long ffmpeg report refused here would leave the job unsettled.
  error: z.string().transform((error) => error.slice(0, 2000)),
  rejection: z
    .strictObject({
      code: z.enum(['no_audio', 'unreadable', 'too_long', 'too_many_channels', 'empty', 'not_processed']),
      status: z.union([z.literal(413), z.literal(415), z.literal(422)]),
      message: z.string().max(1000),
      messageEn: z.string().max(1000),
      reason: z.string().max(40).optional(),
    })
    .optional(),
});

const encoder = new TextEncoder();

/** Equal texts, compared without leaking where they differ (by digests of equal length). */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map(
      async (text) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))),
    ),
  );
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0;
}

const unauthorized = () =>
  new LoaError(
    401,
    'unauthorized',
    'A processing node authenticates with the deployment’s processing token (Authorization: Bearer …).',
    'Máy xử lý cần mã xử lý của hệ thống.',
  );

/**
 * The processing nodes' lane (`loa worker --edge URL --token T`): lease a job, fetch its source, send
 * the MP3 back or say why not. One token for the deployment (`LOA_PROCESSING_TOKEN`), set by whoever
 * runs the nodes; registered before the people's middleware, like the receivers' lane.
 */
export function processingRoutes(
  processing: ProcessingService,
  options: { readonly token: string; readonly media: MediaStore; readonly uploadLimitBytes: number },
) {
  const app = new Hono();
  app.use('/api/v1/processing/*', async function processingToken(c, next) {
    const header = c.req.header('authorization') ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1];
    if (!given || !(await sameSecret(given, options.token))) throw unauthorized();
    await next();
  });

  // A lease, a renewal or a failure is a few hundred bytes of JSON; only the MP3 streams.
  const small = limitBody(64 * 1024);

  const node = (c: Context) => {
    const parsed = NodeName.safeParse(c.req.query('node'));
    if (!parsed.success) {
      throw new LoaError(400, 'validation', 'Name the node: ?node=NAME.', 'Thiếu tên máy xử lý (?node=).');
    }
    return parsed.data;
  };

  app.post('/api/v1/processing/lease', small, async (c) => {
    const parsed = LeaseBody.safeParse(await readJson(c));
    if (!parsed.success) return zodProblem(c, parsed.error, 'json');
    const lease = await processing.lease(parsed.data.node);
    return lease ? c.json(lease) : c.body(null, 204);
  });

  app.post('/api/v1/processing/jobs/:id/lease', small, async (c) => {
    const parsed = LeaseBody.safeParse(await readJson(c));
    if (!parsed.success) return zodProblem(c, parsed.error, 'json');
    return c.json(await processing.renew(parsed.data.node, c.req.param('id')));
  });

  app.get('/api/v1/processing/jobs/:id/source', async (c) => {
    const source = await processing.source(node(c), c.req.param('id'));
    return c.body(source.body, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(source.size),
    });
  });

  app.post('/api/v1/processing/jobs/:id/result', async (c) => {
    const who = node(c);
    await using upload = await receiveUpload(c, options.media, options.uploadLimitBytes);
    const file = uploadedFile(upload);
    // The MP3 is measured and stored under its hash; the temporary upload goes when this request ends.
    return c.json(await processing.complete(who, c.req.param('id'), file.key));
  });

  app.post('/api/v1/processing/jobs/:id/failure', small, async (c) => {
    const parsed = FailureBody.safeParse(await readJson(c));
    if (!parsed.success) return zodProblem(c, parsed.error, 'json');
    const { node: who, ...failure } = parsed.data;
    return c.json(
      await processing.fail(who, c.req.param('id'), {
        error: failure.error,
        rejection: failure.rejection && {
          ...failure.rejection,
          reason: undefined,
        },
      }),
    );
  });

  return app;
}
