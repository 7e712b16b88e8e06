import { env } from 'cloudflare:workers';
import type { Role } from '../../../src/domain/actor.js';
import { createEdgeRuntime, type EdgeOverrides, type EdgeRuntime, type Env } from '../../../src/worker.js';
import { createFakeClock, type FakeClock } from '../../support/fake-clock.js';

// The Node harness's names and fixtures (test/support/harness.ts), on the edge profile: the same API,
// so that test files written for Node run here unchanged (vitest.workers.config.ts points their
// imports of the harness at this file).
export const adminPassword = 'admin-password-for-tests';
export const userPassword = 'correct horse battery';
export const provinceAdminPassword = 'province-password-for-tests';

export const fixtureUsers = {
  admin: { role: 'admin', hamletIds: [] },
  officer: { role: 'commune_officer', hamletIds: [] },
  head: { role: 'hamlet_head', hamletIds: ['un-ta'] },
  secretary: { role: 'secretary', hamletIds: ['un-ta'] },
} as const satisfies Record<string, { role: Role; hamletIds: readonly string[] }>;
export type FixtureUser = keyof typeof fixtureUsers;

let harnesses = 0;

/** Deletes every row Loa stored (not the migrations' record) and forgets the commune files applied. */
async function emptyDatabase(): Promise<void> {
  const db = (env as Env).DB;
  const { results } = await db
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite!_%' escape '!' and name not like '!_cf!_%' escape '!' and name not like 'kysely!_%' escape '!' and name not like 'loa!_d1!_%' escape '!'",
    )
    .all<{ name: string }>();
  await db.batch([
    db.prepare('pragma defer_foreign_keys = on'),
    ...results.map((t) => db.prepare(`delete from "${t.name}"`)),
    db.prepare('update loa_d1_lock set seeded = null where id = 1'),
  ]);
}

export interface Harness {
  readonly runtime: EdgeRuntime;
  readonly clock: FakeClock;
  readonly database: { readonly dialect: 'd1' };
  readonly tokens: Readonly<Record<FixtureUser, string>>;
  readonly userIds: Readonly<Record<FixtureUser, string>>;
  request(
    path: string,
    init?: RequestInit & { token?: string | undefined; json?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The edge runtime over the test's D1 database and R2 bucket (each test file gets its own), with the
 * example province loaded, a fake clock, and a signed-in user of every role.
 */
export async function createHarness(
  _dialect?: unknown,
  vars: Record<string, string> = {},
  overrides: Omit<EdgeOverrides, 'clock' | 'logger'> = {},
): Promise<Harness> {
  // A test file has one D1 database: a second harness in it starts from an empty one, as on Node.
  if (harnesses++ > 0) await emptyDatabase();
  const clock = createFakeClock();
  // The bindings of wrangler.toml with the test's variables over them (`LOA_PROCESSING_TOKEN` …).
  const runtime = await createEdgeRuntime({ ...(env as unknown as Env), ...vars }, { ...overrides, clock });
  const request: Harness['request'] = async (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    const res = await runtime.app.request(path, {
      ...rest,
      headers,
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
    await runtime.settle();
    return res;
  };
  async function login(username: string, password: string): Promise<string> {
    const res = await request('/api/v1/auth/login', { method: 'POST', json: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }
  const tokens: Partial<Record<FixtureUser, string>> = { admin: await login('admin', adminPassword) };
  const userIds: Partial<Record<FixtureUser, string>> = {};
  for (const [name, spec] of Object.entries(fixtureUsers) as [
    FixtureUser,
    (typeof fixtureUsers)[FixtureUser],
  ][]) {
    if (name === 'admin') {
      const me = await request('/api/v1/auth/me', { token: tokens.admin });
      userIds.admin = ((await me.json()) as { id: string }).id;
      continue;
    }
    const res = await request('/api/v1/users', {
      method: 'POST',
      token: tokens.admin,
      json: {
        username: name,
        password: userPassword,
        role: spec.role,
        hamletIds: spec.hamletIds,
        displayName: name,
      },
    });
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
    userIds[name] = ((await res.json()) as { id: string }).id;
    tokens[name] = await login(name, userPassword);
  }
  return {
    runtime,
    clock,
    database: { dialect: 'd1' },
    tokens: tokens as Record<FixtureUser, string>,
    userIds: userIds as Record<FixtureUser, string>,
    request,
    close: async () => {
      await runtime.settle();
    },
  };
}
