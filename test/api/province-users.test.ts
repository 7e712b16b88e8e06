import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';

interface UserDto {
  readonly id: string;
  readonly username: string;
  readonly role: string;
}

describe.each(dialects)('who manages which users, across the province, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
  });
  afterAll(() => h.close());

  const usernames = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { items: UserDto[] }).items.map((u) => u.username).sort();
  };

  it('lists each commune its own staff, and the province staff only to the province admin', async () => {
    expect(await usernames(await h.request('/api/v1/users', { token: h.tokens.admin }))).toEqual([
      'admin',
      'head',
      'officer',
      'secretary',
    ]);
    expect(await usernames(await h.request('/api/v1/users', { token: p.other.tokens.admin }))).toEqual([
      'qk-admin',
      'qk-head',
      'qk-officer',
      'qk-secretary',
    ]);
    const asProvince = (path: string, commune?: string) =>
      h.request(path, {
        token: p.tokens.provinceAdmin,
        ...(commune && { headers: { 'x-loa-commune': commune } }),
      });
    expect(await usernames(await asProvince('/api/v1/users?of=province'))).toEqual(['can-bo-tinh', 'tinh']);
    expect(await usernames(await asProvince('/api/v1/users', otherCommune))).toContain('qk-admin');
    const refused = await h.request('/api/v1/users?of=province', { token: h.tokens.admin });
    expect(refused.status).toBe(403);
  });

  it('hides province staff from a commune admin, who cannot touch or make them', async () => {
    const seen = await h.request(`/api/v1/users/${p.userIds.provinceOfficer}`, { token: h.tokens.admin });
    expect(seen.status).toBe(404);
    const disable = await h.request(`/api/v1/users/${p.userIds.provinceAdmin}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect(disable.status).toBe(404);
    const made = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'tu-phong',
        password: userPassword,
        role: 'province_officer',
        hamletIds: [],
        displayName: 'Tự phong',
      },
    });
    expect(made.status).toBe(403);
    expect(((await made.json()) as { detail: string }).detail).toMatch(/province's administrator/);
  });

  it("lets the province admin reset a commune admin's password, but not a hamlet head's", async () => {
    const reset = await h.request(`/api/v1/users/${p.other.userIds.admin}`, {
      method: 'PATCH',
      token: p.tokens.provinceAdmin,
      headers: { 'x-loa-commune': otherCommune },
      json: { password: 'mat-khau-moi-cua-xa' },
    });
    expect(reset.status, await reset.clone().text()).toBe(200);
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'qk-admin', password: 'mat-khau-moi-cua-xa' },
    });
    expect(login.status).toBe(200);
    const head = await h.request(`/api/v1/users/${p.other.userIds.head}`, {
      method: 'PATCH',
      token: p.tokens.provinceAdmin,
      headers: { 'x-loa-commune': otherCommune },
      json: { displayName: 'Đổi' },
    });
    expect(head.status).toBe(403);
  });

  it("keeps another commune's users out of reach of a commune admin (404)", async () => {
    const res = await h.request(`/api/v1/users/${p.other.userIds.head}`, { token: h.tokens.admin });
    expect(res.status).toBe(404);
  });
});
