import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  COMMAND_KINDS,
  COMMAND_STATES,
  CommandInputSchema,
  type ReceiverCommand,
} from '../../domain/receiver/command.js';
import type { Services } from '../../services/index.js';
import { gate, requestContext } from '../middleware/gate.js';
import { IdParam, jsonBody, jsonResponse, named, problemResponses, ProblemSchema } from '../schemas.js';

const CommandInput = named(CommandInputSchema, 'ReceiverCommandInput');

export const ReceiverCommandSchema = z
  .object({
    id: z.string(),
    receiverId: z.string(),
    hamletId: z.string(),
    kind: z.enum(COMMAND_KINDS),
    args: z.record(z.string(), z.unknown()),
    issuedBy: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    state: z.enum(COMMAND_STATES),
    deliveredAt: z.string().nullable(),
    answeredAt: z.string().nullable(),
    result: z.string().nullable(),
  })
  .openapi('ReceiverCommand');

const Commands = z.object({ items: z.array(ReceiverCommandSchema) });

export const toCommandDto = (c: ReceiverCommand) => ({ ...c, args: { ...c.args } });

const security = [{ Bearer: [] }];
const tags = ['Receivers'];
const responses = {
  ...problemResponses,
  409: {
    description: 'Receiver disabled, or a placeholder of the example commune that has never connected',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  422: {
    description: 'Invalid command',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;
const description =
  'Remote control: `volume` {volume 0–100}, `mute`, `unmute`, `hours` {hours: {on, off} local HH:MM, or null to lift them}, `refresh` (fetch the schedule now), `restart` (the agent restarts its loop), `test_tone` (plays a tone now and reports what the player said). Travels on the push channel and in heartbeat answers; the box answers, or the command shows `timed_out` after its deadline (`superseded` when a newer one of the same setting was sent, `cancelled` when the receiver was disabled or given a new token first; `result` then says why). Commune officers and admins; another commune’s ids are 404.';

/** `/api/v1/receivers/{id}/commands` and `/api/v1/hamlets/{id}/commands`: remote control of the boxes. */
export function receiverCommandRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/receivers/{id}/commands',
      tags,
      security,
      description,
      middleware: [gate('receiver.control')],
      request: { params: IdParam, body: jsonBody(CommandInput) },
      responses: { 202: jsonResponse('Issued; follow its state in the list', Commands), ...responses },
    }),
    async (c) => {
      const issued = await services.receiverCommands.issueToReceiver(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json({ items: issued.map(toCommandDto) }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/receivers/{id}/commands',
      tags,
      security,
      middleware: [gate('receiver.read')],
      request: { params: IdParam },
      responses: {
        200: jsonResponse('The receiver’s latest 50 commands, newest first', Commands),
        ...problemResponses,
      },
    }),
    async (c) => {
      const items = await services.receiverCommands.list(requestContext(c), c.req.valid('param').id);
      return c.json({ items: items.map(toCommandDto) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/hamlets/{id}/commands',
      tags,
      security,
      description: `${description} Sent to every enabled receiver of the hamlet, one command each.`,
      middleware: [gate('receiver.control')],
      request: { params: IdParam, body: jsonBody(CommandInput) },
      responses: { 202: jsonResponse('Issued, one per receiver', Commands), ...responses },
    }),
    async (c) => {
      const issued = await services.receiverCommands.issueToHamlet(
        requestContext(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json({ items: issued.map(toCommandDto) }, 202);
    },
  );

  return app;
}
