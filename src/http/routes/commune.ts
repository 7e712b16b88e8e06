import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Commune } from '../../domain/commune.js';
import type { Services } from '../../services/index.js';
import { communeSettingsPatchSchema } from '../../services/seed/commune-file.js';
import { gate, requestContext } from '../middleware/gate.js';
import { jsonBody, jsonResponse, problemResponses } from '../schemas.js';

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

const toDto = (c: Commune) => ({
  ...c,
  settings: JSON.parse(JSON.stringify(c.settings)) as Record<string, unknown>,
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
        200: jsonResponse('Your commune and its broadcasting rules', CommuneSchema),
        ...problemResponses,
      },
    }),
    async (c) => c.json(toDto(await services.communes.get(requestContext(c))), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/commune',
      tags,
      security,
      middleware: [gate('commune.manage')],
      description:
        'Change quiet hours, approval, loudness targets, emergency repeats or standing slots; only the fields sent change. A slot a live series airs in cannot be removed or renamed (409). From then on the commune file no longer overrides the settings.',
      request: { body: jsonBody(communeSettingsPatchSchema) },
      responses: { 200: jsonResponse('Updated', CommuneSchema), ...problemResponses },
    }),
    async (c) =>
      c.json(toDto(await services.communes.updateSettings(requestContext(c), c.req.valid('json'))), 200),
  );

  return app;
}
