import { expect } from 'vitest';
import {
  fixtureUsers,
  provinceAdminPassword,
  userPassword,
  type FixtureUser,
  type Harness,
} from './harness.js';

/** The second example commune, and the hamlet its hamlet-scoped fixture users look after. */
export const otherCommune = 'quang-kim';
export const otherHamlet = 'qk-thon-1';

export type ProvinceUser = 'provinceAdmin' | 'provinceOfficer';

export interface ProvinceFixture {
  /** Bearer tokens of the province's staff (`tinh`, made at first start, and a province officer). */
  readonly tokens: Readonly<Record<ProvinceUser, string>>;
  readonly userIds: Readonly<Record<ProvinceUser, string>>;
  /** Quảng Kim's staff, one per role as in Cốc San; hamlet-scoped ones look after `qk-thon-1`. */
  readonly other: {
    readonly tokens: Readonly<Record<FixtureUser, string>>;
    readonly userIds: Readonly<Record<FixtureUser, string>>;
  };
}

/**
 * The province around the harness's commune, made the way people make it: the province admin signs in,
 * adds a province officer and Quảng Kim's admin, who adds Quảng Kim's other staff.
 */
export async function provinceFixture(h: Harness): Promise<ProvinceFixture> {
  async function login(username: string, password: string): Promise<string> {
    const res = await h.request('/api/v1/auth/login', { method: 'POST', json: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }
  async function addUser(
    token: string,
    username: string,
    role: string,
    hamletIds: readonly string[],
    commune?: string,
  ): Promise<string> {
    const res = await h.request('/api/v1/users', {
      method: 'POST',
      token,
      ...(commune && { headers: { 'x-loa-commune': commune } }),
      json: { username, password: userPassword, role, hamletIds, displayName: username },
    });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  const provinceAdmin = await login('tinh', provinceAdminPassword);
  const me = await h.request('/api/v1/auth/me', { token: provinceAdmin });
  const userIds: Record<string, string> = { provinceAdmin: ((await me.json()) as { id: string }).id };
  userIds.provinceOfficer = await addUser(provinceAdmin, 'can-bo-tinh', 'province_officer', []);
  const tokens = { provinceAdmin, provinceOfficer: await login('can-bo-tinh', userPassword) };

  const otherIds: Record<string, string> = {
    admin: await addUser(provinceAdmin, 'qk-admin', 'admin', [], otherCommune),
  };
  const otherTokens: Record<string, string> = { admin: await login('qk-admin', userPassword) };
  for (const [name, spec] of Object.entries(fixtureUsers)) {
    if (name === 'admin') continue;
    const hamlets = spec.hamletIds.length > 0 ? [otherHamlet] : [];
    otherIds[name] = await addUser(otherTokens.admin!, `qk-${name}`, spec.role, hamlets);
    otherTokens[name] = await login(`qk-${name}`, userPassword);
  }
  return {
    tokens,
    userIds: userIds as Record<ProvinceUser, string>,
    other: {
      tokens: otherTokens as Record<FixtureUser, string>,
      userIds: otherIds as Record<FixtureUser, string>,
    },
  };
}

/** What Quảng Kim's three hamlets play, in its commune file. */
export const otherHamletLanguages: readonly (readonly string[])[] = [['vi', 'dao'], ['vi'], ['vi', 'dao']];

/** Sets, as Quảng Kim's admin, what its hamlets play: `qk-thon-1`, `-2` and `-3` in turn. */
export async function setOtherHamletLanguages(
  h: Harness,
  p: ProvinceFixture,
  languages: readonly (readonly string[])[],
): Promise<void> {
  for (const [i, spoken] of languages.entries()) {
    const res = await h.request(`/api/v1/hamlets/qk-thon-${i + 1}`, {
      method: 'PATCH',
      token: p.other.tokens.admin,
      json: { languages: spoken },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}
