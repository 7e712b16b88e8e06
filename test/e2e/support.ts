import type { Harness } from '../support/harness.js';
import { adminPassword, userPassword, type FixtureUser } from '../support/harness.js';

export const origin = 'http://localhost';

/** A signed-in browser session as the pages see it: the cookie header and the CSRF token. */
export interface CookieSession {
  readonly cookie: string;
  readonly csrf: string;
}

export const passwordOf = (user: FixtureUser) => (user === 'admin' ? adminPassword : userPassword);

/**
 * Signs in through the sign-in page, as a browser would, and keeps its cookies: a fixture user, or any
 * user by name and password.
 */
export async function signInPage(
  h: Harness,
  user: FixtureUser | { readonly username: string; readonly password: string },
  ip = '10.0.0.1',
): Promise<CookieSession> {
  const { username, password } =
    typeof user === 'string' ? { username: user, password: passwordOf(user) } : user;
  const res = await h.runtime.app.request('/dang-nhap', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'x-forwarded-for': ip },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in page for ${username}: ${res.status} ${await res.text()}`);
  const jar = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const cut = pair!.indexOf('=');
    jar.set(pair!.slice(0, cut), pair!.slice(cut + 1));
  }
  return {
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    csrf: jar.get('loa_csrf') ?? '',
  };
}

/** A page request with the session's cookies; forms are posted urlencoded with the CSRF field. */
export function page(
  h: Harness,
  path: string,
  session?: CookieSession,
  form?: Record<string, string | string[]>,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'text/html', origin };
  if (session) headers.cookie = session.cookie;
  if (!form) return Promise.resolve(h.runtime.app.request(path, { headers }));
  const body = new URLSearchParams();
  if (session) body.append('_csrf', session.csrf);
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return Promise.resolve(h.runtime.app.request(path, { method: 'POST', headers, body: body.toString() }));
}
