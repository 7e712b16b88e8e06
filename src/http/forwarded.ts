import type { Context, MiddlewareHandler } from 'hono';
import './env.js';

/**
 * The entry of a comma-separated forwarding header (`X-Forwarded-For`, `X-Forwarded-Proto`) that the
 * outermost of `hops` trusted reverse proxies wrote. Each proxy appends what it saw to what it was sent,
 * so the entries further left were written by the client and prove nothing; with fewer entries than
 * hops, the leftmost is the furthest anyone can tell (Express's `trust proxy` with a number does the same).
 * Undefined without trusted proxies or without the header.
 *
 * @example fromTrustedHop('6.6.6.6, 203.0.113.9', 1) // '203.0.113.9'
 * @example fromTrustedHop('6.6.6.6, 203.0.113.9, 10.0.0.2', 2) // '203.0.113.9'
 */
export function fromTrustedHop(header: string | undefined, hops: number): string | undefined {
  if (hops <= 0 || !header) return undefined;
  const entries = header.split(',');
  return entries[Math.max(0, entries.length - hops)]?.trim() || undefined;
}

/**
 * Sets the request's public origin, as the browser wrote it, for the handlers after it: the request's
 * own, with the scheme that the trusted proxies report in X-Forwarded-Proto (a proxy that ends TLS
 * forwards plain HTTP). Cookies get `Secure` and origins are compared by it.
 */
export const publicOrigin = (trustedProxies: number): MiddlewareHandler =>
  async function publicOrigin(c, next) {
    const url = new URL(c.req.url);
    const proto = fromTrustedHop(c.req.header('x-forwarded-proto'), trustedProxies)?.toLowerCase();
    c.set('publicOrigin', proto === 'https' || proto === 'http' ? `${proto}://${url.host}` : url.origin);
    await next();
  };

/** The origin the browser sees (`publicOrigin` above), e.g. `https://loa.example`. */
export function requestOrigin(c: Context): string {
  return c.get('publicOrigin') ?? new URL(c.req.url).origin;
}

/** Whether the browser reached us over HTTPS, directly or through a trusted proxy. */
export function isHttps(c: Context): boolean {
  return requestOrigin(c).startsWith('https:');
}
