import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../domain/ports/logger.js';
import './env.js';
import { toProblem } from './problem.js';

/**
 * The answer to a request that came while the isolate could not start (D1 unreachable, its write lock
 * held too long), made by the API's own error handler since the app is part of what failed to start: a
 * `StoreUnavailableError` is a 503 problem with `Retry-After` that says, in English and in Vietnamese,
 * that nothing was saved and to try again in a few seconds; anything else is the 500 problem. Page
 * requests get the problem too, for its 503 and `Retry-After`, which the pages' error page does not carry.
 * @example
 * try { runtime = await runtimeFor(env) } catch (error) { return answerFailedStart(request, error, logger) }
 */
export async function answerFailedStart(request: Request, error: unknown, logger: Logger): Promise<Response> {
  const app = new Hono();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(async function attachLogger(c, next) {
    c.set('logger', logger.child({ requestId: c.get('requestId') }));
    await next();
  });
  app.all('*', () => {
    throw error instanceof Error ? error : new Error(String(error));
  });
  app.onError(toProblem);
  return app.fetch(request);
}
