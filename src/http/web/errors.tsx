import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { LoaError } from '../../domain/errors.js';
import { pageContext, SignInRequired, sendPage } from './page.js';
import { paths } from './paths.js';
import { Layout } from './ui.js';

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 507;

/** An error page for people: the service's Vietnamese (or English) message, with the HTTP status kept. */
export function errorPage(c: Context, status: ErrorStatus, message: string) {
  const p = pageContext(c);
  const title =
    status === 403 || status === 404 || status === 500 ? p.m.errorTitle[status] : p.m.errorTitle.other;
  return sendPage(
    c,
    <Layout p={p} title={title}>
      <div class="form-error" role="alert">
        <p>{message}</p>
      </div>
      {status === 403 ? <p>{p.m.forbiddenHint}</p> : null}
      <p>
        <a class="button secondary" href={paths.home}>
          {p.m.errorBack}
        </a>
      </p>
    </Layout>,
    status,
  );
}

const signInAt = (next: string) => `${paths.signIn}?next=${encodeURIComponent(next)}`;

/** The pages' `onError`: the same refusals as the API's problem documents, rendered as HTML. */
export function pageError(error: Error, c: Context): Response | Promise<Response> {
  if (error instanceof SignInRequired) return c.redirect(signInAt(error.next), 303);
  const lang = pageContext(c).lang;
  if (error instanceof LoaError) {
    if (error.status === 401)
      return c.redirect(signInAt(c.req.method === 'GET' ? c.req.path : paths.home), 303);
    return errorPage(
      c,
      // A page's form carries no If-Match header: a stale save it did not catch is a conflict to a person.
      error.status === 503 ? 500 : error.status === 412 ? 409 : error.status,
      lang === 'vi' ? error.detailVi : error.detail,
    );
  }
  if (error instanceof HTTPException) {
    const status = ([400, 413, 415] as const).find((s) => s === error.status) ?? 400;
    return errorPage(c, status, lang === 'vi' ? 'Yêu cầu không hợp lệ.' : error.message || 'Bad request.');
  }
  c.get('logger')?.error({ err: { message: error.message, stack: error.stack } }, 'unhandled page error');
  return errorPage(
    c,
    500,
    lang === 'vi'
      ? 'Máy chủ gặp lỗi. Lỗi đã được ghi lại, vui lòng thử lại.'
      : 'Something went wrong on the server. The error has been logged; please try again.',
  );
}

/** Whether a failure should be answered with a page rather than a problem document. */
export function wantsPage(c: Context, isPage: (path: string) => boolean): boolean {
  const path = c.req.path;
  if (path.startsWith('/api/') || path.startsWith('/media/')) return false;
  return isPage(path) || /\btext\/html\b/.test(c.req.header('accept') ?? '');
}
