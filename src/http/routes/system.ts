import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { jsonResponse } from '../schemas.js';

export interface HealthCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * What the health check asks of the platform: can the database answer, can ffmpeg run, has the media
 * disk room (not ok below `MEDIA_MIN_FREE_MB`). A `detail` is shown to anyone: which database, which
 * ffmpeg version, how much room, never a path.
 */
export interface HealthChecks {
  readonly database: () => Promise<HealthCheck>;
  readonly ffmpeg: () => Promise<HealthCheck>;
  readonly media: () => Promise<HealthCheck & { readonly freeBytes: number | null }>;
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
  media: Check.extend({ freeBytes: z.number().nullable() }),
});

export function systemRoutes({ version, health }: SystemRouteDeps) {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['System'],
      responses: {
        200: jsonResponse('Database and ffmpeg work, and the media disk has room', Health),
        503: jsonResponse('Something the service needs is down', Health),
      },
    }),
    async (c) => {
      // The check is public and a failure's message names files, hosts or addresses: it goes to the log,
      // the answer only says what is down.
      const failed = (what: 'database' | 'ffmpeg' | 'media', detail: string) => (error: unknown) => {
        c.get('logger')?.error({ err: String(error), check: what }, 'health check failed');
        return { ok: false, detail };
      };
      const [database, ffmpeg, media] = await Promise.all([
        health.database().catch(failed('database', 'database not reachable; see the server log')),
        health.ffmpeg().catch(failed('ffmpeg', 'ffmpeg not found or cannot run; see the server log')),
        health.media().catch((error: unknown) => ({
          ...failed('media', 'media store not readable; see the server log')(error),
          freeBytes: null,
        })),
      ]);
      const ok = database.ok && ffmpeg.ok && media.ok;
      return c.json(
        { status: ok ? ('ok' as const) : ('degraded' as const), version, database, ffmpeg, media },
        ok ? 200 : 503,
      );
    },
  );
  return app;
}
