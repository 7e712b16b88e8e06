import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPagePath } from '../../src/http/web/paths.js';
import { createHarness, provinceAdminPassword, userPassword, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { origin, page, signInPage, type CookieSession } from './support.js';

/**
 * What of Quảng Kim would show on a page that leaks it: its name and the ids of its hamlets and users (a
 * bare "qk-" turns up by chance in random tokens).
 */
const quangKimMarks = /quang[- ]kim|qk-(?:thon|admin|officer|head|secretary)/i;

interface QuangKim {
  readonly announcement: string;
  readonly broadcast: string;
  readonly occurrence: string;
  readonly user: string;
}

/** Quảng Kim's id for each parameter of a page route, by the page it belongs to. */
function quangKimPath(route: string, qk: QuangKim): string | undefined {
  const [, path] = route.split(' ') as [string, string];
  const idOf = (param: string): string | undefined => {
    if (param === 'hamletId') return 'qk-thon-1';
    if (param === 'broadcastId') return qk.broadcast;
    if (/^\/(thong-bao|giam-sat\/(duyet|tu-choi))\//.test(path)) return qk.announcement;
    if (/^\/giam-sat\/(phat|khan-cap\/da-gui)\//.test(path)) return qk.broadcast;
    if (path.startsWith('/giam-sat/luot-phat/')) return qk.occurrence;
    if (/^\/(giam-sat|quan-tri)\/cum-loa\//.test(path)) return 'rx-qk-thon-1-1';
    if (path.startsWith('/quan-tri/thon/')) return 'qk-thon-1';
    if (path.startsWith('/quan-tri/nguoi-dung/')) return qk.user;
    // A province bulletin reaches a commune's inbox only when sent to it: to Cốc San, one sent elsewhere is
    // an id it never received (test/api/bulletins.test.ts sends real ones to each commune).
    if (path.startsWith('/ban-tin/')) return 'ban-tin-gui-xa-khac';
    // Likewise a CAP alert's item exists per commune it reached (test/api/cap-alerts.test.ts makes real ones).
    if (path.startsWith('/giam-sat/thien-tai/cap/')) return 'canh-bao-cua-xa-khac';
    return undefined;
  };
  let missing = false;
  const filled = path.replace(/:(\w+)/g, (_, param: string) => {
    const id = idOf(param);
    if (id === undefined) missing = true;
    return id ?? '';
  });
  return missing ? undefined : filled;
}

/** A post that every form of the pages would accept as it is, so that only the id can refuse it. */
const validForm = {
  reason: 'Nội dung chưa phù hợp',
  name: 'Tên mới',
  displayName: 'Tên mới',
  languages: 'vi',
  kind: 'slot',
  slotName: 'morning',
  slotDate: '2026-12-01',
  scope: 'one',
  confirm: 'yes',
  disabled: 'yes',
  hamletIds: 'all',
  slot: 'morning',
  date: '2026-12-01',
  place: 'first',
};

/**
 * The pages as tenants, over plain HTTP: a commune's staff never see another commune's data or the
 * switcher, and every page that takes an id answers 404 for another commune's; province staff switch
 * between their province's communes with a CSRF-protected form, and the province admin makes communes.
 */
describe('communes as tenants in the pages', () => {
  let h: Harness;
  let p: ProvinceFixture;
  let qk: QuangKim;
  const sessions: Record<string, CookieSession> = {};

  beforeAll(async () => {
    h = await createHarness();
    p = await provinceFixture(h);
    const made = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: p.other.tokens.officer,
      json: { title: 'Tin riêng Quang Kim', language: 'vi', text: 'Xin chào bà con Quang Kim.' },
    });
    const announcement = ((await made.json()) as { id: string }).id;
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: p.other.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['qk-thon-1'],
        at: '2026-11-28T02:00:00Z',
      },
    });
    const broadcast = (await booked.json()) as { id: string; occurrences: { id: string }[] };
    qk = {
      announcement,
      broadcast: broadcast.id,
      occurrence: broadcast.occurrences[0]!.id,
      user: p.other.userIds.secretary,
    };
    for (const user of ['admin', 'officer', 'head', 'secretary'] as const) {
      sessions[user] = await signInPage(h, user);
    }
    sessions.provinceOfficer = await signInPage(h, { username: 'can-bo-tinh', password: userPassword });
    sessions.provinceAdmin = await signInPage(h, { username: 'tinh', password: provinceAdminPassword });
  });
  afterAll(() => h.close());

  const withCookie = (session: CookieSession, cookie: string): CookieSession => ({
    ...session,
    cookie: `${session.cookie}; ${cookie}`,
  });

  it("answers 404 to a commune's staff on every page of another commune's id", async () => {
    const routes = h.runtime.app.routes
      .filter((r) => r.method !== 'ALL' && isPagePath(r.path) && r.path.includes(':'))
      .map((r) => `${r.method} ${r.path}`)
      // Language, static files, the listeners' pages (public for every commune: what aired, by design) and
      // the province's own pages (refused to commune staff by role).
      .filter((r) => !/ \/(ngon-ngu|tai-nguyen|nghe-lai|tinh)\//.test(r));
    expect(routes.length).toBeGreaterThan(20);
    for (const route of [...new Set(routes)]) {
      const path = quangKimPath(route, qk);
      expect(path, `no Quảng Kim id for ${route}`).toBeDefined();
      for (const user of ['admin', 'officer', 'head', 'secretary'] as const) {
        const res = await page(h, path!, sessions[user], route.startsWith('POST') ? validForm : undefined);
        // The page echoes the address typed (the language link comes back to it); nothing else of it.
        let body = await res.text();
        const segments = path!.split('/').sort((a, b) => b.length - a.length);
        for (const typed of [encodeURIComponent(path!), ...segments.filter((x) => x.length > 3)]) {
          body = body.replaceAll(typed, '');
        }
        // The admin may use every commune page: only 404 can answer. Others may be refused by role
        // first, which says nothing about the other commune.
        const allowed = user === 'admin' ? [404] : [403, 404];
        expect(allowed, `${route} as ${user}: ${res.status}`).toContain(res.status);
        expect(body, `${route} as ${user}`).not.toMatch(quangKimMarks);
      }
    }
    // Every post above was refused whole: Quảng Kim's things are as they were.
    const receiver = await h.request('/api/v1/receivers/rx-qk-thon-1-1', { token: p.other.tokens.admin });
    expect(((await receiver.json()) as { disabled: boolean }).disabled).toBe(false);
    const announcement = await h.request(`/api/v1/announcements/${qk.announcement}`, {
      token: p.other.tokens.admin,
    });
    expect(await announcement.json()).toMatchObject({ approval: 'pending', withdrawnAt: null });
    const hamlet = await h.request('/api/v1/hamlets/qk-thon-1', { token: p.other.tokens.admin });
    expect(((await hamlet.json()) as { name: string }).name).toBe('Thôn 1 Quang Kim (dữ liệu mẫu)');
  });

  it("answers 404 to the disaster bulletin form given another commune's content, opening no event", async () => {
    const choices = {
      announcementId: qk.announcement,
      event: 'new',
      eventName: 'Bão số 7',
      hazardType: 'storm',
      riskLevel: '3',
      agency: 'Đài Khí tượng Thủy văn tỉnh',
      issuedDate: '2026-11-27',
      issuedTime: '07:00',
      hamletIds: 'all',
    };
    for (const user of ['admin', 'officer'] as const) {
      const shown = await page(
        h,
        `/giam-sat/thien-tai/ban-tin/xac-nhan?${new URLSearchParams(choices).toString()}`,
        sessions[user],
      );
      expect(shown.status, user).toBe(404);
      expect(await shown.text()).not.toMatch(quangKimMarks);
      const posted = await page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', sessions[user], choices);
      expect(posted.status, user).toBe(404);
      expect(await posted.text()).not.toMatch(quangKimMarks);
    }
    const events = await h.request('/api/v1/disaster/events', { token: h.tokens.officer });
    expect(((await events.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("shows a commune's staff only their commune on every list, without the switcher", async () => {
    const lists = ['/thong-bao', '/lich-phat/un-ta', '/giam-sat', '/giam-sat/bao-cao', '/quan-tri/cum-loa'];
    for (const path of [...lists, '/quan-tri', '/quan-tri/thon', '/quan-tri/nguoi-dung']) {
      const res = await page(h, path, sessions.admin);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body, path).not.toMatch(quangKimMarks);
      expect(body, path).not.toContain('xa-dang-xem');
    }
    for (const user of ['officer', 'head', 'secretary'] as const) {
      const res = await page(h, '/thong-bao', sessions[user]);
      const body = await res.text();
      expect(body).not.toMatch(quangKimMarks);
      expect(body).not.toContain('xa-dang-xem');
    }
    // The switcher's cookie means nothing to a commune user, and its page and post are refused.
    const tricked = await page(h, '/thong-bao', withCookie(sessions.officer!, `loa_commune=${otherCommune}`));
    expect(tricked.status).toBe(200);
    expect(await tricked.text()).not.toMatch(quangKimMarks);
    expect((await page(h, '/tinh', sessions.admin)).status).toBe(403);
    const post = await page(h, '/tinh/xem-xa', sessions.admin, { xa: otherCommune });
    expect(post.status).toBe(403);
    expect(post.headers.getSetCookie().some((c) => c.startsWith('loa_commune='))).toBe(false);
  });

  it("lists the province's communes with their receivers online for its staff, and switches between them", async () => {
    const home = await page(h, '/tinh', sessions.provinceOfficer);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toMatch(/<tr data-commune="coc-san">[\s\S]*?Xã Cốc San[\s\S]*?0\/3/);
    expect(html).toMatch(/<tr data-commune="quang-kim">[\s\S]*?Quang Kim[\s\S]*?0\/2/);
    expect(html).toContain('id="xa-dang-xem"');
    // The officer makes no communes.
    expect(html).not.toContain('/tinh/xa/moi');

    const switched = await page(h, '/tinh/xem-xa', sessions.provinceOfficer, {
      xa: otherCommune,
      next: '/quan-tri/cum-loa',
    });
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/quan-tri/cum-loa');
    const cookie = switched.headers.getSetCookie().find((c) => c.startsWith('loa_commune='))!;
    expect(cookie).toMatch(/^loa_commune=quang-kim;.*HttpOnly/i);
    const viewing = withCookie(sessions.provinceOfficer!, 'loa_commune=quang-kim');
    const list = await (await page(h, '/quan-tri/cum-loa', viewing)).text();
    expect(list).toContain('Cụm loa thôn 1 Quang Kim');
    expect(list).not.toContain('Ún Tà');
    expect(list).toMatch(/<option value="quang-kim" selected/);

    // A detail page's id is the commune's: after switching, the switcher goes back to the list instead.
    const fromDetail = await page(h, '/tinh/xem-xa', sessions.provinceOfficer, {
      xa: 'coc-san',
      next: `/thong-bao/${qk.announcement}`,
    });
    expect(fromDetail.headers.get('location')).toBe('/tinh');
  });

  it('refuses a switch to a commune outside the province, and one without the CSRF token', async () => {
    const unknown = await page(h, '/tinh/xem-xa', sessions.provinceOfficer, { xa: 'xa-tinh-khac' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.getSetCookie().some((c) => c.startsWith('loa_commune='))).toBe(false);
    const forged = await h.runtime.app.request('/tinh/xem-xa', {
      method: 'POST',
      headers: {
        cookie: sessions.provinceOfficer!.cookie,
        origin,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ xa: otherCommune }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie().some((c) => c.startsWith('loa_commune='))).toBe(false);
  });

  it('keeps the province admin read-only inside a commune', async () => {
    const viewing = withCookie(sessions.provinceAdmin!, 'loa_commune=quang-kim');
    const hamlets = await page(h, '/quan-tri/thon', viewing);
    expect(hamlets.status).toBe(403);
    const write = await page(h, '/quan-tri/thon', viewing, { name: 'Thôn lén', languages: 'vi' });
    expect(write.status).toBe(403);
    const receivers = await page(h, '/quan-tri/cum-loa', viewing);
    expect(receivers.status).toBe(200);
    expect(await receivers.text()).toContain('Cụm loa thôn 1 Quang Kim');
  });

  it('makes a commune with its first admin on /tinh/xa/moi, shows the password once, and refuses bad input', async () => {
    const form = await page(h, '/tinh/xa/moi', sessions.provinceAdmin);
    expect(form.status).toBe(200);
    expect((await page(h, '/tinh/xa/moi', sessions.provinceOfficer)).status).toBe(403);

    const bad = await page(h, '/tinh/xa/moi', sessions.provinceAdmin, {
      name: 'Xã Bản Phố',
      code: '27',
      adminUsername: 'bp-admin',
      adminName: 'Quản trị Bản Phố',
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(/id="code-error"[^>]*>[^<]+/);
    expect(badHtml).toContain('value="Xã Bản Phố"');

    const taken = await page(h, '/tinh/xa/moi', sessions.provinceAdmin, {
      name: 'Xã Trùng',
      code: '02746',
    });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toMatch(/id="code-error"[^>]*>[^<]*02746/);

    const made = await page(h, '/tinh/xa/moi', sessions.provinceAdmin, {
      name: 'Xã Bản Phố',
      code: '02761',
      adminUsername: 'bp-admin',
      adminName: 'Quản trị Bản Phố',
    });
    expect(made.status).toBe(200);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const html = await made.text();
    const password = html.match(/data-admin-password[^>]*>([^<]+)</)?.[1];
    expect(password).toBeDefined();
    const admin = await signInPage(h, { username: 'bp-admin', password: password! });
    const hamlets = await page(h, '/quan-tri/thon', admin);
    expect(hamlets.status).toBe(200);
    const text = await hamlets.text();
    expect(text).not.toMatch(quangKimMarks);
    expect(text).not.toContain('Ún Tà');

    const home = await (await page(h, '/tinh', sessions.provinceAdmin)).text();
    expect(home).toContain('data-commune="ban-pho"');
  });

  it("falls back to the user's own commune when the switcher's commune is deleted", async () => {
    const viewing = withCookie(sessions.provinceOfficer!, 'loa_commune=ban-pho');
    expect(await (await page(h, '/tinh', viewing)).text()).toMatch(/<option value="ban-pho" selected/);
    // The province admin deletes it from /tinh; the officer may not, and nobody may delete the province's own.
    expect((await page(h, '/tinh/xa/ban-pho/xoa', sessions.provinceOfficer, {})).status).toBe(403);
    const own = await page(h, '/tinh/xa/coc-san/xoa', sessions.provinceAdmin, {});
    expect(own.status).toBe(409);
    expect(await own.text()).toContain('Cán bộ tỉnh đăng nhập từ Xã Cốc San');
    const gone = await page(h, '/tinh/xa/ban-pho/xoa', sessions.provinceAdmin, {});
    expect(gone.status).toBe(303);
    expect(gone.headers.get('location')).toBe('/tinh?tb=deleted');
    const list = await (await page(h, '/tinh?tb=deleted', sessions.provinceAdmin)).text();
    expect(list).toContain('Đã xóa xã.');
    expect(list).not.toContain('data-commune="ban-pho"');
    expect((await page(h, '/tinh/xa/ban-pho/xoa', sessions.provinceAdmin, {})).status).toBe(404);
    const res = await page(h, '/quan-tri/cum-loa', viewing);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<option value="coc-san" selected/);
    expect(html).not.toContain('ban-pho');
  });
});
