import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Config } from '../config.js';
import { commands } from './commands.js';

/** What a process runs: the HTTP service, the audio jobs, the dispatcher. */
export interface ProcessParts {
  readonly http: boolean;
  readonly jobs: boolean;
  readonly dispatcher: boolean;
}

/**
 * The commands that run the service and what each one runs. `start` is the embedded profile's one
 * process; the scale-out profile runs `serve` × N behind a reverse proxy, `worker` × M and `dispatch`
 * (any number: one holds the leader lock, the others wait for it).
 */
export const processRoles = {
  start: { http: true, jobs: true, dispatcher: true },
  serve: { http: true, jobs: false, dispatcher: false },
  worker: { http: false, jobs: true, dispatcher: false },
  dispatch: { http: false, jobs: false, dispatcher: true },
} as const satisfies Record<string, ProcessParts>;

export type ProcessCommand = keyof typeof processRoles;

/** How long push clients are told to wait before they reconnect to another instance (SSE `retry:`), at most. */
const RECONNECT_SPREAD_MS = 3000;

/**
 * Runs one of the service's processes until SIGTERM or SIGINT, then stops gracefully within
 * `SHUTDOWN_TIMEOUT_S`: `/readyz` turns 503, the listener takes no new connection, push channels
 * close with a `retry:` hint spread over a few seconds, requests in flight are answered, jobs still
 * running after half the bound are handed back to the queue, the database closes; past the bound the
 * process exits anyway.
 *
 * `worker` and `dispatch` listen too, but only for `/healthz`, `/readyz` and `/metrics`.
 */
export async function runProcess(
  config: Config,
  command: ProcessCommand,
  parts: ProcessParts,
): Promise<void> {
  const runtime = await commands.open(config, { role: command });
  await runtime.startBackground({ jobs: parts.jobs, dispatcher: parts.dispatcher });
  // A dispatcher that (re)starts catches up at once instead of at the next half minute.
  if (parts.dispatcher)
    void runtime.dispatcher
      .tick()
      .catch((error: unknown) => runtime.logger.error({ err: String(error) }, 'dispatcher tick failed'));
  const fetch = parts.http ? runtime.app.fetch : operationsApp(runtime).fetch;
  const name = command === 'start' || command === 'serve' ? 'Loa' : `Loa ${command}`;
  const server: ServerType = serve(
    {
      fetch,
      port: config.PORT,
      hostname: config.HOST,
      serverOptions: {
        keepAliveTimeout: config.KEEP_ALIVE_S * 1000,
        requestTimeout: config.REQUEST_TIMEOUT_S * 1000,
        // Node refuses a bound on the headers above the request's; both are checked twice within it.
        headersTimeout: Math.min(60_000, config.REQUEST_TIMEOUT_S * 1000),
        connectionsCheckingInterval: Math.min(30_000, config.REQUEST_TIMEOUT_S * 500),
      },
    },
    (info) =>
      runtime.logger.info(
        { port: info.port, database: runtime.db.description, role: command },
        `${name} listening on http://localhost:${info.port}${parts.http ? '' : ' (health and metrics only)'}`,
      ),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const boundMs = config.SHUTDOWN_TIMEOUT_S * 1000;
    runtime.logger.info({ signal, boundMs }, 'shutting down');
    setTimeout(() => {
      runtime.logger.warn({ boundMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, boundMs).unref();
    runtime.beginStopping();
    // Requests in flight are answered before the database closes, for half the bound at most.
    let idle: ReturnType<typeof setInterval> | undefined;
    const requestsDone = new Promise<void>((done) => {
      server.close(() => done());
      // A kept-alive connection falls idle once its last answer (a push channel's end) has gone out.
      if ('closeIdleConnections' in server)
        idle = setInterval(() => server.closeIdleConnections(), 100).unref();
      setTimeout(done, boundMs / 2).unref();
    }).finally(() => clearInterval(idle));
    // Open push channels would otherwise hold the server open until the forced exit.
    runtime.services.receiverHub.closeAll(RECONNECT_SPREAD_MS);
    void runtime.close({ handBackAfterMs: boundMs / 2, requestsDone }).then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/** What a worker or dispatcher process answers: its health, its readiness, its metrics. */
function operationsApp(runtime: Awaited<ReturnType<typeof commands.open>>): Hono {
  const app = new Hono();
  app.use(runtime.metrics.observeRequests());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', runtime.operations);
  return app;
}
