import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { requestId } from 'hono/request-id';
import { LoaError } from './domain/errors.js';
import type { Logger } from './domain/ports/logger.js';
import { StoreUnavailableError } from './domain/ports/unavailable.js';
import { EdgeConfigError, type StartProblem } from './worker-config.js';
import './http/env.js';
import { toProblem } from './http/problem.js';
import { wantsPage } from './http/web/errors.js';
import { isPagePath } from './http/web/paths.js';

/** The API's words for a deployment that cannot start for its configuration: 503, with the names to fix. */
const notConfigured = (problems: readonly StartProblem[]) => {
  const names = problems.map((p) => p.name).join(', ');
  return new LoaError(
    503,
    'not_configured',
    `The server cannot start until its operator fixes: ${names}. The log says why.`,
    `Máy chủ chưa khởi động được cho đến khi quản trị hệ thống sửa: ${names}.`,
  );
};

/** One line of the page per name: what a binding or a variable needs, never its value. */
const fixOf = (p: StartProblem) =>
  p.kind === 'binding'
    ? html`<li>
        <code>${p.name}</code>: chưa khai báo liên kết (binding) này trong <code>wrangler.toml</code>.
      </li>`
    : html`<li>
        <code>${p.name}</code>: giá trị chưa hợp lệ; đặt lại bằng <code>wrangler.toml</code> [vars] hoặc
        <code>wrangler secret put ${p.name}</code>.
      </li>`;

/**
 * The page a person gets while the app cannot be built: the pages' layout, styles and messages are part
 * of what failed, so it stands alone, in Vietnamese, with no link to anything the Worker serves.
 */
function failedStartPage(c: Context, error: unknown): Response | Promise<Response> {
  let body: ReturnType<typeof html>;
  if (error instanceof StoreUnavailableError) {
    c.header('Retry-After', String(error.retryAfterS));
    const what = error.store === 'database' ? 'Cơ sở dữ liệu' : 'Kho lưu âm thanh';
    body = html`<p>
      ${what} tạm thời không phản hồi nên trang chưa mở được. Hãy tải lại trang sau vài giây.
    </p>`;
  } else if (error instanceof EdgeConfigError) {
    body = html`<p>
        Máy chủ Loa chưa khởi động được vì cấu hình của bản triển khai chưa đúng. Quản trị hệ thống cần sửa:
      </p>
      <ul>
        ${error.problems.map(fixOf)}
      </ul>
      <p>
        rồi triển khai lại (<code>wrangler deploy</code>). Lý do chi tiết có trong nhật ký (<code
          >wrangler tail</code
        >).
      </p>`;
  } else {
    body = html`<p>
      Máy chủ Loa chưa khởi động được. Lỗi đã được ghi vào nhật ký (<code>wrangler tail</code>); hãy báo cho
      quản trị hệ thống.
    </p>`;
  }
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', "default-src 'none'");
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(
    html`<!doctype html>
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Loa chưa sẵn sàng</title>
        </head>
        <body>
          <main>
            <h1>Loa chưa sẵn sàng</h1>
            <div role="alert">${body}</div>
            <p><small>Mã yêu cầu: ${c.get('requestId')}</small></p>
          </main>
        </body>
      </html>`,
    503,
  );
}

/**
 * The answer to a request that came while the isolate could not start (D1 unreachable, its write lock
 * held too long, a missing binding or a bad variable), made without the app since the app is part of
 * what failed to start. The API gets the API's problem: a `StoreUnavailableError` is a 503 with
 * `Retry-After` that says nothing was saved, a configuration error a 503 `not_configured` naming what to
 * fix, anything else the 500 problem. A page gets a standalone Vietnamese page, 503, saying the same.
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
  app.onError((failure, c) => {
    const page = wantsPage(c, isPagePath);
    // The reasons (which variable, why) go to the operator's log; the answers name what, never a value.
    if (page || failure instanceof EdgeConfigError)
      c.get('logger').error({ err: failure.message }, 'the isolate could not start');
    if (page) return failedStartPage(c, failure);
    return toProblem(failure instanceof EdgeConfigError ? notConfigured(failure.problems) : failure, c);
  });
  return app.fetch(request);
}
