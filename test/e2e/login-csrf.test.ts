import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { passwordOf } from './support.js';

/** A form on another site posting to the sign-in page would sign the victim into the attacker's account. */
describe('sign-in form posted from another site', () => {
  let h: Harness;
  let server: RealServer;
  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const signIn = (headers: Record<string, string>) =>
    fetch(`${server.url}/dang-nhap`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        'x-forwarded-for': '10.8.0.1',
        ...headers,
      },
      body: new URLSearchParams({ username: 'head', password: passwordOf('head') }).toString(),
    });

  it.each<Record<string, string>>([
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { referer: 'https://evil.example/trap.html' },
    { 'sec-fetch-site': 'cross-site' },
  ])('is refused with the Vietnamese 403 page and no cookie: %o', async (headers) => {
    const res = await signIn(headers);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toContain('Biểu mẫu đã hết hạn hoặc được gửi từ trang khác.');
  });

  it.each<Record<string, string>>([
    { origin: 'SERVER' },
    { referer: 'SERVER/dang-nhap?next=%2Flich-phat' },
    { 'sec-fetch-site': 'same-origin' },
    {},
  ])('signs in from this site: %o', async (template) => {
    const headers = Object.fromEntries(
      Object.entries(template).map(([k, v]) => [k, v.replace('SERVER', server.url)]),
    );
    const res = await signIn(headers);
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('loa_session='))).toBe(true);
  });
});
