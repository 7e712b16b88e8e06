import { Hono } from 'hono';
import type { Context } from 'hono';
import { isProvinceRole } from '../../domain/actor.js';
import { assetRoutes } from './assets/index.js';
import { accountRoutes } from './pages/account.js';
import type { WebDeps } from './deps.js';
import { errorPage, pageError, wantsPage } from './errors.js';
import { pageContext } from './page.js';
import { isMultipartPagePost, isPagePath } from './paths.js';
import { adminHamletRoutes } from './pages/admin-hamlets.js';
import { adminReceiverRoutes } from './pages/admin-receivers.js';
import { adminUserRoutes } from './pages/admin-users.js';
import { adminRoutes } from './pages/admin.js';
import { announcementRoutes } from './pages/announcements.js';
import { bulletinPageRoutes } from './pages/bulletins.js';
import { coverageRoutes } from './pages/coverage.js';
import { emergencyRoutes } from './pages/emergency.js';
import { monitorRoutes } from './pages/monitor.js';
import { listenAgainRoutes } from './pages/listen-again.js';
import { disasterRoutes } from './pages/disaster.js';
import { disasterFormRoutes } from './pages/disaster-form.js';
import { playbackRoutes } from './pages/playback.js';
import { provinceCommuneRoutes } from './pages/province-communes.js';
import { provinceReportRoutes } from './pages/province-report.js';
import { provinceTokenRoutes } from './pages/province-tokens.js';
import { provinceWebhookRoutes } from './pages/province-webhooks.js';
import { scheduleRoutes } from './pages/schedule.js';
import { sessionRoutes } from './pages/session.js';

export type { WebDeps } from './deps.js';
export { isPagePath } from './paths.js';

/**
 * The pages for the four roles, server-rendered with hono/jsx and mounted into the API's app, so they
 * share its session cookie, CSRF check, security headers and services. Routes are thin: they call a
 * service and render; every rule stays in the services and the one policy.
 */
export function webRoutes(deps: WebDeps) {
  const app = new Hono();
  app.route('/', assetRoutes(deps.vendor));
  // Every page of a province user offers the commune switcher; commune users never get the list.
  app.use('*', async function communeChoices(c, next) {
    const auth = c.get('auth');
    if (auth && isProvinceRole(auth.actor.role) && isPagePath(c.req.path)) {
      const ctx = { actor: auth.actor, requestId: c.get('requestId') };
      c.set(
        'communeChoices',
        (await deps.services.communes.list(ctx)).map((x) => ({ id: x.id, name: x.name })),
      );
    }
    await next();
  });
  app.route('/', sessionRoutes(deps));
  app.route('/', accountRoutes(deps));
  app.route('/', announcementRoutes(deps));
  app.route('/', scheduleRoutes(deps));
  app.route('/', disasterRoutes(deps));
  app.route('/', disasterFormRoutes(deps));
  app.route('/', monitorRoutes(deps));
  app.route('/', emergencyRoutes(deps));
  app.route('/', coverageRoutes(deps));
  app.route('/', playbackRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', adminHamletRoutes(deps));
  app.route('/', adminUserRoutes(deps));
  app.route('/', adminReceiverRoutes(deps));
  app.route('/', provinceCommuneRoutes(deps));
  app.route('/', provinceReportRoutes(deps));
  app.route('/', provinceTokenRoutes(deps));
  app.route('/', provinceWebhookRoutes(deps));
  app.route('/', bulletinPageRoutes(deps));
  app.route('/', listenAgainRoutes(deps));
  app.onError(pageError);
  return app;
}

/** The app's `onError`, answering page requests with an HTML page and everything else as before. */
export const withPageErrors =
  (api: (error: Error, c: Context) => Response | Promise<Response>) => (error: Error, c: Context) =>
    wantsPage(c, isPagePath) ? pageError(error, c) : api(error, c);

/** The app's `notFound`, with an HTML page for people and the API's answer for programs. */
export const withPageNotFound = (api: (c: Context) => Response | Promise<Response>) => (c: Context) =>
  wantsPage(c, isPagePath)
    ? errorPage(
        c,
        404,
        pageContext(c).lang === 'vi' ? 'Không tìm thấy trang này.' : 'This page does not exist.',
      )
    : api(c);

/** Whether the API's CSRF middleware must let a page's multipart post through to its own token check. */
export const isPageUpload = (c: Context): boolean =>
  isMultipartPagePost(c.req.method, c.req.path, c.req.header('content-type'));
