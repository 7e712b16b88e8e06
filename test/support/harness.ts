import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/domain/actor.js';
import { createNodeRuntime, type NodeRuntime, type RuntimeOverrides } from '../../src/node.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

export const adminPassword = 'admin-password-for-tests';
export const userPassword = 'correct horse battery';
export const provinceAdminPassword = 'province-password-for-tests';

export interface Harness {
  readonly runtime: NodeRuntime;
  readonly clock: FakeClock;
  readonly database: TestDatabase;
  /** Bearer tokens per fixture user. */
  readonly tokens: Readonly<Record<FixtureUser, string>>;
  readonly userIds: Readonly<Record<FixtureUser, string>>;
  request(
    path: string,
    init?: RequestInit & { token?: string | undefined; json?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** `Harness.request` on a runtime's app: a bearer token and a JSON body made into headers. */
export function requestOn(runtime: NodeRuntime): Harness['request'] {
  return async (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return runtime.app.request(path, {
      ...rest,
      headers,
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
  };
}

/** One user per role; hamlet-scoped ones belong to Ún Tà only. */
export const fixtureUsers = {
  admin: { role: 'admin', hamletIds: [] },
  officer: { role: 'commune_officer', hamletIds: [] },
  head: { role: 'hamlet_head', hamletIds: ['un-ta'] },
  secretary: { role: 'secretary', hamletIds: ['un-ta'] },
} as const satisfies Record<string, { role: Role; hamletIds: readonly string[] }>;
export type FixtureUser = keyof typeof fixtureUsers;

/**
 * The real service over a real database (SQLite file or PostgreSQL) with the example commune loaded,
 * a fake clock, and a signed-in user of every role. `overrides` go to the runtime as they are (the
 * clock and the logger are the harness's).
 */
export async function createHarness(
  dialect: 'sqlite' | 'postgres' = 'sqlite',
  env: Record<string, string> = {},
  overrides: Omit<RuntimeOverrides, 'clock' | 'logger'> = {},
): Promise<Harness> {
  const database = await createTestDatabase(dialect);
  const clock = createFakeClock();
  const config = loadConfig({
    DATA_DIR: database.dataDir,
    MEDIA_DIR: `${database.dataDir}/media`,
    ...(database.url && { DATABASE_URL: database.url }),
    LOA_ADMIN_PASSWORD: adminPassword,
    LOA_PROVINCE_ADMIN_PASSWORD: provinceAdminPassword,
    LOG_LEVEL: 'silent',
    // Tests vary the client address through X-Forwarded-For, as a reverse proxy would.
    TRUST_PROXY: 'true',
    ...env,
  });
  const runtime = await createNodeRuntime(config, { ...overrides, clock, logger: pino({ level: 'silent' }) });
  const request = requestOn(runtime);

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
    database,
    tokens: tokens as Record<FixtureUser, string>,
    userIds: userIds as Record<FixtureUser, string>,
    request,
    close: async () => {
      await runtime.close();
      await database.drop();
    },
  };
}
