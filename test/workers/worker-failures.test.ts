import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { D1Binding } from '../../src/db/d1/binding.js';
import worker, { type Env } from '../../src/worker.js';
import { adminPassword, provinceAdminPassword } from './support/harness.js';

const testEnv = env as unknown as Env;

/**
 * A D1 binding that fails every call while `down` is set, as D1 does when it cannot be reached, and the
 * statements `refuse` picks by their SQL, as D1 does when it is overloaded.
 */
function flakyD1(real: D1Binding) {
  const state = { down: false, refuse: (_sql: string) => false };
  const fail = (sql?: string) =>
    Promise.reject(
      new Error(
        sql !== undefined && !state.down
          ? 'D1_ERROR: D1 DB is overloaded. Requests queued for too long.'
          : 'D1_ERROR: Network connection lost.',
      ),
    );
  type Statement = ReturnType<D1Binding['prepare']>;
  const reals = new WeakMap<Statement, { statement: Statement; sql: string }>();
  const wrap = (statement: Statement, sql: string): Statement => {
    const wrapped: Statement = {
      bind: (...values) => wrap(statement.bind(...values), sql),
      all: () => (state.down || state.refuse(sql) ? fail(sql) : statement.all()),
      run: () => (state.down || state.refuse(sql) ? fail(sql) : statement.run()),
    };
    reals.set(wrapped, { statement, sql });
    return wrapped;
  };
  const binding: D1Binding = {
    prepare: (sql) => wrap(real.prepare(sql), sql),
    batch: (statements) => {
      const sent = statements.map((s) => reals.get(s)!);
      const refused = sent.find((s) => state.refuse(s.sql));
      return state.down || refused ? fail(refused?.sql) : real.batch(sent.map((s) => s.statement));
    },
  };
  return { binding, state };
}

