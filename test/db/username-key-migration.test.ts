import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scryptHasher } from '../../src/crypto/passwords.node.js';
import { migrateTo, migrateToLatest } from '../../src/db/migrator.js';
import { createUsersRepository } from '../../src/db/repositories/users.repository.js';
import { capSystemUserId } from '../../src/domain/user.js';
import { dialects } from '../support/databases.js';
import { adminPassword, createHarness, type Harness } from '../support/harness.js';

/** The users made apart before 0029 whose names fold alike, with the password each signs in with. */
const before = [
  // Older than its twin, but disabled: the enabled one gets the key.
  { id: 'u-hoa-old', username: 'Hoa', password: 'mật khẩu của Hoa cũ', disabled: true, minutes: 1 },
  { id: 'u-hoa-new', username: 'hoa', password: 'mật khẩu của hoa mới', disabled: false, minutes: 2 },
  { id: 'u-duc-old', username: 'Đức', password: 'mật khẩu của Đức', disabled: false, minutes: 3 },
  { id: 'u-duc-new', username: 'đức', password: 'mật khẩu của đức', disabled: false, minutes: 4 },
  // Newer than the first admin, made at first start.
  { id: 'u-admin-2', username: 'ADMIN', password: 'mật khẩu của ADMIN', disabled: false, minutes: 5 },
  // Named like the commune's CAP account, which has not been made yet (its first alert makes it).
  { id: 'u-cap', username: 'Cap-coc-san', password: 'mật khẩu của Cap', disabled: false, minutes: 6 },
] as const;

/**
 * An upgrade over users whose names differ only in case: it does not fail, each account keeps signing in
 * by its exact spelling, other spellings find the one that holds the key, and no new twin can be made.
 */
describe.each(dialects)('upgrading to case-insensitive usernames, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
    const db = h.runtime.db.kysely;
    await migrateTo(db, '0028-audio-in-use');
    const start = h.clock.now().getTime();
    for (const u of before) {
      const at = new Date(start + u.minutes * 60_000).toISOString();
      await db
        .insertInto('users')
        .values({
          id: u.id,
          username: u.username,
          display_name: u.username,
          password_hash: await scryptHasher.hash(u.password),
          role: 'commune_officer',
          commune_id: 'coc-san',
          disabled_at: u.disabled ? at : null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    expect(await migrateToLatest(db)).toContain('0029-username-key');
  });
  afterAll(() => h.close());

  let ip = 0;
  const login = async (username: string, password: string) => {
    const res = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username, password },
      headers: { 'x-forwarded-for': `198.51.100.${++ip}` },
    });
    const body = (await res.json()) as { user?: { id: string } };
    return { status: res.status, id: body.user?.id };
  };

  it('gives the key to the enabled, older account and one of its own to each other', async () => {
    const keys = await h.runtime.db.kysely
      .selectFrom('users')
      .select(['id', 'username_key'])
      .where('id', 'in', [h.userIds.admin, h.userIds.officer, ...before.map((u) => u.id)])
      .orderBy('id')
      .execute();
    expect(Object.fromEntries(keys.map((k) => [k.id, k.username_key]))).toEqual({
      [h.userIds.admin]: 'admin',
      [h.userIds.officer]: 'officer',
      'u-admin-2': 'admin#u-admin-2',
      'u-cap': 'cap-coc-san#u-cap',
      'u-duc-new': 'đức#u-duc-new',
      'u-duc-old': 'đức',
      'u-hoa-new': 'hoa',
      'u-hoa-old': 'hoa#u-hoa-old',
    });
  });

  it("leaves the CAP account's name free for it", async () => {
    const users = createUsersRepository(h.runtime.db.kysely, h.runtime.db.capabilities);
    const account = capSystemUserId('coc-san');
    await users.insertUser(
      {
        id: account,
        username: account,
        displayName: 'Hệ thống cảnh báo CAP',
        passwordHash: '!',
        role: 'commune_officer',
        communeId: 'coc-san',
        hamletIds: [],
      },
      h.clock.now().toISOString(),
    );
    expect((await users.findUser(account))?.username).toBe('cap-coc-san');
  });

  it('signs each in by its exact spelling, and any other spelling as the key holder', async () => {
    expect(await login('ADMIN', 'mật khẩu của ADMIN')).toEqual({ status: 200, id: 'u-admin-2' });
    expect(await login('admin', adminPassword)).toEqual({ status: 200, id: h.userIds.admin });
    expect(await login('Admin', adminPassword)).toEqual({ status: 200, id: h.userIds.admin });
    expect((await login('Admin', 'mật khẩu của ADMIN')).status).toBe(401);
    expect(await login('Đức', 'mật khẩu của Đức')).toEqual({ status: 200, id: 'u-duc-old' });
    expect(await login('đức', 'mật khẩu của đức')).toEqual({ status: 200, id: 'u-duc-new' });
    expect(await login('ĐỨC', 'mật khẩu của Đức')).toEqual({ status: 200, id: 'u-duc-old' });
    expect(await login('HOA', 'mật khẩu của hoa mới')).toEqual({ status: 200, id: 'u-hoa-new' });
    expect((await login('Hoa', 'mật khẩu của Hoa cũ')).status).toBe(401);
    expect(await login('Cap-coc-san', 'mật khẩu của Cap')).toEqual({ status: 200, id: 'u-cap' });
  });

  it('refuses a new twin of either, 409', async () => {
    for (const username of ['Admin', 'HOA', 'đỨc']) {
      const res = await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: { username, password: 'mật khẩu đủ dài', role: 'commune_officer', displayName: username },
      });
      expect(res.status, username).toBe(409);
      expect(((await res.json()) as { detailVi: string }).detailVi).toContain('đã có người dùng');
    }
  });

  it('keeps counting guesses at the key holder when its twin signs in', async () => {
    h.clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) expect((await login('admin', `wrong password ${i}`)).status).toBe(401);
    expect((await login('ADMIN', 'mật khẩu của ADMIN')).status).toBe(200);
    expect((await login('Admin', 'wrong password 4')).status).toBe(401);
    expect((await login('admin', adminPassword)).status).toBe(429);
  });
});
