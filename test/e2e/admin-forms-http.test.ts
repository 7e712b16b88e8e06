import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { origin, page, signInPage, type CookieSession } from './support.js';

/** The forms that edit and delete hamlets and change receivers, over HTTP as a browser without JavaScript. */
describe('hamlet and receiver forms over HTTP', () => {
  let h: Harness;
  let admin: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    admin = await signInPage(h, 'admin');
  });
  afterAll(() => h.close());

  /** A form post with the admin's cookies but a CSRF field and an origin of the caller's choosing. */
  const forged = (path: string, form: Record<string, string>, csrf: string, from = origin) =>
    h.runtime.app.request(path, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        origin: from,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });

  const api = async (path: string) => {
    const res = await h.request(path, { token: h.tokens.admin });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it.each([
    ['/quan-tri/thon/un-ta', { name: 'Thôn giả mạo', 'order-vi': '1' }],
    ['/quan-tri/thon/thon-9/xoa', { confirm: 'yes' }],
    ['/quan-tri/cum-loa/rx-un-ta-1', { name: 'Cụm loa giả mạo', hamletId: 'thon-3' }],
    ['/quan-tri/cum-loa/rx-un-ta-1/trang-thai', { disabled: 'yes' }],
    ['/quan-tri/cum-loa/rx-un-ta-1/doi-ma', {}],
  ])(
    'POST %s: refused without the CSRF token or from another site, and nothing changes',
    async (path, form) => {
      for (const res of [
        await forged(path, form, 'forged'),
        await forged(path, form, ''),
        await forged(path, form, admin.csrf, 'https://evil.example'),
      ]) {
        expect(res.status).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await res.text()).toContain('Biểu mẫu đã hết hạn hoặc được gửi từ trang khác.');
      }
      expect((await api('/api/v1/hamlets/un-ta')).body).toMatchObject({
        name: 'Thôn Ún Tà',
        languages: ['vi', 'giay'],
      });
      expect((await api('/api/v1/hamlets/thon-9')).status).toBe(200);
      expect((await api('/api/v1/receivers/rx-un-ta-1')).body).toMatchObject({
        name: 'Cụm loa Ún Tà — nhà văn hóa',
        hamletId: 'un-ta',
        disabled: false,
      });
    },
  );

  it('checks the language order: at least one, each position once, within the list', async () => {
    for (const [order, message] of [
      [{}, 'Hãy chọn ít nhất một ngôn ngữ.'],
      [{ 'order-vi': '1', 'order-giay': '1' }, 'Mỗi số thứ tự chỉ dùng cho một tiếng.'],
      [{ 'order-vi': '9' }, 'Giá trị chưa hợp lệ.'],
    ] as const) {
      const res = await page(h, '/quan-tri/thon/thon-9', admin, { name: 'Thôn Khe Cóc', ...order });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(`<p class="field-error" id="languages-error">${message}</p>`);
      expect(html).toContain('value="Thôn Khe Cóc"');
    }
    expect((await api('/api/v1/hamlets/thon-9')).body).toMatchObject({ name: 'Thôn số 9 (dữ liệu mẫu)' });
  });

  it('edits a hamlet, then deletes it only with the confirmation, by post and redirect', async () => {
    const saved = await page(h, '/quan-tri/thon/thon-9', admin, {
      name: '  Thôn Khe Cóc ',
      'order-giay': '1',
      'order-vi': '2',
      'order-hmn': '',
      lat: '22,71',
      lon: '104.34',
    });
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect(saved.headers.get('location')).toBe('/quan-tri/thon?tb=saved');
    expect((await api('/api/v1/hamlets/thon-9')).body).toMatchObject({
      name: 'Thôn Khe Cóc',
      languages: ['giay', 'vi'],
      lat: 22.71,
      lon: 104.34,
    });
    // The edit form shows what is stored, coordinates with a decimal comma.
    const form = await (await page(h, '/quan-tri/thon/thon-9', admin)).text();
    expect(form).toContain('value="22,71"');
    expect(form).toMatch(
      /<select id="order-giay"[^>]*><option value="">Không dùng<\/option><option value="1" selected="">/,
    );

    const unconfirmed = await page(h, '/quan-tri/thon/thon-9/xoa', admin, {});
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain(
      '<p class="field-error" id="confirm-error">Hãy đánh dấu ô xác nhận trước khi xóa.</p>',
    );
    expect((await api('/api/v1/hamlets/thon-9')).status).toBe(200);

    const deleted = await page(h, '/quan-tri/thon/thon-9/xoa', admin, { confirm: 'yes' });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/quan-tri/thon?tb=deletedHamlet');
    expect((await api('/api/v1/hamlets/thon-9')).status).toBe(404);
    const list = await (await page(h, '/quan-tri/thon?tb=deletedHamlet', admin)).text();
    expect(list).toContain('Đã xóa thôn.');
    expect(list).not.toContain('Thôn Khe Cóc');

    const again = await page(h, '/quan-tri/thon/thon-9/xoa', admin, { confirm: 'yes' });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('Không tìm thấy thôn &quot;thon-9&quot;.');
  });

  it("shows the service's refusal of an unknown hamlet next to the field and keeps the name typed", async () => {
    const res = await page(h, '/quan-tri/cum-loa/rx-un-ta-1', admin, {
      name: 'Cụm loa đầu bản',
      hamletId: 'khong-co',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(
      '<p class="field-error" id="hamletId-error">Không tìm thấy thôn &quot;khong-co&quot;.</p>',
    );
    expect(html).toContain('value="Cụm loa đầu bản"');
    expect((await api('/api/v1/receivers/rx-un-ta-1')).body).toMatchObject({
      name: 'Cụm loa Ún Tà — nhà văn hóa',
    });
  });

  it('disables and enables a receiver by post and redirect', async () => {
    const off = await page(h, '/quan-tri/cum-loa/rx-un-ta-1/trang-thai', admin, { disabled: 'yes' });
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe('/quan-tri/cum-loa?tb=receiverLocked');
    expect((await api('/api/v1/receivers/rx-un-ta-1')).body).toMatchObject({ disabled: true });
    const list = await (await page(h, '/quan-tri/cum-loa', admin)).text();
    expect(list).toContain('aria-label="Mở khóa: Cụm loa Ún Tà — nhà văn hóa"');
    const on = await page(h, '/quan-tri/cum-loa/rx-un-ta-1/trang-thai', admin, { disabled: 'no' });
    expect(on.headers.get('location')).toBe('/quan-tri/cum-loa?tb=receiverUnlocked');
    expect((await api('/api/v1/receivers/rx-un-ta-1')).body).toMatchObject({ disabled: false });
  });
});

