import { Hono } from 'hono';
import { paths } from '../paths.js';
import { browserAudioJs } from './browser-audio.js';
import { composeJs } from './compose.js';
import { ffmpegBase, vendorFiles, type VendorFile } from './ffmpeg-vendor.js';
import { copyJs } from './copy.js';
import { css } from './css.js';
import { faviconSvg } from './favicon.js';
import { reachJs } from './reach.js';
import { sendJs } from './send.js';
import { scheduleJs } from './schedule.js';
import { statusJs } from './status.js';
import { toggleJs } from './toggle.js';

interface Asset {
  readonly body: string;
  readonly type: string;
  readonly version: string;
}

/** FNV-1a: a cheap content fingerprint for cache busting, not a security hash. */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

const asset = (body: string, type: string): Asset => ({ body, type, version: fingerprint(body) });

// Served from strings rather than files so that the same app runs on Workers, which has no file system.
const assets: Readonly<Record<string, Asset>> = {
  'app.css': asset(css, 'text/css; charset=utf-8'),
  'compose.js': asset(composeJs, 'text/javascript; charset=utf-8'),
  'send.js': asset(sendJs, 'text/javascript; charset=utf-8'),
  'status.js': asset(statusJs, 'text/javascript; charset=utf-8'),
  'reach.js': asset(reachJs, 'text/javascript; charset=utf-8'),
  'toggle.js': asset(toggleJs, 'text/javascript; charset=utf-8'),
  'schedule.js': asset(scheduleJs, 'text/javascript; charset=utf-8'),
  'favicon.svg': asset(faviconSvg, 'image/svg+xml'),
  'copy.js': asset(copyJs, 'text/javascript; charset=utf-8'),
  'browser-audio.js': asset(browserAudioJs, 'text/javascript; charset=utf-8'),
};

/** The address of a static file, with its fingerprint so that it can be cached for good. */
export function assetUrl(name: string): string {
  const found = assets[name];
  if (!found) throw new Error(`unknown asset ${name}`);
  return `${paths.assets}/${name}?v=${found.version}`;
}

/** A file of ffmpeg for the browser, read where the platform keeps it (node_modules on Node). */
export type VendorSource = (
  file: VendorFile,
) => Promise<{ readonly body: ReadableStream<Uint8Array>; readonly size: number } | null>;

export function assetRoutes(vendor?: VendorSource) {
  const app = new Hono();
  if (vendor) {
    // Versioned by the packages' versions: cached for good, fetched again only after an upgrade. (The edge
    // profile serves the same files as Workers static assets, with the same headers: wrangler.toml.)
    app.get(`${ffmpegBase}/:dir/:name`, async (c) => {
      const file = vendorFiles.find((f) => f.name === `${c.req.param('dir')}/${c.req.param('name')}`);
      const found = file && (await vendor(file));
      if (!file || !found) return c.notFound();
      return c.body(found.body, 200, {
        'Content-Type': file.type,
        'Content-Length': String(found.size),
        'Cache-Control': 'public, max-age=31536000, immutable',
      });
    });
  }
  app.get(`${paths.assets}/:name`, (c) => {
    const found = assets[c.req.param('name')];
    if (!found) return c.notFound();
    const versioned = c.req.query('v') === found.version;
    return c.body(found.body, 200, {
      'Content-Type': found.type,
      // A fingerprinted address never changes content; an unversioned one may after an upgrade.
      'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: `"${found.version}"`,
    });
  });
  // Browsers ask for /favicon.ico on their own (and for pages without a <link rel="icon">, like /docs):
  // the same SVG, which they accept whatever the name says.
  app.get('/favicon.ico', (c) => {
    const icon = assets['favicon.svg']!;
    return c.body(icon.body, 200, {
      'Content-Type': icon.type,
      'Cache-Control': 'public, max-age=86400',
      ETag: `"${icon.version}"`,
    });
  });
  return app;
}
