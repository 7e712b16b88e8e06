import { Hono } from 'hono';

/** What a load balancer needs to hear before it sends this instance work. */
export interface ReadinessChecks {
  /** The database answers. */
  readonly database: () => Promise<void>;
  /** Migrations this build has that the database has not applied (another instance may be migrating). */
  readonly pendingMigrations: () => Promise<readonly string[]>;
  /** The media store answers (the bucket can be listed, the media folder read). */
  readonly media: () => Promise<void>;
  /** The process is stopping: it finishes what it has but takes nothing new. */
  readonly stopping: () => boolean;
}

/**
 * `GET /readyz`: 200 when this instance can serve (database reachable, schema current, media store
 * reachable), 503 otherwise or while it stops, so a load balancer takes it out before it closes.
 * `/healthz` stays the detailed, public health report; this one says only what is wrong, never where.
 */
export function readinessRoutes(checks: ReadinessChecks) {
  const app = new Hono();
  app.get('/readyz', async (c) => {
    const failed = (name: string) => (error: unknown) => {
      c.get('logger')?.error({ err: String(error), check: name }, 'readiness check failed');
      return false;
    };
    const [database, migrations, media] = await Promise.all([
      checks.database().then(() => true, failed('database')),
      checks.pendingMigrations().then((p) => p.length === 0, failed('migrations')),
      checks.media().then(() => true, failed('media')),
    ]);
    const stopping = checks.stopping();
    const ready = database && migrations && media && !stopping;
    return c.json(
      { status: ready ? 'ready' : stopping ? 'stopping' : 'not ready', database, migrations, media },
      ready ? 200 : 503,
      { 'Cache-Control': 'no-store' },
    );
  });
  return app;
}
