import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import {
  adminPassword,
  createHarness,
  provinceAdminPassword,
  userPassword,
  type Harness,
} from '../support/harness.js';

interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly detailVi: string;
  readonly errors?: readonly { readonly field: string }[];
}

/**
 * A username is one account whatever the case of its letters: a phone keyboard that capitalises the first
 * letter signs in, and no second account can look like the first. Also run on the edge's D1
 * (vitest.workers.config.ts).
 */
describe.each(dialects)('usernames that differ only in letter case, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  let ip = 0;
  const login = (username: string, password: string) =>
    h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password },
      headers: { 'x-forwarded-for': `198.51.100.${++ip}` },
    });
  const create = (username: string, role = 'commune_officer') =>
    h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: { username, password: userPassword, role, displayName: username },
    });

  it('signs "Admin" and "ADMIN" in as the user admin, who keeps the spelling it was made with', async () => {
    for (const typed of ['Admin', 'ADMIN', 'aDmIn']) {
      const res = await login(typed, adminPassword);
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as { user: { id: string; username: string } };
      expect(body.user).toMatchObject({ id: h.userIds.admin, username: 'admin' });
    }
    expect((await login('Admin', 'not the password')).status).toBe(401);
  });

  it('refuses "ADMIN" when admin exists: 409 with the taken message, nothing written', async () => {
    const before = await h.runtime.db.kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const username of ['ADMIN', 'Officer', 'HEAD']) {
      const res = await create(username);
      expect(res.status, username).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as Problem;
      expect(problem.detail).toBe(`The username "${username}" is taken.`);
      expect(problem.detailVi).toBe(`Tên đăng nhập "${username}" đã có người dùng.`);
      expect(problem.errors?.map((e) => e.field)).toEqual(['username']);
    }
    const after = await h.runtime.db.kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('folds Vietnamese letters too: "đức" is taken by "Đức", who signs in as "ĐỨC" and "đức"', async () => {
    const made = await create('Đức');
    expect(made.status, await made.clone().text()).toBe(201);
    const { id } = (await made.json()) as { id: string };
    for (const twin of ['đức', 'ĐỨC', 'đỨc', 'ĐỨC'.normalize('NFD')]) {
      const res = await create(twin);
      expect(res.status, twin).toBe(409);
      expect(((await res.json()) as Problem).detailVi).toContain('đã có người dùng');
    }
    for (const typed of ['đức', 'ĐỨC', 'Đức'.normalize('NFD')]) {
      const res = await login(typed, userPassword);
      expect(res.status, typed).toBe(200);
      expect(((await res.json()) as { user: { id: string; username: string } }).user).toMatchObject({
        id,
        username: 'Đức',
      });
    }
  });

  it('keeps the "cap-" prefix for the alerts\' accounts whatever its case', async () => {
    for (const username of ['CAP-coc-san', 'Cap-moi']) {
      const res = await create(username);
      expect(res.status, username).toBe(409);
      expect(((await res.json()) as Problem).detailVi).toContain('"cap-"');
    }
  });

  it('refuses a commune admin named like an existing user, made by the province admin', async () => {
    const province = await login('Tinh', provinceAdminPassword);
    expect(province.status).toBe(200);
    const { token } = (await province.json()) as { token: string };
    const res = await h.request('/api/v1/communes', {
      method: 'POST',
      token,
      json: { name: 'Xã Trùng Tên', code: '02791', admin: { username: 'OFFICER', displayName: 'Trùng' } },
    });
    expect(res.status, await res.clone().text()).toBe(409);
    const problem = (await res.json()) as Problem;
    expect(problem.errors?.map((e) => e.field)).toEqual(['admin.username']);
    expect(problem.detailVi).toBe('Tên đăng nhập "OFFICER" đã có người dùng.');
    const communes = await h.request('/api/v1/communes', { token });
    const ids = ((await communes.json()) as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids).not.toContain('trung-ten');
  });

  it('counts failed sign-ins at "secretary", "Secretary" and "SECRETARY" against one budget', async () => {
    for (const typed of ['secretary', 'Secretary', 'SECRETARY', 'sEcReTaRy', 'Secretary'])
      expect((await login(typed, 'wrong password')).status, typed).toBe(401);
    for (const typed of ['secretary', 'SECRETARY']) {
      const res = await login(typed, userPassword);
      expect(res.status, typed).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    h.clock.advance(15 * 60_000 + 1000);
    expect((await login('Secretary', userPassword)).status).toBe(200);
  });

  it('lets a person locked out under another spelling in with the password an admin resets', async () => {
    for (let i = 0; i < 5; i++) expect((await login('HEAD', `wrong password ${i}`)).status).toBe(401);
    expect((await login('head', userPassword)).status).toBe(429);
    const reset = await h.request(`/api/v1/users/${h.userIds.head}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { password: 'mật khẩu mới do xã cấp' },
    });
    expect(reset.status).toBe(200);
    expect((await login('Head', 'mật khẩu mới do xã cấp')).status).toBe(200);
  });
});
