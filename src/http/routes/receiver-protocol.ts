import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import {
  HeartbeatAnswerSchema,
  HeartbeatSchema,
  LogAnswerSchema,
  LogBatchSchema,
  ManifestSchema,
} from '../../domain/receiver/protocol.js';
import { CommandAckAnswerSchema, CommandAckSchema } from '../../domain/receiver/command.js';
import type { Services } from '../../services/index.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ReceiverSession } from '../../domain/receiver/receiver.js';
import { receiverAuth } from '../middleware/receiver-auth.js';
import { deviceHeader } from '../device-headers.js';
import { problemResponse } from '../problem.js';
import { jsonBody, jsonResponse, ProblemSchema } from '../schemas.js';
import { encodePush, openSseChannel } from '../sse.js';

const security = [{ Bearer: [] }];
const tags = ['Receiver protocol'];
const problems = {
  400: { description: 'Invalid input', content: { 'application/problem+json': { schema: ProblemSchema } } },
  401: {
    description: 'Missing, rotated or disabled device token',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;

/** When a push client counts as not reading and is cut off. */
export interface PushLimits {
  /** Bytes queued for it (default 64 KB). */
  readonly maxQueuedBytes?: number;
  /** Time that queued bytes wait without the client taking them (default 60 s). */
  readonly maxStallMs?: number;
}

export interface ReceiverProtocolOptions extends PushLimits {
  readonly logger: Logger;
  /**
   * Where push channels are held when not in this process: the edge profile hands the authenticated
   * request to its commune's Durable Object, which serves it with this same route. Absent: held here.
   */
  readonly holdPushElsewhere?:
    ((request: Request, session: ReceiverSession) => Promise<Response>) | undefined;
}

/** Largest request body of a device: a full log batch with details fits well below it. */
const DEVICE_BODY_LIMIT = 1024 * 1024;

// Routes whose body is built as text (manifest, event stream) return a plain Response; the schemas
// above still describe them in the OpenAPI document.
const untyped = (response: Response) => response as never;

/**
 * `/api/v1/receiver/*`: what loudspeaker receivers call with their device token (DESIGN.md "Receiver
 * protocol"). A lane of its own, mounted before the middleware for people: every box polls every
 * minute, and a request log line, browser security headers and a session lookup per poll cost more
 * than the poll itself (measured: a 304 at 14 % of a bare Hono "hello" with them). Writes keep a
 * request id and a body limit; every call keeps error logging.
 */
export function receiverProtocolRoutes(services: Services, options: ReceiverProtocolOptions) {
  const app = new OpenAPIHono();
  const auth = receiverAuth(services.receiverSync, options.logger);
  const maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024;
  const maxStallMs = options.maxStallMs ?? 60_000;

  // Writes get a request id (their refusals are worth tracing) and a body limit; polls get neither:
  // reading the body stream of a GET makes @hono/node-server build a full Request.
  const writeId = requestId({ headerName: 'X-Request-Id' });
  const limit = bodyLimit({
    maxSize: DEVICE_BODY_LIMIT,
    onError: (c) =>
      problemResponse(c, {
        code: 'body_too_large',
        status: 413,
        detail: `The request body is larger than ${DEVICE_BODY_LIMIT / 1024} KB; send smaller log batches.`,
        detailVi: `Dữ liệu gửi lên quá lớn (tối đa ${DEVICE_BODY_LIMIT / 1024} KB).`,
      }),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receiver/schedule',
      tags,
      security,
      middleware: [auth],
      description:
        "The receiver's hamlet's occurrences for the next 48 h in play order. Send the last ETag as If-None-Match: 304 when unchanged. X-Server-Time carries the server's clock on both answers.",
      // If-None-Match is read as sent: a header schema would parse every header of every poll.
      request: {},
      responses: {
        200: jsonResponse('The manifest', ManifestSchema),
        304: { description: 'Unchanged since the ETag sent' },
        ...problems,
      },
    }),
    async (c) => {
      const answer = await services.receiverSync.schedule(
        c.get('receiverSession')!,
        deviceHeader(c, 'if-none-match'),
      );
      const headers = {
        etag: answer.etag,
        'x-server-time': answer.serverTime,
        'cache-control': 'private, no-cache',
      };
      if (answer.body === null) return untyped(c.body(null, 304, headers));
      // A byte body with plain headers takes @hono/node-server's direct path, without Fetch objects.
      return untyped(
        new Response(answer.body, {
          status: 200,
          headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receiver/heartbeat',
      tags,
      security,
      middleware: [writeId, limit, auth],
      request: { body: jsonBody(HeartbeatSchema) },
      responses: {
        200: jsonResponse('Stored; the server clock and schedule version', HeartbeatAnswerSchema),
        ...problems,
      },
    }),
    async (c) =>
      c.json(await services.receiverSync.heartbeat(c.get('receiverSession')!, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receiver/logs',
      tags,
      security,
      middleware: [writeId, limit, auth],
      description:
        'Playback events, at most 1,000 per batch, idempotent by the receiver’s event id. A batch with an event for an unknown or another hamlet’s occurrence, a repeated id or an implausible time is refused whole (422, listing `rejected` events); send the rest again.',
      request: { body: jsonBody(LogBatchSchema) },
      responses: {
        200: jsonResponse('Stored; events already stored count as duplicates', LogAnswerSchema),
        ...problems,
        422: {
          description: 'Events refused',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) =>
      c.json(
        await services.receiverSync.ingestLogs(c.get('receiverSession')!, c.req.valid('json').events),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receiver/commands/{id}/ack',
      tags,
      security,
      middleware: [writeId, limit, auth],
      description:
        'The box’s answer to a command: `ok` and what it found (a test tone: what the player said). Idempotent: the same answer again returns the state it left. 404 for a command of another receiver; 409 once the command timed out or was cancelled (the receiver disabled or given a new token).',
      request: { params: z.object({ id: z.string().min(1).max(100) }), body: jsonBody(CommandAckSchema) },
      responses: {
        200: jsonResponse('Recorded', CommandAckAnswerSchema),
        ...problems,
        404: {
          description: 'No such command for this receiver',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
        409: {
          description: 'The command timed out or was cancelled',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) =>
      c.json(
        await services.receiverCommands.ack(
          c.get('receiverSession')!,
          c.req.valid('param').id,
          c.req.valid('json'),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receiver/events',
      tags,
      security,
      middleware: [auth],
      description:
        'Server-Sent Events: `schedule` {version} when the manifest changed (also once on connect), `play` {occurrenceId, items} for an emergency to play now, `stop` {occurrenceId}, `command` {id, kind, args, expiresAt} for remote control (also listed in heartbeat answers until answered). A comment every 25 s keeps the link open.',
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problems,
      },
    }),
    async (c) => {
      const session = c.get('receiverSession')!;
      if (options.holdPushElsewhere) return untyped(await options.holdPushElsewhere(c.req.raw, session));
      let disconnect = () => {};
      const channel = openSseChannel({ maxQueuedBytes, maxStallMs, onClose: () => disconnect() });
      disconnect = services.receiverHub.connect(session, {
        receiverId: session.id,
        tokenHash: session.tokenHash,
        deliver: (message) => channel.send(encodePush(message)),
        close: (retryMs) => {
          if (retryMs !== undefined) channel.send(new TextEncoder().encode(`retry: ${retryMs}\n\n`));
          channel.close();
        },
      });
      channel.send(new TextEncoder().encode('retry: 10000\n\n'));
      channel.send(encodePush({ type: 'schedule', version: session.scheduleVersion }));
      return untyped(
        c.body(channel.stream, 200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          // Reverse proxies (nginx) would otherwise hold events back in their buffers.
          'X-Accel-Buffering': 'no',
        }),
      );
    },
  );

  return app;
}
