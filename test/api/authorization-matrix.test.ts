import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { callers, cocSan, matrix } from '../support/route-matrix.js';
import { isPagePath } from '../../src/http/web/paths.js';

describe('authorization matrix', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('has a row for every route the app serves', () => {
    const served = new Set(
      h.runtime.app.routes
        .filter((r) => r.method !== 'ALL')
        // Pages answer people with HTML (redirects, 403 pages); test/e2e/pages-access.test.ts covers them.
        .filter((r) => !isPagePath(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, '{$1}')}`),
    );
    const missing = [...served].filter((route) => !(route in matrix));
    expect(missing, 'routes without a row in the authorization matrix').toEqual([]);
    const stale = Object.keys(matrix).filter((route) => !served.has(route));
    expect(stale, 'rows for routes that no longer exist').toEqual([]);
  });

  const cases = Object.entries(matrix).flatMap(([route, row]) =>
    (['in', 'out'] as const).flatMap((scope) => {
      const expected = scope === 'in' ? row.inScope : row.outOfScope;
      return expected ? callers.map((caller) => [route, scope, caller, expected[caller]] as const) : [];
    }),
  );

  it.each(cases)('%s (%s scope) as %s → %i', async (route, scope, caller, status) => {
    const [method] = route.split(' ') as [string];
    const call = await matrix[route]!.setup(cocSan(h), scope, caller);
    // Logout ends the session it is called with, so it gets a session of its own.
    let token = caller === 'anonymous' ? undefined : h.tokens[caller];
    if (route === 'POST /api/v1/auth/logout' && caller !== 'anonymous') {
      const res = await h.request('/api/v1/auth/login', {
        method: 'POST',
        json: { username: caller, password: caller === 'admin' ? 'admin-password-for-tests' : userPassword },
      });
      token = ((await res.json()) as { token: string }).token;
    }
    const res = await h.request(call.path, {
      method,
      token,
      ...(call.json !== undefined
        ? { json: call.json }
        : method === 'GET' || method === 'DELETE'
          ? {}
          : { json: {} }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(status);
    if (status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // Every successful write leaves an audit row tied to its request id.
    if (method !== 'GET' && status < 300) {
      const requestId = res.headers.get('x-request-id')!;
      const rows = await h.runtime.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('request_id', '=', requestId)
        .execute();
      expect(rows.length, `audit rows for ${route}`).toBeGreaterThan(0);
      expect(rows[0]!.actor_id).not.toBeNull();
    }
  });
});
