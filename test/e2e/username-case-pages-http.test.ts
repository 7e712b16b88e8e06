import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, createHarness, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

/** The sign-in page and the users page, over HTTP as a phone's browser: a name is one account in any case. */
describe('usernames in any case on the pages', () => {
  let h: Harness;
  let admin: CookieSession;
  beforeAll(async () => {
    h = await createHarness();
    // A phone keyboard that capitalises the first letter.
    admin = await signInPage(h, { username: 'Admin', password: adminPassword });
  });
  afterAll(() => h.close());

  it('signs "Admin" in as admin, shown as the name was made', async () => {
    const html = await (await page(h, '/quan-tri/nguoi-dung', admin)).text();
    expect(html).toMatch(/<strong>admin<\/strong>/);
  });

  it('refuses "HEAD" when head exists and "đức" when "Đức" exists, on the username field', async () => {
    const add = (username: string) =>
      page(h, '/quan-tri/nguoi-dung', admin, {
        username,
        password: 'mot mat khau dai',
        role: 'commune_officer',
        displayName: username,
      });
    expect((await add('Đức')).status).toBe(303);
    for (const username of ['HEAD', 'đức']) {
      const res = await add(username);
      expect(res.status, username).toBe(409);
      expect(await res.text()).toContain(
        `<p class="field-error" id="username-error">Tên đăng nhập &quot;${username}&quot; đã có người dùng.</p>`,
      );
    }
    const wrong = await h.runtime.app.request('/dang-nhap', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ username: 'ĐỨC', password: 'not the password' }).toString(),
    });
    expect(wrong.status).toBe(401);
    await signInPage(h, { username: 'ĐỨC', password: 'mot mat khau dai' }, '10.0.0.2');
  });
});
