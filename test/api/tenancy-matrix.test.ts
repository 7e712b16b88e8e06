import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { sseClient } from '../support/sse-client.js';
import { callers, matrix, type Caller, type Row, type Tenant } from '../support/route-matrix.js';

/**
 * What of Quảng Kim would show in an answer that leaks it: its name and the ids of its hamlets and users (a
 * bare "qk-" turns up by chance in random session tokens).
 */
const quangKimMarks = /quang[- ]kim|qk-(?:thon|admin|officer|head|secretary)/i;

/**
 * A commune's staff addressing another commune's things (its announcements, broadcasts, hamlets,
 * receivers, users, series, airings, report filters) is answered as if they did not exist: 404, never a
 * 403 that would tell them they do. A row addresses something when its path has an id or a hamlet matters
 * (it has an `outOfScope` column); then every caller that may use the route in its own commune gets 404.
 * The other rows answer as at home, without a trace of the other commune.
 */
function otherCommuneExpectations(route: string, row: Row): Readonly<Record<Caller, number>> {
  if (row.otherCommune) return row.otherCommune;
  const addressed = route.includes('{') || row.outOfScope !== undefined;
  const expected = { ...row.inScope };
  if (!addressed) return expected;
  for (const caller of callers) {
    const status = expected[caller];
    // Refused before anything is looked up (not signed in, not the role's job): nothing is revealed.
    if (status !== 401 && status !== 403) expected[caller] = 404;
  }
  return expected;
}

