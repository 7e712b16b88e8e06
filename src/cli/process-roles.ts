import type { AddressInfo } from 'node:net';
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
 * process exits anyway. A port it cannot take stops it, in one line naming HOST and PORT, before any
 * work begins.
 *
 * `worker` and `dispatch` listen too, but only for `/healthz`, `/readyz` and `/metrics`.
 */
export async function runProcess(
  config: Config,
  command: ProcessCommand,
  parts: ProcessParts,
): Promise<void> {
  const runtime = await commands.open(config, { role: command });
  const app = parts.http ? runtime.app.fetch : operationsApp(runtime).fetch;
  const name = command === 'start' || command === 'serve' ? 'Loa' : `Loa ${command}`;
  // The port is taken before any work starts (a second `loa start` by mistake would otherwise clear the
  // first one's uploads in progress as its own leftovers), and requests wait until that clean-up is done.
  let began!: () => void;
  const begun = new Promise<void>((done) => (began = done));
  let fetch: typeof app = async (...request) => {
    await begun;
    return app(...request);
  };
  const server: ServerType = serve({
    fetch: (...request) => fetch(...request),
    port: config.PORT,
    hostname: config.HOST,
    serverOptions: {
      keepAliveTimeout: config.KEEP_ALIVE_S * 1000,
      requestTimeout: config.REQUEST_TIMEOUT_S * 1000,
      // Node refuses a bound on the headers above the request's; both are checked twice within it.
      headersTimeout: Math.min(60_000, config.REQUEST_TIMEOUT_S * 1000),
      connectionsCheckingInterval: Math.min(30_000, config.REQUEST_TIMEOUT_S * 500),
    },
  });
  const refused = await listening(server);
  if (refused) {
    await runtime.close();
    throw listenRefusal(refused, config);
  }
  await runtime.startBackground({ jobs: parts.jobs, dispatcher: parts.dispatcher });
  fetch = app;
  began();
  // A dispatcher that (re)starts catches up at once instead of at the next half minute.
  if (parts.dispatcher)
    void runtime.dispatcher
      .tick()
      .catch((error: unknown) => runtime.logger.error({ err: String(error) }, 'dispatcher tick failed'));
  const port = (server.address() as AddressInfo).port;
  runtime.logger.info(
    { port, database: runtime.db.description, role: command },
    `${name} listening on http://localhost:${port}${parts.http ? '' : ' (health and metrics only)'}`,
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

/** Resolves once the server listens, or with the error that kept it from listening. */
function listening(server: ServerType): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      done(error);
    };
    const onListening = () => {
      server.off('error', onError);
      done(undefined);
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

const listenHints: Readonly<Record<string, string>> = {
  EADDRINUSE:
    'address already in use by another process (a Loa already running?): stop it, or set PORT to a free port',
  EACCES:
    'permission denied: ports below 1024 need privileges; set PORT to 1024 or above behind a reverse proxy',
  EADDRNOTAVAIL: 'not an address of this machine: set HOST to one of its addresses, or 0.0.0.0',
};

/** A listen error as one line naming the settings to change; its code keeps it one line in `main`. */
function listenRefusal(error: NodeJS.ErrnoException, config: Config): Error {
  const why = listenHints[error.code ?? ''] ?? error.message;
  return Object.assign(new Error(`HOST=${config.HOST} PORT=${config.PORT}: cannot listen, ${why}.`), {
    code: error.code,
  });
}

/** What a worker or dispatcher process answers: its health, its readiness, its metrics. */
function operationsApp(runtime: Awaited<ReturnType<typeof commands.open>>): Hono {
  const app = new Hono();
  app.use(runtime.metrics.observeRequests());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', runtime.operations);
  return app;
}