/** Calls the Worker's own fetch handler with `vars` as its bindings, as a deployment would. */
async function fetchWith(
  vars: Env,
  path: string,
  init: RequestInit & { token?: string; json?: unknown } = {},
) {
  const { token, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://loa.test${path}`, {
      ...rest,
      headers,
      ...(json !== undefined && { body: JSON.stringify(json) }),
    }),
    vars,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function login(vars: Env, username: string, password: string): Promise<string> {
  const res = await fetchWith(vars, '/api/v1/auth/login', { method: 'POST', json: { username, password } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Worker when D1 fails', () => {
  it('answers a request that came while the isolate could not start with a 503 problem, and starts on the next', async () => {
    const flaky = flakyD1(testEnv.DB);
    const vars: Env = { ...testEnv, DB: flaky.binding };
    flaky.state.down = true;
    const res = await fetchWith(vars, '/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'admin', password: adminPassword },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = (await res.json()) as {
      type: string;
      detail: string;
      detailVi: string;
      requestId: string;
    };
    expect(problem.type).toBe('urn:loa:problem:database_unavailable');
    expect(problem.detail).toMatch(/Try again in a few seconds/);
    expect(problem.detailVi).toMatch(/tạm thời không phản hồi nên chưa có gì được lưu\. Hãy thử lại/);
    expect(problem.detailVi).not.toMatch(/D1|Network/);
    expect(problem.requestId).toBe(res.headers.get('x-request-id'));

    // The failed start is not kept: the next request starts the isolate again.
    flaky.state.down = false;
    expect(await login(vars, 'admin', adminPassword)).toBeTruthy();
  });

  it('runs every part of the Cron Trigger when the dispatcher tick fails, logs the failure and fails the run', async () => {
    const flaky = flakyD1(testEnv.DB);
    const bucket = testEnv.MEDIA;
    // R2 dates objects now: this bucket answers as if they had been stored two hours ago.
    const aged = {
      head: bucket.head.bind(bucket),
      get: bucket.get.bind(bucket),
      put: bucket.put.bind(bucket),
      delete: bucket.delete.bind(bucket),
      createMultipartUpload: bucket.createMultipartUpload.bind(bucket),
      list: async (options: Parameters<typeof bucket.list>[0]) => {
        const page = await bucket.list(options);
        const uploaded = new Date(Date.now() - 2 * 3600_000);
        return { ...page, objects: page.objects.map((o) => ({ ...o, key: o.key, uploaded })) };
      },
    } as unknown as Env['MEDIA'];
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const vars: Env = { ...testEnv, DB: flaky.binding, MEDIA: aged, LOA_SECRET_KEY: key, LOG_LEVEL: 'error' };

    // The operations centre's endpoint, and DNS over HTTPS naming a public address for it.
    const delivered: { type: string }[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname === 'cloudflare-dns.com')
        return Response.json({
          Answer: url.searchParams.get('type') === 'A' ? [{ type: 1, data: '93.184.215.14' }] : [],
        });
      if (url.hostname === 'ttdh.laocai.gov.vn') {
        delivered.push(JSON.parse(String(init?.body)) as { type: string });
        return new Response('ok');
      }
      return realFetch(input, init);
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const province = await login(vars, 'tinh', provinceAdminPassword);
    const hook = await fetchWith(vars, '/api/v1/province/webhooks', {
      method: 'POST',
      token: province,
      json: { url: 'https://ttdh.laocai.gov.vn/loa', events: ['emergency.sent'] },
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    const admin = await login(vars, 'admin', adminPassword);
    const booked = await fetchWith(vars, '/api/v1/broadcasts', {
      method: 'POST',
      token: admin,
      json: {
        relay: { url: 'https://radio.example.vn/khan-cap', durationS: 60 },
        hamletIds: ['un-ta'],
        priority: 'emergency',
      },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const orphan = `src/${crypto.randomUUID()}`;
    await bucket.put(orphan, new Uint8Array([1, 2, 3]));

    // D1 overloaded for the tick's marking of missed airings, at the top of the hour.
    flaky.state.refuse = (sql) => /^update "occurrences" set "status"/.test(sql);
    const ctx = createExecutionContext();
    const controller = createScheduledController({
      cron: '* * * * *',
      scheduledTime: Date.parse('2026-11-27T04:00:00Z'),
    }) as { readonly scheduledTime: number };
    const failure = await worker.scheduled(controller, vars, ctx).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitOnExecutionContext(ctx);

    expect(delivered.map((d) => d.type)).toEqual(['emergency.sent']);
    expect(await bucket.head(orphan)).toBeNull();
    const logged = errors.mock.calls.map(
      (call) => JSON.parse(String(call[0])) as { msg: string; err: string },
    );
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'dispatcher tick failed' }));
    expect(logged.find((l) => l.msg === 'dispatcher tick failed')?.err).toMatch(/overloaded/);
    expect(failure).toBeInstanceOf(Error);
  });
});

describe('the Worker that cannot start', () => {
  it('answers the pages with a Vietnamese page naming what to fix, and the API with a problem, never a value', async () => {
    const badKey = 'khong-phai-khoa-32-byte';
    const shortPassword = 'pw-9-chars';
    const vars = {
      ...testEnv,
      DB: undefined,
      LOA_SECRET_KEY: badKey,
      LOA_ADMIN_PASSWORD: shortPassword.slice(0, 9),
      LOG_LEVEL: 'error',
    } as unknown as Env;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const [path, accept] of [
      ['/', 'text/html'],
      ['/dang-nhap', '*/*'],
    ] as const) {
      const res = await fetchWith(vars, path, { headers: { accept } });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toMatch(/<html lang="vi">/);
      expect(page).toMatch(/Máy chủ Loa chưa khởi động được vì cấu hình của bản triển khai chưa đúng/);
      expect(page).toMatch(/<code>DB<\/code>: chưa khai báo liên kết \(binding\)/);
      expect(page).toMatch(/<code>LOA_SECRET_KEY<\/code>: giá trị chưa hợp lệ/);
      expect(page).toMatch(/<code>LOA_ADMIN_PASSWORD<\/code>: giá trị chưa hợp lệ/);
      expect(page).not.toContain(badKey);
      expect(page).not.toContain(shortPassword.slice(0, 9));
    }

    const api = await fetchWith(vars, '/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'admin', password: adminPassword },
    });
    expect(api.status).toBe(503);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await api.json()) as { type: string; detail: string; detailVi: string };
    expect(problem.type).toBe('urn:loa:problem:not_configured');
    expect(problem.detail).toMatch(/DB, LOA_ADMIN_PASSWORD, LOA_SECRET_KEY/);
    expect(JSON.stringify(problem)).not.toContain(badKey);

    // The log says why, for the operator, and repeats no secret either.
    const logged = errors.mock.calls.map((call) => String(call[0])).join('\n');
    expect(logged).toMatch(/LOA_SECRET_KEY: must be 32 random bytes in base64/);
    expect(logged).toMatch(/LOA_ADMIN_PASSWORD: must be at least 10 characters/);
    expect(logged).not.toContain(badKey);
    expect(logged).not.toContain(shortPassword.slice(0, 9));
  });

  it('answers a page with 503 and Retry-After while D1 cannot be reached, then serves it', async () => {
    const flaky = flakyD1(testEnv.DB);
    const vars: Env = { ...testEnv, DB: flaky.binding };
    flaky.state.down = true;
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await fetchWith(vars, '/dang-nhap', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = await res.text();
    expect(page).toMatch(/Cơ sở dữ liệu tạm thời không phản hồi nên trang chưa mở được/);
    expect(page).not.toMatch(/D1_ERROR|Network/);

    flaky.state.down = false;
    const served = await fetchWith(vars, '/dang-nhap', { headers: { accept: 'text/html' } });
    expect(served.status).toBe(200);
  });
});
