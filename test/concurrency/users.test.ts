import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { meetAfter } from '../support/crash.js';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';

/** The rules on staff accounts that two people acting at once could otherwise break. */
describe.each(dialects)('staff accounts under concurrent changes, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const password = 'mật khẩu đủ dài';
  const addUser = (token: string, username: string, role = 'admin') =>
    h.request('/api/v1/users', {
      method: 'POST',
      token,
      json: { username, password, role, displayName: username },
    });
  const signIn = async (username: string, secret: string) => {
    const res = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password: secret },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const disable = (token: string, id: string) =>
    h.request(`/api/v1/users/${id}`, { method: 'DELETE', token });
  const enabledAdmins = async () =>
    (
      await h.runtime.db.kysely
        .selectFrom('users')
        .select('username')
        .where('commune_id', '=', 'coc-san')
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .execute()
    ).map((u) => u.username);

  it('keeps an enabled admin when the two admins disable each other at the same moment', async () => {
    const created = await addUser(h.tokens.admin, 'admin-2');
    expect(created.status).toBe(201);
    const second = ((await created.json()) as { id: string }).id;
    const secondToken = await signIn('admin-2', password);

    const [a, b] = await Promise.all([
      disable(h.tokens.admin, second),
      disable(secondToken, h.userIds.admin),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    const refused = a.status === 409 ? a : b;
    expect(((await refused.json()) as { detailVi: string }).detailVi).toContain(
      'quản trị viên cuối cùng còn hoạt động của xã',
    );
    expect(await enabledAdmins()).toHaveLength(1);
  });

  it('lets the province disable a commune’s last admin, who has left', async () => {
    const [last] = await enabledAdmins();
    const province = await signIn('tinh', provinceAdminPassword);
    const id =
      last === 'admin'
        ? h.userIds.admin
        : (
            await h.runtime.db.kysely
              .selectFrom('users')
              .select('id')
              .where('username', '=', last!)
              .executeTakeFirstOrThrow()
          ).id;
    const res = await h.request(`/api/v1/users/${id}`, {
      method: 'DELETE',
      token: province,
      headers: { 'x-loa-commune': 'coc-san' },
    });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await enabledAdmins()).toEqual([]);
  });
});

describe.each(dialects)('one new user sent twice at once, on %s', (dialect) => {
  let h: Harness;
  const race = meetAfter('users', 'isUsernameTaken');
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { decorateRepositories: race.decorate });
  });
  afterAll(() => h.close());

  it('answers 201 to one and 409 naming the username to the other', async () => {
    const add = () =>
      h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username: 'ke-toan',
          password: 'mật khẩu đủ dài',
          role: 'commune_officer',
          displayName: 'Kế toán',
        },
      });
    race.arm(2);
    const answers = await Promise.all([add(), add()]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = answers.find((r) => r.status === 409)!;
    expect(((await refused.json()) as { detailVi: string }).detailVi).toBe(
      'Tên đăng nhập "ke-toan" đã có người dùng.',
    );
  });
});
