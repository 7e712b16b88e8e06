import type { Context } from 'hono';
import type { MediaStore } from '../domain/ports/media-store.js';

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

/**
 * Answers a GET or HEAD for stored encoded audio of a known size: the hash as ETag (304 for a cache that
 * holds it), one byte range (206), or the whole file. `cacheControl` says who may keep it; `notFound`
 * answers when the file went away since its size was read.
 */
export async function sendAsset(
  c: Context,
  media: MediaStore,
  asset: { readonly sha256: string; readonly ext: string; readonly size: number },
  cacheControl: string,
  notFound: () => Response | Promise<Response>,
): Promise<Response> {
  const { sha256, ext, size } = asset;
  const etag = `"${sha256}"`;
  const headers: Record<string, string> = {
    'Content-Type': contentTypes[ext]!,
    'Cache-Control': cacheControl,
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
  const opened = await media.openAsset(sha256, ext, range);
  if (!opened) return notFound();
  return c.body(opened.body, answer.status, answer.headers);
}
