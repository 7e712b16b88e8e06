import { Hono } from 'hono';
import type { MediaStore } from '../../domain/ports/media-store.js';
import { problemResponse } from '../problem.js';
import { sendAsset } from '../send-asset.js';

/** A link where the object store serves encoded audio itself, or null when it is not there. */
export type MediaLink = (sha256: string, ext: string) => Promise<string | null>;

/**
 * `GET /media/{sha256}.{ext}`: content-addressed audio, the hash as ETag, byte ranges for receivers
 * resuming a download on a weak link. The bytes never change but whether they may be served does: audio
 * that no live content uses (all of it withdrawn or refused) answers 404, so caches are told to check
 * again each time (`no-cache`: a 304 for the ETag they hold) rather than keep it for a year.
 */
export function mediaRoutes(
  media: MediaStore,
  isServed: (sha256: string) => Promise<boolean>,
  link?: MediaLink,
) {
  const app = new Hono();
  app.get('/media/:file{[0-9a-f]{64}\\.(mp3|opus)}', async (c) => {
    const [sha256, ext] = c.req.param('file').split('.') as [string, string];
    const notFound = () => {
      const res = problemResponse(c, {
        code: 'not_found',
        status: 404,
        detail: 'No audio with this hash, or the content using it was withdrawn or refused.',
        detailVi: 'Không tìm thấy tệp âm thanh này, hoặc thông báo dùng nó đã bị rút lại hay bị từ chối.',
      });
      // A 404 is cacheable by default; audio refused and approved again must be served again at once.
      res.headers.set('Cache-Control', 'no-store');
      return res;
    };
    // A HEAD is answered below from the size: the link is signed for a GET, which the bucket checks.
    if (link && c.req.method !== 'HEAD') {
      if (!(await isServed(sha256))) return notFound();
      // The bucket serves the bytes, Range and ETag included; the link is short-lived, so not cached long.
      const url = await link(sha256, ext);
      if (!url) return notFound();
      return c.redirect(url, 302);
    }
    const [size, served] = await Promise.all([media.sizeOfAsset(sha256, ext), isServed(sha256)]);
    if (size === null || !served) return notFound();
    return sendAsset(c, media, { sha256, ext, size }, 'public, no-cache', notFound);
  });
  return app;
}
