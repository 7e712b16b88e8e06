import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { sseClient } from '../support/sse-client.js';

interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly detailVi: string;
  readonly errors?: readonly { field: string }[];
}

describe.each(dialects)('communes made and deleted by the province, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
  });
  afterAll(() => h.close());

  const asProvinceAdmin = (path: string, init: { method?: string; json?: unknown; commune?: string } = {}) =>
    h.request(path, {
      ...(init.method && { method: init.method }),
      token: p.tokens.provinceAdmin,
      ...(init.json !== undefined && { json: init.json }),
      ...(init.commune && { headers: { 'x-loa-commune': init.commune } }),
    });
  const login = (username: string, password: string) =>
    h.request('/api/v1/auth/login', { method: 'POST', json: { username, password } });
  const communeIds = async (token: string) => {
    const res = await h.request('/api/v1/communes', { token });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { id: string }[] }).items.map((c) => c.id);
  };
  const auditOf = (action: string, targetId: string) =>
    h.runtime.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .where('target_id', '=', targetId)
      .execute();

  it('makes a commune with its first admin, who signs in to an empty commune of their own', async () => {
    const res = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: {
        name: 'Xã Bản Xèo',
        code: '02755',
        admin: { username: 'bx-admin', displayName: 'Quản trị Bản Xèo' },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as {
      commune: { id: string; code: string; provinceId: string };
      admin: { username: string; password: string };
    };
    expect(body.commune).toMatchObject({ id: 'ban-xeo', code: '02755', provinceId: 'lao-cai' });
    expect(body.admin.username).toBe('bx-admin');
    expect(body.admin.password.length).toBeGreaterThanOrEqual(12);
    expect(await communeIds(p.tokens.provinceAdmin)).toContain('ban-xeo');

    const signedIn = await login('bx-admin', body.admin.password);
    expect(signedIn.status).toBe(200);
    const token = ((await signedIn.json()) as { token: string }).token;
    const commune = await h.request('/api/v1/commune', { token });
    expect(((await commune.json()) as { id: string }).id).toBe('ban-xeo');
    const hamlets = await h.request('/api/v1/hamlets', { token });
    expect(((await hamlets.json()) as { items: unknown[] }).items).toEqual([]);
    const users = await h.request('/api/v1/users', { token });
    expect(((await users.json()) as { items: { username: string }[] }).items.map((u) => u.username)).toEqual([
      'bx-admin',
    ]);

    const [created] = await auditOf('commune.create', 'ban-xeo');
    expect(created?.actor_id).toBe(p.userIds.provinceAdmin);
    expect(JSON.parse(created!.details!)).toMatchObject({ code: '02755', admin: 'bx-admin' });
    expect(
      await auditOf(
        'user.create',
        (
          await h.runtime.db.kysely
            .selectFrom('users')
            .select('id')
            .where('username', '=', 'bx-admin')
            .executeTakeFirstOrThrow()
        ).id,
      ),
    ).toHaveLength(1);
  });

  it('makes a commune without an admin when none is asked for', async () => {
    const res = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { id: 'tong-sanh', name: 'Xã Tòng Sành', code: '02758' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { commune: { id: string }; admin?: unknown };
    expect(body.commune.id).toBe('tong-sanh');
    expect(body).not.toHaveProperty('admin');
    const users = await asProvinceAdmin('/api/v1/users', { commune: 'tong-sanh' });
    expect(((await users.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses a code or username already used, and a malformed code, writing nothing', async () => {
    const before = await communeIds(p.tokens.provinceAdmin);
    const taken = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { name: 'Xã Trùng Mã', code: '02746' },
    });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await taken.json()) as Problem;
    expect(problem.detailVi).toContain('02746');
    expect(problem.errors?.map((e) => e.field)).toEqual(['code']);

    const user = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { name: 'Xã Mới', code: '02790', admin: { username: 'qk-admin', displayName: 'Trùng' } },
    });
    expect(user.status).toBe(409);
    expect(((await user.json()) as Problem).errors?.map((e) => e.field)).toEqual(['admin.username']);

    // Kept for the CAP alerts' account of a commune: taken, it would stop that commune's alerts.
    const reserved = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { name: 'Xã Mới', code: '02790', admin: { username: 'cap-xa-moi', displayName: 'Giả' } },
    });
    expect(reserved.status).toBe(422);
    const reservedProblem = (await reserved.json()) as Problem;
    expect(reservedProblem.errors?.map((e) => e.field)).toEqual(['admin.username']);
    expect(reservedProblem.detailVi).toContain('"cap-"');

    const malformed = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { name: 'Xã Sai Mã', code: '2746' },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Problem).errors?.map((e) => e.field)).toContain('code');
    expect(await communeIds(p.tokens.provinceAdmin)).toEqual(before);
  });

  it('lets one of many concurrent requests for the same code through, and tells the others 409', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        asProvinceAdmin('/api/v1/communes', {
          method: 'POST',
          json: { id: `dua-${i}`, name: `Xã Đua ${i}`, code: '02799' },
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    const rows = await h.runtime.db.kysely
      .selectFrom('communes')
      .select('id')
      .where('code', '=', '02799')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses commune staff and the province officer', async () => {
    for (const token of [h.tokens.admin, p.tokens.provinceOfficer]) {
      const made = await h.request('/api/v1/communes', {
        method: 'POST',
        token,
        json: { name: 'Xã Lén', code: '02791' },
      });
      expect(made.status).toBe(403);
      const gone = await h.request(`/api/v1/communes/${otherCommune}`, { method: 'DELETE', token });
      expect(gone.status).toBe(403);
    }
  });

  it("keeps the province staff's own commune", async () => {
    const res = await asProvinceAdmin('/api/v1/communes/coc-san', { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as Problem).detailVi).toContain('Cán bộ tỉnh');
    expect(await communeIds(p.tokens.provinceAdmin)).toContain('coc-san');
  });

  it('deletes a commune: its users are out, its receivers refused, it is gone from lists and 404 after', async () => {
    const made = await h.request('/api/v1/receivers', {
      method: 'POST',
      token: p.other.tokens.admin,
      json: { hamletId: 'qk-thon-1', name: 'Cụm loa chợ Quang Kim' },
    });
    expect(made.status).toBe(201);
    const device = ((await made.json()) as { token: string }).token;
    expect((await h.request('/api/v1/receiver/schedule', { token: device })).status).toBe(200);
    const sse = sseClient(await h.request('/api/v1/receiver/events', { token: device }));
    await sse.next('schedule');
    // A daily series in each commune: the dispatcher goes on extending Cốc San's, not Quảng Kim's.
    const series = async (token: string, hamletId: string) => {
      const res = await h.request('/api/v1/broadcasts', {
        method: 'POST',
        token,
        json: {
          relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
          hamletIds: [hamletId],
          recurrence: { cron: '0 7 * * *', from: '2026-11-28T00:00:00+07:00' },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const ours = await series(h.tokens.officer, 'thon-2');
    const theirs = await series(p.other.tokens.officer, 'qk-thon-2');
    // A bulletin to both, and the export's machine token.
    await sendBulletin(h, p.tokens.provinceOfficer, 'normal', ['coc-san', otherCommune]);
    const machine = await asProvinceAdmin('/api/v1/province/tokens', {
      method: 'POST',
      json: { name: 'Hệ thống thông tin nguồn tỉnh' },
    });
    expect(machine.status).toBe(201);
    const exportToken = ((await machine.json()) as { secret: string }).secret;
    const airings = async (id: string) => (await h.runtime.repos.broadcasts.listOccurrencesOf([id])).length;
    const before = { ours: await airings(ours), theirs: await airings(theirs) };
    expect(before.theirs).toBeGreaterThan(0);

    const res = await asProvinceAdmin(`/api/v1/communes/${otherCommune}`, { method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await auditOf('commune.delete', otherCommune)).toHaveLength(1);

    // Its receivers: the open push channel closes, every call is refused.
    expect(await sse.ended()).toBe(true);
    expect((await h.request('/api/v1/receiver/schedule', { token: device })).status).toBe(401);
    const heartbeat = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: device,
      json: { volume: 50, uptimeS: 1, freeBytes: 1, signal: 1, appVersion: '1' },
    });
    expect(heartbeat.status).toBe(401);

    // Its users: sessions open nothing, sign-in fails like a wrong password.
    expect((await h.request('/api/v1/hamlets', { token: p.other.tokens.admin })).status).toBe(401);
    expect((await h.request('/api/v1/auth/me', { token: p.other.tokens.officer })).status).toBe(401);
    expect((await login('qk-head', userPassword)).status).toBe(401);

    // The province: gone from lists and reports; addressing it is 404.
    expect(await communeIds(p.tokens.provinceAdmin)).not.toContain(otherCommune);
    expect(await communeIds(p.tokens.provinceOfficer)).not.toContain(otherCommune);
    expect((await asProvinceAdmin(`/api/v1/communes/${otherCommune}`)).status).toBe(404);
    expect((await asProvinceAdmin('/api/v1/hamlets', { commune: otherCommune })).status).toBe(404);
    expect((await asProvinceAdmin(`/api/v1/communes/${otherCommune}`, { method: 'DELETE' })).status).toBe(
      404,
    );
    const rollup = await h.request('/api/v1/province/rollup', { token: p.tokens.provinceOfficer });
    const figures = (await rollup.json()) as {
      communes: { communeId: string }[];
      bulletins: { communes: { communeId: string }[] }[];
    };
    expect(figures.communes.map((c) => c.communeId)).not.toContain(otherCommune);
    expect(figures.bulletins.flatMap((b) => b.communes.map((c) => c.communeId))).toEqual(['coc-san']);
    const exported = await h.request('/api/v1/province/reports/v1/bulletins', { token: exportToken });
    expect(exported.status).toBe(200);
    const deliveries = ((await exported.json()) as { items: { communeId: string }[] }).items;
    expect(deliveries.map((d) => d.communeId)).toEqual(['coc-san']);
    // Cốc San goes on as before.
    expect((await h.request('/api/v1/hamlets', { token: h.tokens.head })).status).toBe(200);

    h.clock.set(new Date(h.clock.now().getTime() + 10 * 86_400_000));
    await h.runtime.dispatcher.tick();
    expect(await airings(ours)).toBeGreaterThan(before.ours);
    expect(await airings(theirs)).toBe(before.theirs);

    // Its code stays taken: a commune code is national.
    const again = await asProvinceAdmin('/api/v1/communes', {
      method: 'POST',
      json: { name: 'Xã Quang Kim mới', code: '02674' },
    });
    expect(again.status).toBe(409);
  });
});
