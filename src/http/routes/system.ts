import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { jsonResponse } from '../schemas.js';

export interface HealthCheck {
  readonly ok: boolean;
  readonly detail: string;
}

export interface SystemRouteDeps {
  readonly db: Db;
  readonly version: string;
  /** Reports whether ffmpeg can be run and which one; given by the platform entry. */
  readonly ffmpegHealth: () => Promise<HealthCheck>;
}

const Check = z.object({ ok: z.boolean(), detail: z.string() });
const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  database: Check,
  ffmpeg: Check,
});

export function systemRoutes({ db, version, ffmpegHealth }: SystemRouteDeps) {
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
      const database = await sql`select 1 as ok`
        .execute(db.kysely)
        .then(() => ({ ok: true, detail: db.description }))
        .catch((error: Error) => ({ ok: false, detail: error.message }));
      const ffmpeg = await ffmpegHealth().catch((error: Error) => ({ ok: false, detail: error.message }));
      const ok = database.ok && ffmpeg.ok;
      return c.json(
        { status: ok ? ('ok' as const) : ('degraded' as const), version, database, ffmpeg },
        ok ? 200 : 503,
      );
    },
  );
  return app;
}
