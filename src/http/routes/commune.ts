import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { communeEtag, type StoredCommune } from '../../domain/commune.js';
import type { Services } from '../../services/index.js';
import { communeSettingsPatchSchema } from '../../services/seed/commune-file.js';
import { gate, requestContext } from '../middleware/gate.js';
import { jsonBody, jsonResponse, ProblemSchema, problemResponses } from '../schemas.js';

const CommuneSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    code: z.string(),
    provinceCode: z.string(),
    timeZone: z.string(),
    settings: z.record(z.string(), z.unknown()),
  })
  .openapi('Commune');

// The version travels in the ETag header alone: the body stays what it was before there was one.
const toDto = ({ settingsVersion: _, ...c }: StoredCommune) => ({
  ...c,
  settings: JSON.parse(JSON.stringify(c.settings)) as Record<string, unknown>,
});

const etagHeader = {
  ETag: {
    description: 'Strong entity tag of the commune; changes with every change of its settings',
    schema: { type: 'string' as const },
  },
};

const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({
    description:
      'The ETag of the commune as last read: the change is saved only if nobody changed the settings since (412 otherwise, nothing saved). Without it the change is saved over whatever is stored, only the fields sent (as before there was an ETag).',
  }),
});

const security = [{ Bearer: [] }];
const tags = ['Commune'];

export function communeRoutes(services: Services) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/commune',
      tags,
      security,
      middleware: [gate('commune.read')],
      responses: {
        200: {
          ...jsonResponse('Your commune and its broadcasting rules', CommuneSchema),
          headers: etagHeader,
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const commune = await services.communes.get(requestContext(c));
      return c.json(toDto(commune), 200, { ETag: communeEtag(commune) });
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/commune',
      tags,
      security,
      middleware: [gate('commune.manage')],
      description:
        'Change quiet hours, approval, loudness targets, emergency repeats or standing slots; only the fields sent change. Send the ETag of GET /api/v1/commune as If-Match to save only over what you read (412 when someone changed the settings since); without If-Match the change lands on whatever is stored. A slot a live series airs in cannot be removed or renamed (409). From then on the commune file no longer overrides the settings.',
      request: { headers: IfMatchHeader, body: jsonBody(communeSettingsPatchSchema) },
      responses: {
        200: { ...jsonResponse('Updated', CommuneSchema), headers: etagHeader },
        ...problemResponses,
        412: {
          description: 'The settings changed since the ETag sent in If-Match was read; nothing was saved',
          content: { 'application/problem+json': { schema: ProblemSchema } },
        },
      },
    }),
    async (c) => {
      const commune = await services.communes.updateSettings(requestContext(c), c.req.valid('json'), {
        ifMatch: c.req.valid('header')['if-match'],
      });
      return c.json(toDto(commune), 200, { ETag: communeEtag(commune) });
    },
  );

  return app;
}
