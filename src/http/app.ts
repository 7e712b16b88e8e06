import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { except } from 'hono/combine';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Services } from '../services/index.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { Logger } from '../domain/ports/logger.js';
import type { MediaStore } from '../domain/ports/media-store.js';
import { limitBodies } from './body-limit.js';
import { renderDocs } from './docs.js';
import { publicOrigin } from './forwarded.js';
import './env.js';
import { csrfProtection, identifyUser } from './middleware/auth.js';
import { refuseNulInAddress } from './middleware/address.js';
import { problemResponse, toProblem, zodProblem } from './problem.js';
import { announcementRoutes } from './routes/announcements.js';
import { bulletinRoutes } from './routes/bulletins.js';
import { authRoutes } from './routes/auth.js';
import { broadcastRoutes } from './routes/broadcasts.js';
import { communeRoutes } from './routes/commune.js';
import { disasterRoutes } from './routes/disaster.js';
import { capAlertRoutes } from './routes/cap-alerts.js';
import { provinceRoutes } from './routes/province.js';
import { provinceExportRoutes } from './routes/province-export.js';
import { provinceIntegrationRoutes } from './routes/province-integrations.js';
import { provinceReportRoutes } from './routes/province-reports.js';
import { hamletRoutes } from './routes/hamlets.js';
import { processingRoutes } from './routes/processing.js';
import type { VendorSource } from './web/assets/index.js';
import { mediaRoutes, type MediaLink } from './routes/media.js';
import { monitoringRoutes } from './routes/monitoring.js';
import {
  receiverProtocolRoutes,
  type PushLimits,
  type ReceiverProtocolOptions,
} from './routes/receiver-protocol.js';
import { receiverRoutes } from './routes/receivers.js';
import { receiverCommandRoutes } from './routes/receiver-commands.js';
import { systemRoutes, type HealthChecks } from './routes/system.js';
import { userRoutes } from './routes/users.js';
import { isPagePath, isPageUpload, webRoutes, withPageErrors, withPageNotFound } from './web/index.js';

export interface AppDeps {
  readonly services: Services;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly version: string;
  /** The caller's address for rate limiting; the platform entry knows how to find it. */
  readonly clientIp: (c: Context) => string;
  readonly health: HealthChecks;
  /** Reverse proxies in front whose X-Forwarded-Proto is believed (default none). */
  readonly trustedProxies?: number;
  /** Largest JSON body accepted, in bytes. */
  readonly jsonBodyLimit?: number;
  readonly media: MediaStore;
  /**
   * A short-lived link of the object store for encoded audio (null when it is not there): with it,
   * `GET /media/…` redirects there instead of streaming the bytes through the service.
   */
  readonly mediaLink?: MediaLink;
  /** Largest accepted audio upload, in bytes. */
  readonly uploadLimitBytes: number;
  /** Bounds of a push client that stops reading. */
  readonly push?: PushLimits;
  /** Runs first around every request, devices' included (the Node profile's request metrics). */
  readonly observeRequests?: MiddlewareHandler;
  /** Routes for operators that the platform adds (the Node profile's `/readyz` and `/metrics`). */
  readonly operations?: Hono;
  /** Push channels held elsewhere (the edge profile's Durable Objects); see `receiverProtocolRoutes`. */
  readonly holdPushElsewhere?: ReceiverProtocolOptions['holdPushElsewhere'];
  /** What the upload page does with a recording in the browser (see `WebDeps`). */
  readonly browserAudio?: 'process' | 'shrink';
  /** Where ffmpeg's browser files are read from when the app serves them (Node). */
  readonly vendor?: VendorSource;
  /** The processing nodes' token (`LOA_PROCESSING_TOKEN`): without it, no node can lease audio jobs. */
  readonly processingToken?: string | undefined;
}