describe.each(dialects)('communes as tenants: every route against another commune, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let quangKim: Tenant;
  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
    quangKim = {
      request: h.request,
      tokens: p.other.tokens,
      userIds: p.other.userIds,
      hamlets: { in: 'qk-thon-1', out: 'qk-thon-2' },
      receivers: { in: 'rx-qk-thon-1-1', out: 'rx-qk-thon-2-1' },
    };
    // Something of Quảng Kim's in every list a leak could show it in.
    const made = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: p.other.tokens.officer,
      json: { title: 'Tin riêng Quang Kim', language: 'vi', text: 'Xin chào bà con Quang Kim.' },
    });
    expect(made.status).toBe(202);
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: p.other.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['qk-thon-1', 'qk-thon-2'],
        at: '2026-11-28T02:00:00Z',
      },
    });
    expect(booked.status).toBe(201);
  });
  afterAll(() => h.close());

  const cases = Object.entries(matrix).flatMap(([route, row]) => {
    const expected = otherCommuneExpectations(route, row);
    return callers.map((caller) => [route, caller, expected[caller]] as const);
  });

  it.each(cases)("%s on Quảng Kim's things as Cốc San's %s → %i", async (route, caller, status) => {
    const [method] = route.split(' ') as [string];
    const call = await matrix[route]!.setup(quangKim, 'in', caller);
    // Logout would end the caller's session for the rows after it.
    if (route === 'POST /api/v1/auth/logout' && caller !== 'anonymous') return;
    const res = await h.request(call.path, {
      method,
      token: caller === 'anonymous' ? undefined : h.tokens[caller],
      ...(call.json !== undefined
        ? { json: call.json }
        : method === 'GET' || method === 'DELETE'
          ? {}
          : { json: {} }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(status);
    if (status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (call.path.startsWith('/api/v1/') && status < 300) expect(body).not.toMatch(quangKimMarks);
  });

  /**
   * Writes inside a commune: every route but sign-in, the receivers' own, the province's, and those only a
   * machine token opens (no person's token gets past 401 there).
   */
  const communeWrites = Object.keys(matrix).filter((route) => {
    const [method, path] = route.split(' ') as [string, string];
    return (
      method !== 'GET' &&
      path.startsWith('/api/v1/') &&
      !/^\/api\/v1\/(auth|receiver|province|communes)\b/.test(path) &&
      Object.values(matrix[route]!.inScope).some((status) => status !== 401)
    );
  });
  const provinceWrites = (['provinceAdmin', 'provinceOfficer'] as const).flatMap((user) =>
    communeWrites.map((route) => [route, user] as const),
  );

  it.each(provinceWrites)('%s in Quảng Kim as %s → 403: province staff only look', async (route, user) => {
    const [method] = route.split(' ') as [string];
    const call = await matrix[route]!.setup(quangKim, 'in', 'admin');
    const res = await h.request(call.path, {
      method,
      token: p.tokens[user],
      headers: { 'x-loa-commune': otherCommune },
      ...(call.json !== undefined ? { json: call.json } : method === 'DELETE' ? {} : { json: {} }),
    });
    expect(res.status, await res.text()).toBe(403);
  });

  it("keeps each commune's push channel to its own: a Cốc San change never reaches a Quảng Kim box", async () => {
    const made = await h.request('/api/v1/receivers', {
      method: 'POST',
      token: p.other.tokens.admin,
      json: { hamletId: 'qk-thon-1', name: 'Cụm loa nghe thử' },
    });
    const device = ((await made.json()) as { token: string }).token;
    const sse = sseClient(await h.request('/api/v1/receiver/events', { token: device }));
    const hello = JSON.parse((await sse.next('schedule')).data) as { version: number };
    const book = (token: string, hamletIds: readonly string[], at: string) =>
      h.request('/api/v1/broadcasts', {
        method: 'POST',
        token,
        json: { relay: { url: 'https://radio.example.vn/vov1', durationS: 60 }, hamletIds, at },
      });
    // Cốc San changes every one of its hamlets first, then Quảng Kim its own: the box hears only the second.
    expect((await book(h.tokens.officer, ['un-ta', 'thon-2', 'thon-3'], '2026-11-28T03:00:00Z')).status).toBe(
      201,
    );
    expect((await book(p.other.tokens.officer, ['qk-thon-1'], '2026-11-28T03:00:00Z')).status).toBe(201);
    const changed = JSON.parse((await sse.next('schedule')).data) as { version: number };
    expect(changed.version).toBe(hello.version + 1);
    expect(sse.raw().match(/^event: /gm)).toHaveLength(2);
    await sse.cancel();
  });

  it("lets nothing of a commune's be changed from another: Quảng Kim's things are as they were", async () => {
    const res = await h.request('/api/v1/hamlets/qk-thon-1', {
      token: p.other.tokens.admin,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { lat?: number | null }).lat ?? null).toBeNull();
    const users = await h.request('/api/v1/users', { token: p.other.tokens.admin });
    const list = ((await users.json()) as { items: { username: string; disabled?: boolean }[] }).items;
    expect(list.filter((u) => u.username.startsWith('qk-')).every((u) => !u.disabled)).toBe(true);
  });

  it("refuses another commune's hamlet as an announcement's hamlet as it refuses a typo, writing nothing", async () => {
    const count = async () =>
      Number(
        (
          await h.runtime.db.kysely
            .selectFrom('announcements')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const answers = [];
    for (const hamletId of ['qk-thon-1', 'khong-co-thon']) {
      for (const token of [h.tokens.admin, h.tokens.officer]) {
        const res = await h.request('/api/v1/announcements', {
          method: 'POST',
          token,
          json: { title: 'Tin cho thôn', language: 'vi', text: 'Xin chào.', hamletId },
        });
        answers.push({ status: res.status, body: (await res.json()) as { detailVi?: string } });
      }
    }
    for (const { status, body } of answers) {
      expect(status).toBe(422);
      expect(body.detailVi).toMatch(/Không tìm thấy thôn/);
    }
    expect(await count()).toBe(before);
    // Its own hamlet is taken as before.
    const own = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.officer,
      json: { title: 'Tin cho thôn', language: 'vi', text: 'Xin chào.', hamletId: 'un-ta' },
    });
    expect(own.status).toBe(202);
  });

  it("gives a commune user's X-Loa-Commune header no power: their own commune, another's ids 404", async () => {
    const headers = { 'x-loa-commune': otherCommune };
    const list = await h.request('/api/v1/hamlets', { token: h.tokens.admin, headers });
    expect(list.status).toBe(200);
    const ids = ((await list.json()) as { items: { id: string }[] }).items.map((x) => x.id);
    expect(ids).toContain('un-ta');
    expect(ids.some((id) => id.startsWith('qk-'))).toBe(false);
    expect((await h.request('/api/v1/hamlets/qk-thon-1', { token: h.tokens.admin, headers })).status).toBe(
      404,
    );
  });

  it('sends a province user looking at Cốc San to 404 for Quảng Kim’s ids, and shows them when looking at it', async () => {
    const hamlet = (commune?: string) =>
      h.request('/api/v1/hamlets/qk-thon-1', {
        token: p.tokens.provinceOfficer,
        ...(commune && { headers: { 'x-loa-commune': commune } }),
      });
    expect((await hamlet()).status).toBe(404);
    expect((await hamlet(otherCommune)).status).toBe(200);
    expect((await hamlet('no-such-commune')).status).toBe(404);
  });
});
