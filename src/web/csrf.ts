import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrfCookie } from '../api/env.js';
import { LoaError } from '../domain/errors.js';

const expired = () =>
  new LoaError(
    403,
    'csrf',
    'This form has expired or came from another site. Reload the page and try again.',
    'Biểu mẫu đã hết hạn hoặc được gửi từ trang khác. Hãy tải lại trang và thử lại.',
  );

/**
 * Before a page's multipart form is read: it must come from our own origin. The same test as the API's
 * CSRF middleware, which cannot look inside a multipart body without buffering a whole recording.
 */
export function assertSameOrigin(c: Context): void {
  if (c.get('auth')?.via !== 'cookie') return;
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  const same = origin ? origin === new URL(c.req.url).origin : site ? site === 'same-origin' : true;
  if (!same) throw expired();
}

/** After the multipart fields are read: the `_csrf` field must equal the `loa_csrf` cookie (double submit). */
export function assertFormToken(c: Context, sent: string | undefined): void {
  if (c.get('auth')?.via !== 'cookie') return;
  const expected = getCookie(c, csrfCookie);
  if (!expected || sent !== expected) throw expired();
}
