import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { LoginResult } from '../services/auth.service.js';
import { communeCookie, csrfCookie, sessionCookie } from './env.js';
import { isHttps } from './forwarded.js';

/**
 * The session as the browser keeps it: the token in an HttpOnly cookie, and the double-submit CSRF
 * token in a cookie the pages' scripts and forms can read, both `Secure` when the browser came over HTTPS
 * (directly or through a trusted proxy). The API's sign-in and the sign-in page both set them here.
 */
export function setSessionCookies(c: Context, session: LoginResult): void {
  const secure = isHttps(c);
  const expires = new Date(session.expiresAt);
  setCookie(c, sessionCookie, session.token, { httpOnly: true, sameSite: 'Lax', secure, path: '/', expires });
  setCookie(c, csrfCookie, session.csrfToken, {
    httpOnly: false,
    sameSite: 'Lax',
    secure,
    path: '/',
    expires,
  });
}

export function clearSessionCookies(c: Context): void {
  deleteCookie(c, sessionCookie, { path: '/' });
  deleteCookie(c, csrfCookie, { path: '/' });
  deleteCookie(c, communeCookie, { path: '/' });
}

/**
 * The commune a province user's pages show (the commune switcher): HttpOnly, for the session's browser
 * only; `identifyUser` checks it against the user's province on every request.
 */
export function setCommuneCookie(c: Context, communeId: string): void {
  setCookie(c, communeCookie, communeId, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: '/' });
}
