import { Hono } from 'hono';
import type { MediaStore } from '../../domain/ports/media-store.js';
import { problemResponse } from '../problem.js';

const contentTypes: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg; codecs=opus' };

/**
 * `bytes=a-b`, `bytes=a-` or `bytes=-n` against a size; null when unsatisfiable; undefined when absent or
 * to be ignored (RFC 9110 §14.2): another unit, several ranges (the whole file serves them), or a last
 * byte before the first.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? null : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  return start < size
    ? { start, end: match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1) }
    : null;
}

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
    const etag = `"${sha256}"`;
    const headers: Record<string, string> = {
      'Content-Type': contentTypes[ext]!,
      'Cache-Control': 'public, no-cache',
      ETag: etag,
      'Accept-Ranges': 'bytes',
    };
    const matches = c.req.header('if-none-match')?.split(',');
    if (matches?.some((m) => ['*', etag, `W/${etag}`].includes(m.trim()))) return c.body(null, 304, headers);
    const range = parseRange(c.req.header('range'), size);
    if (range === null) return c.body(null, 416, { ...headers, 'Content-Range': `bytes */${size}` });
    const answer = range
      ? {
          status: 206 as const,
          headers: {
            ...headers,
            'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
            'Content-Length': String(range.end - range.start + 1),
          },
        }
      : { status: 200 as const, headers: { ...headers, 'Content-Length': String(size) } };
    // A HEAD is answered from the size: the body Hono would drop unread would hold a file (or a socket) open.
    if (c.req.method === 'HEAD') return c.body(null, answer.status, answer.headers);
    const asset = await media.openAsset(sha256, ext, range);
    if (!asset) return notFound();
    return c.body(asset.body, answer.status, answer.headers);
  });
  return app;
}
