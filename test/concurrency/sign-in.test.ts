import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scryptHasher } from '../../src/crypto/passwords.node.js';
import type { PasswordHasher } from '../../src/domain/ports/passwords.js';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';

/**
 * A sign-in (or a change of one's own password) with the old password whose check is still running when
 * an admin resets the password, or disables the account: it opens no session and changes nothing, as the
 * reset ended those already open.
 */
describe.each(dialects)('a sign-in racing a password reset, on %s', (dialect) => {
  let h: Harness;
  // While set, a password check that succeeds waits here: the moment between the check and the session.
  let hold: { reached: () => void; go: Promise<void> } | null = null;
  const held: PasswordHasher = {
    hash: (password) => scryptHasher.hash(password),
    async verify(password, stored) {
      const ok = await scryptHasher.verify(password, stored);
      const gate = hold;
      if (ok && gate) {
        gate.reached();
        await gate.go;
      }
      return ok;
    },
  };
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { passwords: held });
  });
  afterAll(() => h.close());

  async function signInDuring(username: string, change: () => Promise<Response>) {
    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    const signing = h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password: userPassword },
    });
    await reached;
    hold = null;
    expect((await change()).status).toBe(200);
    release();
    return signing;
  }
  const userId = async (username: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('users')
        .select('id')
        .where('username', '=', username)
        .executeTakeFirstOrThrow()
    ).id;
  const liveSessions = async (id: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute()
    ).length;

  it('opens no session with the password an admin has just reset', async () => {
    const id = await userId('secretary');
    const res = await signInDuring('secretary', () =>
      h.request(`/api/v1/users/${id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { password: 'mật khẩu mới của bí thư' },
      }),
    );
    expect(res.status).toBe(401);
    expect(await liveSessions(id)).toBe(0);
  });

  it('opens no session of an account disabled meanwhile', async () => {
    const id = await userId('head');
    const res = await signInDuring('head', () =>
      h.request(`/api/v1/users/${id}`, { method: 'PATCH', token: h.tokens.admin, json: { disabled: true } }),
    );
    expect(res.status).toBe(401);
    expect(await liveSessions(id)).toBe(0);
  });

  it('keeps the password an admin has just reset over a change made with the old one meanwhile', async () => {
    const id = await userId('officer');
    let release!: () => void;
    const reached = new Promise<void>((done) => {
      hold = { reached: done, go: new Promise((go) => (release = go)) };
    });
    // The person (or whoever has their old password and a session) changes it while the admin resets it.
    const changing = h.request('/api/v1/auth/password', {
      method: 'POST',
      token: h.tokens.officer,
      json: { currentPassword: userPassword, newPassword: 'mật khẩu kẻ gian đặt' },
    });
    await reached;
    hold = null;
    const reset = await h.request(`/api/v1/users/${id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { password: 'mật khẩu quản trị cấp lại' },
    });
    expect(reset.status).toBe(200);
    release();
    expect((await changing).status).toBe(401);
    expect(await liveSessions(id)).toBe(0);
    const login = (password: string) =>
      h.request('/api/v1/auth/login', { method: 'POST', json: { username: 'officer', password } });
    expect((await login('mật khẩu kẻ gian đặt')).status).toBe(401);
    expect((await login('mật khẩu quản trị cấp lại')).status).toBe(200);
  });
});
