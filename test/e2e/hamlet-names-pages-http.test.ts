import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

const taken =
  'Xã đã có thôn &quot;Thôn Ún Tà&quot; (mã un-ta). Hãy đặt tên khác để lịch phát và báo cáo không bị nhầm thôn.';

/**
 * The hamlet pages over HTTP, as a browser without JavaScript: a name the commune has is refused at the
 * name, with what was typed kept; the delete confirmation names the people who still look after the hamlet.
 */
describe('hamlet names and the delete confirmation, over HTTP', () => {
  let h: Harness;
  let admin: CookieSession;
  beforeAll(async () => {
    h = await createHarness();
    admin = await signInPage(h, 'admin');
  });
  afterAll(() => h.close());

  const names = async () => {
    const res = await h.request('/api/v1/hamlets?limit=100', { token: h.tokens.admin });
    return ((await res.json()) as { items: { name: string }[] }).items.map((x) => x.name);
  };

  it('refuses adding a hamlet named like another, at the name, keeping the form', async () => {
    const res = await page(h, '/quan-tri/thon', admin, {
      name: 'thôn ún tà',
      'order-vi': '2',
      'order-giay': '1',
      lat: '22,56',
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(`<p class="field-error" id="name-error">${taken}</p>`);
    expect(html).toContain('value="thôn ún tà"');
    expect(html).toContain('value="22,56"');
    expect(await names()).not.toContain('thôn ún tà');
  });

  it('refuses renaming a hamlet to the name of another, at the name, keeping the form', async () => {
    const res = await page(h, '/quan-tri/thon/thon-9', admin, { name: 'THÔN ÚN TÀ', 'order-vi': '1' });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(`<p class="field-error" id="name-error">${taken}</p>`);
    expect(html).toContain('value="THÔN ÚN TÀ"');
    expect(await names()).toContain('Thôn số 9 (dữ liệu mẫu)');
  });

  it('warns on the delete confirmation of a hamlet people look after, naming them; not on another', async () => {
    const person = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'bi-thu-thon-7',
        password: userPassword,
        role: 'secretary',
        hamletIds: ['thon-7'],
        displayName: 'Lò Thị Mai',
      },
    });
    expect(person.status).toBe(201);
    const id = ((await person.json()) as { id: string }).id;
    expect(
      (
        await h.request(`/api/v1/users/${id}`, {
          method: 'PATCH',
          token: h.tokens.admin,
          json: { disabled: true },
        })
      ).status,
    ).toBe(200);

    const warned = await (await page(h, '/quan-tri/thon/thon-7/xoa', admin)).text();
    expect(warned).toContain('Thôn này còn trong phạm vi quản lý của 1 người dùng');
    expect(warned).toContain(`<a href="/quan-tri/nguoi-dung/${id}">Lò Thị Mai</a> (bi-thu-thon-7, đã khóa)`);
    const quiet = await (await page(h, '/quan-tri/thon/thon-6/xoa', admin)).text();
    expect(quiet).not.toContain('phạm vi quản lý');
  });
});
