import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { passwordOf } from './support.js';

/** The Set-Cookie lines of a response, by cookie name. */
function cookiesOf(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]));
}

const isSecure = (line: string | undefined) => /;\s*Secure(;|$)/i.test(line ?? '');

describe.each([
  { trustProxy: '1', trusted: true },
  { trustProxy: '0', trusted: false },
])('cookies with TRUST_PROXY=$trustProxy', ({ trustProxy, trusted }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { TRUST_PROXY: trustProxy });
  });
  afterAll(() => h?.close());

  /** The sign-in form as a browser posts it through a TLS-terminating proxy at https://localhost. */
  const signInPage = (headers: Record<string, string>) =>
    h.runtime.app.request('/dang-nhap', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        'x-forwarded-for': '10.6.0.1',
        ...headers,
      },
      body: new URLSearchParams({ username: 'officer', password: passwordOf('officer') }).toString(),
    });

  it(`${trusted ? 'marks' : 'does not mark'} the session and CSRF cookies Secure for X-Forwarded-Proto: https`, async () => {
    const page = await signInPage({
      origin: trusted ? 'https://localhost' : 'http://localhost',
      'x-forwarded-proto': 'https',
    });
    expect(page.status).toBe(303);
    const api = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'officer', password: passwordOf('officer') },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.6.0.1' },
    });
    expect(api.status).toBe(200);
    const language = await h.runtime.app.request('/ngon-ngu/en?next=/dang-nhap', {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(language.status).toBe(303);
    for (const [res, names] of [
      [page, ['loa_session', 'loa_csrf']],
      [api, ['loa_session', 'loa_csrf']],
      [language, ['loa_lang']],
    ] as const) {
      const cookies = cookiesOf(res);
      for (const name of names) {
        expect(cookies.get(name), name).toBeDefined();
        expect(isSecure(cookies.get(name)), cookies.get(name)).toBe(trusted);
      }
    }
  });

  it('does not mark them Secure over plain HTTP, nor when the client wrote https left of the proxy’s entry', async () => {
    for (const proto of [undefined, 'https, http']) {
      const res = await signInPage({
        origin: 'http://localhost',
        ...(proto && { 'x-forwarded-proto': proto }),
      });
      expect(res.status).toBe(303);
      const cookies = cookiesOf(res);
      expect(isSecure(cookies.get('loa_session'))).toBe(false);
      expect(isSecure(cookies.get('loa_csrf'))).toBe(false);
    }
  });

  it(`${trusted ? 'accepts' : 'refuses'} a cookie form from https://localhost through the proxy`, async () => {
    const signedIn = cookiesOf(await signInPage({ origin: 'http://localhost' }));
    const cookie = ['loa_session', 'loa_csrf'].map((n) => signedIn.get(n)!.split(';')[0]).join('; ');
    const csrf = signedIn.get('loa_csrf')!.split(';')[0]!.split('=')[1]!;
    const res = await h.runtime.app.request('/dang-xuat', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'https://localhost',
        'x-forwarded-proto': 'https',
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(res.status).toBe(trusted ? 303 : 403);
  });
});
