import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LoaError } from '../domain/errors.js';

export interface BodyLimitOptions {
  /** Largest body of a page's form post, in bytes. */
  readonly formBytes: number;
  /** Largest body of every other request (the API's JSON), in bytes. */
  readonly otherBytes: number;
  /** Whether a path belongs to the pages. */
  readonly isPage: (path: string) => boolean;
  /** Requests whose body streams to disk under a limit of its own (recordings). */
  readonly isStreamedUpload: (c: Context) => boolean;
}

const tooLarge = (maxBytes: number) => () => {
  const kb = Math.round(maxBytes / 1024);
  throw new LoaError(
    413,
    'body_too_large',
    `The request body is larger than ${kb} KB.`,
    `Dữ liệu gửi lên quá lớn (tối đa ${kb} KB).`,
  );
};

/** A body limit of its own for a lane registered before `limitBodies` (the processing nodes' JSON). */
export const limitBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({ maxSize: maxBytes, onError: tooLarge(maxBytes) });

/**
 * One body limit for every request that does not stream an upload, mounted before anything reads a body
 * (the CSRF check reads a urlencoded form). Hono's `bodyLimit` trusts Content-Length only where the
 * HTTP parser holds the body to it, and otherwise counts the bytes as they arrive, so a chunked body is cut
 * off at the limit too. A refusal is a 413 `LoaError`: problem+json for programs, the error page for people.
 */
export const limitBodies = (options: BodyLimitOptions): MiddlewareHandler => {
  for (const bytes of [options.formBytes, options.otherBytes]) {
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new Error(`body limit must be positive bytes: ${bytes}`);
  }
  const forms = bodyLimit({ maxSize: options.formBytes, onError: tooLarge(options.formBytes) });
  const others = bodyLimit({ maxSize: options.otherBytes, onError: tooLarge(options.otherBytes) });
  return async function limitBodies(c, next) {
    // Without a body to read; asking @hono/node-server for one would build a whole Request.
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || options.isStreamedUpload(c)) return next();
    return (options.isPage(c.req.path) ? forms : others)(c, next);
  };
};