/** The user form as the person it edits, and for the province's own staff, over HTTP. */
describe('the user form over HTTP', () => {
  let h: Harness;
  let province: ProvinceFixture;

  beforeAll(async () => {
    h = await createHarness();
    province = await provinceFixture(h);
  });
  afterAll(() => h.close());

  it('sends an admin to the password page for their own password, with no field to set it here', async () => {
    const admin = await signInPage(h, 'admin');
    const own = await (await page(h, `/quan-tri/nguoi-dung/${h.userIds.admin}`, admin)).text();
    expect(own).not.toContain('name="password"');
    expect(own).toContain('<a href="/tai-khoan">Đổi mật khẩu</a>');
    const other = await (await page(h, `/quan-tri/nguoi-dung/${h.userIds.secretary}`, admin)).text();
    expect(other).toContain('name="password"');
  });

  it('keeps a province officer a province officer when the province admin saves their page', async () => {
    const tinh = await signInPage(h, { username: 'tinh', password: provinceAdminPassword });
    const path = `/quan-tri/nguoi-dung/${province.userIds.provinceOfficer}`;
    const html = await (await page(h, path, tinh)).text();
    expect(html).toMatch(/<option value="province_officer" selected="">Cán bộ tỉnh<\/option>/);
    const form = Object.fromEntries(
      [...html.matchAll(/<option value="([a-z_]+)" selected="">/g)].map((m) => ['role', m[1]!]),
    );
    const saved = await page(h, path, tinh, {
      ...form,
      displayName: 'Cán bộ tỉnh',
      password: 'mật khẩu mới cấp lại',
    });
    expect(saved.status, await saved.clone().text()).toBe(303);
    const officer = (await (
      await h.request(`/api/v1/users/${province.userIds.provinceOfficer}`, {
        token: province.tokens.provinceAdmin,
      })
    ).json()) as { role: string };
    expect(officer.role).toBe('province_officer');
  });
});

/** The commune settings form over HTTP, with two admins at work. */
describe('the settings form over HTTP', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** What a browser posts for a form as it was shown: every input, radios and checkboxes if checked. */
  const shownForm = (html: string): Record<string, string> => {
    const form = /<form method="post" action="\/quan-tri" novalidate="">([\s\S]*?)<\/form>/.exec(html)![1]!;
    const fields: Record<string, string> = {};
    for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
      const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
      const type = attr('type');
      const name = attr('name');
      if (!name || name === '_csrf') continue;
      if ((type === 'radio' || type === 'checkbox') && !/\bchecked\b/.test(tag)) continue;
      fields[name] = (attr('value') ?? '').replaceAll('&amp;', '&').replaceAll('&quot;', '"');
    }
    return fields;
  };

  it('saves what one admin changed on the page and keeps what another saved meanwhile', async () => {
    const first = await signInPage(h, 'admin');
    const shown = shownForm(await (await page(h, '/quan-tri', first)).text());
    expect(shown.quietStart).toBe('21:30');

    // Another admin moves the quiet hours while the first one is still on the page.
    const other = await h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { quietHours: { start: '22:00', end: '05:00' } },
    });
    expect(other.status).toBe(200);

    const saved = await page(h, '/quan-tri', first, { ...shown, approvalRequired: 'no' });
    expect(saved.status, (await saved.clone().text()).slice(0, 300)).toBe(303);
    const settings = (
      (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
        settings: { quietHours: unknown; approvalRequired: boolean };
      }
    ).settings;
    expect(settings).toMatchObject({ quietHours: { start: '22:00', end: '05:00' }, approvalRequired: false });
  });
});