/**
 * Builds the whole HTTP application from its dependencies. Imports nothing Node-only, so the Node entry
 * and a Workers entry share it.
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return zodProblem(c, result.error, result.target);
    },
  });

  if (deps.observeRequests) app.use(deps.observeRequests);
  // Devices first: their lane skips the middleware for people below (see receiver-protocol.ts).
  app.route(
    '/',
    receiverProtocolRoutes(deps.services, {
      logger: deps.logger,
      ...deps.push,
      holdPushElsewhere: deps.holdPushElsewhere,
    }),
  );
  // Before the people's middleware: a load balancer or Prometheus is neither a user nor a browser.
  if (deps.operations) app.route('/', deps.operations);
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(refuseNulInAddress());
  app.use(publicOrigin(deps.trustedProxies ?? 0));
  app.use(async function logRequests(c, next) {
    const logger = deps.logger.child({ requestId: c.get('requestId') });
    c.set('logger', logger);
    const started = performance.now();
    await next();
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // ffmpeg.wasm compiles its WebAssembly in its worker (same origin, module script).
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'blob:'],
        // The parts of ffmpeg's WebAssembly are joined into a blob: address the worker fetches.
        connectSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  // Processing nodes: their own token and their own upload, before the people's middleware.
  if (deps.services.processing && deps.processingToken) {
    app.route(
      '/',
      processingRoutes(deps.services.processing, {
        token: deps.processingToken,
        media: deps.media,
        uploadLimitBytes: deps.uploadLimitBytes,
      }),
    );
  }
  // Uploads stream to disk under their own limit; every other body is a small form or JSON, limited before
  // the CSRF check below reads a form.
  const isApiUpload = (c: Context) =>
    c.req.method === 'POST' &&
    !!c.req.header('content-type')?.startsWith('multipart/form-data') &&
    /^\/api\/v1\/(announcements(\/[^/]+\/variants(\/[^/]+\/original)?)?|province\/bulletins)$/.test(
      c.req.path,
    );
  app.use(
    limitBodies({
      formBytes: 256 * 1024,
      otherBytes: deps.jsonBodyLimit ?? 1024 * 1024,
      isPage: isPagePath,
      isStreamedUpload: (c) => isApiUpload(c) || isPageUpload(c),
    }),
  );
  // Receivers' routes are registered above and answer before this: no poll pays for a session lookup.
  app.use('*', identifyUser(deps.services.auth));
  // A page's multipart form (no JavaScript) cannot send the header; its route checks the `_csrf` field.
  app.use('*', except(isPageUpload, csrfProtection()));

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });
  app.route('/', systemRoutes({ version: deps.version, health: deps.health }));
  app.route('/', authRoutes({ services: deps.services, clientIp: deps.clientIp }));
  app.route('/', hamletRoutes(deps.services));
  app.route('/', userRoutes(deps.services));
  app.route('/', receiverRoutes(deps.services));
  app.route('/', receiverCommandRoutes(deps.services));
  app.route('/', broadcastRoutes(deps.services));
  app.route('/', disasterRoutes(deps.services));
  app.route('/', capAlertRoutes(deps.services, deps.clientIp));
  app.route('/', communeRoutes(deps.services));
  app.route('/', provinceRoutes(deps.services));
  app.route('/', provinceReportRoutes(deps.services));
  app.route('/', provinceIntegrationRoutes(deps.services));
  app.route('/', provinceExportRoutes(deps.services, deps.clientIp));
  app.route('/', announcementRoutes(deps.services, deps.media, deps.uploadLimitBytes));
  app.route('/', bulletinRoutes(deps.services, deps.media, deps.uploadLimitBytes));
  app.route('/', mediaRoutes(deps.media, deps.services.audio.isServed, deps.mediaLink));
  app.route('/', monitoringRoutes(deps.services));
  app.route(
    '/',
    webRoutes({
      services: deps.services,
      media: deps.media,
      uploadLimitBytes: deps.uploadLimitBytes,
      clock: deps.clock,
      clientIp: deps.clientIp,
      browserAudio: deps.browserAudio,
      vendor: deps.vendor,
    }),
  );

  const info = {
    title: 'Loa',
    version: deps.version,
    description: "Announcement pipeline of a Vietnamese commune's hamlet loudspeaker network.",
  };
  app.doc31('/openapi.json', { openapi: '3.1.0', info });
  app.get('/docs', (c) => c.html(renderDocs(app.getOpenAPI31Document({ openapi: '3.1.0', info }))));

  app.notFound(
    withPageNotFound((c) =>
      problemResponse(c, {
        code: 'not_found',
        status: 404,
        detail: `Nothing at ${c.req.method} ${c.req.path}. See /docs for the API.`,
        detailVi: 'Không tìm thấy trang hoặc địa chỉ này.',
      }),
    ),
  );
  app.onError(withPageErrors(toProblem));
  return app;
}

export type App = ReturnType<typeof createApp>;
