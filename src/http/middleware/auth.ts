import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isMachineToken } from '../../domain/api-token.js';
import { LoaError } from '../../domain/errors.js';
import type { AuthService } from '../../services/auth.service.js';
import {
  communeCookie,
  communeHeader,
  csrfCookie,
  csrfHeader,
  sessionCookie,
  type UserAuth,
} from '../env.js';
import { requestOrigin } from '../forwarded.js';

const unauthenticated = new LoaError(
  401,
  'unauthenticated',
  'Sign in first: send "Authorization: Bearer <token>" from POST /api/v1/auth/login.',
  'Bạn cần đăng nhập trước.',
);

const machineTokenRefused = new LoaError(
  401,
  'machine_token_not_accepted',
  'A machine token opens only the province export (/api/v1/province/reports/…); sign in as a person for this call.',
  'Mã máy chỉ dùng được cho dữ liệu xuất của tỉnh (/api/v1/province/reports/…); cuộc gọi này cần đăng nhập bằng tài khoản người dùng.',
);

export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]{16,512})$/);
  return match?.[1];
}

/**
 * Resolves the user from a bearer token (API) or the session cookie (pages); never fails by itself,
 * except for province staff asking to look at a commune that is not their province's (404). They choose
 * it with the `X-Loa-Commune` header (API) or the commune switcher's cookie (pages).
 */
export const identifyUser = (auth: AuthService): MiddlewareHandler =>
  async function identifyUser(c, next) {
    const bearer = bearerToken(c);
    const cookie = bearer ? undefined : getCookie(c, sessionCookie);
    // A machine token is never a session: no lookup, and `requireUser` says where it does work.
    const token = bearer && isMachineToken(bearer) ? undefined : (bearer ?? cookie);
    let found: UserAuth | undefined;
    if (token) {
      const session = await auth.authenticateUser(token);
      if (session) {
        const asked = c.req.header(communeHeader);
        const chosen = bearer ? undefined : getCookie(c, communeCookie);
        let actor = session.actor;
        if (asked) actor = await auth.viewCommune(session.actor, asked);
        else if (chosen) {
          // The switcher's cookie may name a commune deleted since: the pages fall back to the user's own
          // commune (the switcher shows which) instead of answering 404 everywhere.
          actor = await auth.viewCommune(session.actor, chosen).catch((error: unknown) => {
            if (error instanceof LoaError && error.status === 404) return session.actor;
            throw error;
          });
        }
        found = { ...session, actor, via: bearer ? 'bearer' : 'cookie' };
      }
    }
    c.set('auth', found);
    await next();
  };

export function requireUser(c: Context): UserAuth {
  const auth = c.get('auth');
  if (!auth) throw isMachineToken(bearerToken(c) ?? '') ? machineTokenRefused : unauthenticated;
  return auth;
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfRefusal = () =>
  new LoaError(
    403,
    'csrf',
    'This form has expired or came from another site. Reload the page and try again.',
    'Biểu mẫu đã hết hạn hoặc được gửi từ trang khác. Hãy tải lại trang và thử lại.',
  );

/**
 * Whether a form post comes from our own pages: the Origin header when the browser sent one (`null` from
 * a sandboxed or no-referrer page is foreign), else Sec-Fetch-Site and the Referer's origin, each where
 * sent. A request with none of them is not from a browser that a foreign page could drive.
 */
export function isSameOrigin(c: Context): boolean {
  const ours = requestOrigin(c);
  const origin = c.req.header('origin');
  if (origin !== undefined) return origin === ours;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const referer = c.req.header('referer');
  if (referer === undefined) return true;
  try {
    return new URL(referer).origin === ours;
  } catch {
    return false;
  }
}

/** The double-submit check: the token sent equals the `loa_csrf` cookie. */
export function isCsrfTokenValid(c: Context, sent: string | undefined): boolean {
  const expected = getCookie(c, csrfCookie);
  return !!expected && sent === expected;
}

/**
 * CSRF protection for cookie sessions: a write must come from our own origin and carry the double-submit
 * token (header `X-CSRF-Token` or form field `_csrf`) equal to the `loa_csrf` cookie. Bearer-token calls
 * are not sent by browsers on their own and need neither.
 */
export const csrfProtection = (): MiddlewareHandler =>
  async function csrfProtection(c, next) {
    const auth = c.get('auth');
    if (auth?.via === 'cookie' && unsafe.has(c.req.method)) {
      let sent = c.req.header(csrfHeader);
      if (!sent && c.req.header('content-type')?.startsWith('application/x-www-form-urlencoded')) {
        const form = await c.req.raw.clone().formData();
        const field = form.get('_csrf');
        sent = typeof field === 'string' ? field : undefined;
      }
      if (!isSameOrigin(c) || !isCsrfTokenValid(c, sent)) throw csrfRefusal();
    }
    await next();
  };
