import type { Context } from 'hono';
import { csrfRefusal, isCsrfTokenValid, isSameOrigin } from '../middleware/auth.js';

/**
 * Before a page's multipart form is read: it must come from our own origin. The API's CSRF middleware
 * cannot look inside a multipart body without buffering a whole recording, so these pages check here.
 */
export function assertSameOrigin(c: Context): void {
  if (c.get('auth')?.via === 'cookie' && !isSameOrigin(c)) throw csrfRefusal();
}

/** After the multipart fields are read: the `_csrf` field must equal the `loa_csrf` cookie (double submit). */
export function assertFormToken(c: Context, sent: string | undefined): void {
  if (c.get('auth')?.via === 'cookie' && !isCsrfTokenValid(c, sent)) throw csrfRefusal();
}
