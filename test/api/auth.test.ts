import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { adminPassword, createHarness, userPassword, type Harness } from '../support/harness.js';

describe('auth', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const login = (username: string, password: string, ip = '203.0.113.7') =>
    h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password },
      headers: { 'x-forwarded-for': ip },
    });

  it('signs in with the right password: token, user, and an HttpOnly SameSite=Lax cookie', async () => {
    const res = await login('head', userPassword);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { role: string; hamletIds: string[] } };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(body.user).toMatchObject({ role: 'hamlet_head', hamletIds: ['un-ta'] });
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('loa_session='))).toMatch(
      /HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/,
    );
    const me = await h.request('/api/v1/auth/me', { token: body.token });
    expect(((await me.json()) as { username: string }).username).toBe('head');
  });

  it('stores only a digest of the session token and a scrypt hash of the password', async () => {
    const res = await login('officer', userPassword);
    const { token } = (await res.json()) as { token: string };
    const db = h.runtime.db.kysely;
    const sessions = await db.selectFrom('sessions').select('token_hash').execute();
    expect(sessions.some((s) => s.token_hash === token)).toBe(false);
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
    const users = await db.selectFrom('users').select('password_hash').execute();
    expect(
      users.every((u) => u.password_hash.startsWith('scrypt$') && !u.password_hash.includes(userPassword)),
    ).toBe(true);
  });

  it('answers a wrong password and an unknown user the same way: 401 problem+json', async () => {
    const wrong = await login('head', 'not the password', '203.0.113.8');
    const unknown = await login('nobody', 'whatever123', '203.0.113.8');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({
        status: 401,
        detail: 'Wrong username or password.',
        detailVi: 'Sai tên đăng nhập hoặc mật khẩu.',
      });
    }
  });

  it('rate limits failed sign-ins per username with 429 and Retry-After, and lets the window pass', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login('secretary', 'bad password', `198.51.100.${i}`)).status).toBe(401);
    const limited = await login('secretary', userPassword, '198.51.100.99');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { detailVi: string }).detailVi).toMatch(/quá nhiều lần/);
    h.clock.advance(15 * 60_000 + 1000);
    expect((await login('secretary', userPassword, '198.51.100.99')).status).toBe(200);
  });

  it('lets a person locked out by failed sign-ins in with the password an admin has just given them', async () => {
    const made = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'quen-mat-khau',
        password: userPassword,
        role: 'secretary',
        hamletIds: ['thon-3'],
        displayName: 'Lò Văn Quên',
      },
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    for (let i = 0; i < 5; i++)
      expect((await login('quen-mat-khau', 'đoán sai rồi', `198.51.100.${20 + i}`)).status).toBe(401);
    expect((await login('quen-mat-khau', userPassword, '198.51.100.40')).status).toBe(429);
    const reset = await h.request(`/api/v1/users/${id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { password: 'mật khẩu mới do xã cấp' },
    });
    expect(reset.status).toBe(200);
    expect((await login('quen-mat-khau', 'mật khẩu mới do xã cấp', '198.51.100.40')).status).toBe(200);
  });

  it('rate limits failed sign-ins per address across usernames', async () => {
    for (let i = 0; i < 20; i++) await login(`guess${i}`, 'bad password', '192.0.2.1');
    const res = await login('admin', adminPassword, '192.0.2.1');
    expect(res.status).toBe(429);
    expect((await login('admin', adminPassword, '192.0.2.2')).status).toBe(200);
  });

  it('refuses an expired token', async () => {
    const { token } = (await (await login('head', userPassword)).json()) as { token: string };
    expect((await h.request('/api/v1/auth/me', { token })).status).toBe(200);
    h.clock.advance(h.runtime.config.SESSION_TTL_HOURS * 3_600_000 + 1);
    const res = await h.request('/api/v1/auth/me', { token });
    expect(res.status).toBe(401);
    h.clock.advance(-(h.runtime.config.SESSION_TTL_HOURS * 3_600_000 + 1));
  });

  it('refuses a revoked token after logout, and a token of a disabled user', async () => {
    const { token } = (await (await login('head', userPassword)).json()) as { token: string };
    expect((await h.request('/api/v1/auth/logout', { method: 'POST', token })).status).toBe(204);
    expect((await h.request('/api/v1/auth/me', { token })).status).toBe(401);

    const { token: other } = (await (await login('officer', userPassword)).json()) as { token: string };
    await h.request(`/api/v1/users/${h.userIds.officer}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect((await h.request('/api/v1/auth/me', { token: other })).status).toBe(401);
    expect((await login('officer', userPassword)).status).toBe(401);
    await h.request(`/api/v1/users/${h.userIds.officer}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: false },
    });
  });

  it('lets a person change their own password: the current one is checked, other sessions end, this one stays', async () => {
    const phone = ((await (await login('secretary', userPassword)).json()) as { token: string }).token;
    const laptop = ((await (await login('secretary', userPassword)).json()) as { token: string }).token;
    const change = (json: unknown) =>
      h.request('/api/v1/auth/password', { method: 'POST', token: phone, json });

    const wrong = await change({ currentPassword: 'not my password', newPassword: 'mật khẩu mới của tôi' });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(
      'currentPassword',
    );
    const short = await change({ currentPassword: userPassword, newPassword: 'ngắn' });
    expect(short.status).toBe(400);
    expect((await change({ currentPassword: userPassword, newPassword: userPassword })).status).toBe(422);

    expect(
      (await change({ currentPassword: userPassword, newPassword: 'mật khẩu mới của tôi' })).status,
    ).toBe(204);
    expect((await h.request('/api/v1/auth/me', { token: phone })).status).toBe(200);
    expect((await h.request('/api/v1/auth/me', { token: laptop })).status).toBe(401);
    expect((await login('secretary', userPassword)).status).toBe(401);
    expect((await login('secretary', 'mật khẩu mới của tôi', '203.0.113.8')).status).toBe(200);
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('target_id')
      .where('action', '=', 'auth.password_change')
      .execute();
    expect(audit).toEqual([{ target_id: h.userIds.secretary }]);
  });

  it('counts a wrong current password as a failed sign-in: an open session is no way to guess it', async () => {
    const token = ((await (await login('head', userPassword, '203.0.113.9')).json()) as { token: string })
      .token;
    const guess = (i: number) =>
      h.request('/api/v1/auth/password', {
        method: 'POST',
        token,
        json: { currentPassword: `guess number ${i}`, newPassword: 'mật khẩu kẻ gian đặt' },
      });
    for (let i = 0; i < 5; i++) expect((await guess(i)).status).toBe(422);
    const sixth = await guess(5);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login('head', userPassword, '203.0.113.10')).status).toBe(429);
  });

  it('keeps an admin to the same rule for their own password: not through the users API without the current one', async () => {
    const self = await h.request(`/api/v1/users/${h.userIds.admin}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { password: 'mật khẩu kẻ gian đặt' },
    });
    expect(self.status).toBe(422);
    const problem = (await self.json()) as { errors: { field: string; messageVi: string }[] };
    expect(problem.errors[0]).toMatchObject({
      field: 'password',
      messageVi: expect.stringContaining('Đổi mật khẩu'),
    });
    // Nothing changed: the admin's session is open and the password is the one it was.
    expect((await h.request('/api/v1/auth/me', { token: h.tokens.admin })).status).toBe(200);
    expect((await login('admin', 'mật khẩu kẻ gian đặt', '203.0.113.11')).status).toBe(401);
  });

  it('protects cookie writes against CSRF but not bearer calls', async () => {
    const res = await login('admin', adminPassword, '192.0.2.50');
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const cookieHeader = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('loa_csrf='))!.split('=')[1]!;
    const body = { name: 'Thôn Cookie', languages: ['vi'] };
    const noToken = await h.request('/api/v1/hamlets', {
      method: 'POST',
      json: body,
      headers: { cookie: cookieHeader },
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { detailVi: string }).detailVi).toMatch(/tải lại trang/);
    const foreign = await h.request('/api/v1/hamlets', {
      method: 'POST',
      json: body,
      headers: { cookie: cookieHeader, 'x-csrf-token': csrf, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const ok = await h.request('/api/v1/hamlets', {
      method: 'POST',
      json: body,
      headers: { cookie: cookieHeader, 'x-csrf-token': csrf, origin: 'http://localhost' },
    });
    expect(ok.status).toBe(201);
    const reads = await h.request('/api/v1/hamlets', { headers: { cookie: cookieHeader } });
    expect(reads.status).toBe(200);
  });
});

describe.each(dialects)('a sign-in with a character that no username has, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it('is refused as input (400 problem+json naming the field), not a server error', async () => {
    for (const username of ['ad\u0000min', 'admin\u0007']) {
      const res = await h.request('/api/v1/auth/login', {
        method: 'POST',
        json: { username, password: 'whatever123' },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/username/);
    }
  });
});
