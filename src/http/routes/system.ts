import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { jsonResponse } from '../schemas.js';

export interface HealthCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * What the health check asks of the platform: can the database answer, can ffmpeg run. A `detail` is
 * shown to anyone: which database, which ffmpeg version, never a path.
 */
export interface HealthChecks {
  readonly database: () => Promise<HealthCheck>;
  readonly ffmpeg: () => Promise<HealthCheck>;
}

export interface SystemRouteDeps {
  readonly version: string;
  readonly health: HealthChecks;
}

const Check = z.object({ ok: z.boolean(), detail: z.string() });
const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  database: Check,
  ffmpeg: Check,
});

export function systemRoutes({ version, health }: SystemRouteDeps) {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['System'],
      responses: {
        200: jsonResponse('Database and ffmpeg work', Health),
        503: jsonResponse('Something the service needs is down', Health),
      },
    }),
    async (c) => {
      // The check is public and a failure's message names files, hosts or addresses: it goes to the log,
      // the answer only says what is down.
      const failed = (what: 'database' | 'ffmpeg', detail: string) => (error: unknown) => {
        c.get('logger')?.error({ err: String(error), check: what }, 'health check failed');
        return { ok: false, detail };
      };
      const [database, ffmpeg] = await Promise.all([
        health.database().catch(failed('database', 'database not reachable; see the server log')),
        health.ffmpeg().catch(failed('ffmpeg', 'ffmpeg not found or cannot run; see the server log')),
      ]);
      const ok = database.ok && ffmpeg.ok;
      return c.json(
        { status: ok ? ('ok' as const) : ('degraded' as const), version, database, ffmpeg },
        ok ? 200 : 503,
      );
    },
  );
  return app;
}
