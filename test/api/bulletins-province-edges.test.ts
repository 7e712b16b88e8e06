import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';

/**
 * The province's bulletins at their edges: who of the province reads them, and a target commune deleted
 * between the bulletin's making and its sending.
 */
describe.each(dialects)('province bulletins at their edges, on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  const body = async (res: Response) => (await res.json()) as any;

  beforeAll(async () => {
    h = await createHarness(dialect);
    p = await provinceFixture(h);
  });
  afterAll(() => h.close());

  /** A new commune of the province, made by the province admin: its id. */
  async function newCommune(name: string, code: string): Promise<string> {
    const res = await h.request('/api/v1/communes', {
      method: 'POST',
      token: p.tokens.provinceAdmin,
      json: { name, code },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await body(res)).commune.id;
  }

  it('lets the province admin read the bulletins and their deliveries, as the other province staff', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const { id } = await sendBulletin(h, p.tokens.provinceOfficer, 'normal', ['coc-san']);
    const list = await h.request('/api/v1/province/bulletins', { token: p.tokens.provinceAdmin });
    expect(list.status, await list.clone().text()).toBe(200);
    expect((await body(list)).items.map((b: { id: string }) => b.id)).toContain(id);
    const one = await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceAdmin });
    expect(one.status).toBe(200);
  });

  it('sends to the target communes still there when one was deleted after the bulletin was made', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const gone = await newCommune('Xã Nậm Chày', '02761');
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Lịch tiêm phòng gia súc',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo lịch tiêm phòng cho gia súc.',
        level: 'normal',
        communeIds: ['coc-san', gone, otherCommune],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = await body(created);
    await h.runtime.jobs.drain();
    const removed = await h.request(`/api/v1/communes/${gone}`, {
      method: 'DELETE',
      token: p.tokens.provinceAdmin,
    });
    expect(removed.status, await removed.clone().text()).toBe(204);

    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const view = await body(
      await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer }),
    );
    expect(view.deliveries.map((d: { communeId: string }) => d.communeId).sort()).toEqual(
      ['coc-san', otherCommune].sort(),
    );
    const inbox = await body(await h.request('/api/v1/bulletins', { token: h.tokens.officer }));
    expect(inbox.items.map((i: { bulletin: { id: string } }) => i.bulletin.id)).toContain(id);
    const [audit] = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'bulletin.send')
      .where('target_id', '=', id)
      .execute();
    expect(JSON.parse(audit!.details!)).toMatchObject({ communes: ['coc-san', otherCommune], left: [gone] });
  });

  it('refuses to send when every target commune was deleted meanwhile, naming them, and sends nothing', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const gone = await newCommune('Xã Bản Vược', '02764');
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Thông báo nghỉ lễ',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo lịch nghỉ lễ.',
        level: 'normal',
        communeIds: [gone],
      },
    });
    expect(created.status).toBe(202);
    const { id } = await body(created);
    await h.runtime.jobs.drain();
    expect(
      (await h.request(`/api/v1/communes/${gone}`, { method: 'DELETE', token: p.tokens.provinceAdmin }))
        .status,
    ).toBe(204);
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status).toBe(422);
    expect(sent.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await body(sent)).detailVi).toContain(gone);
    const view = await body(
      await h.request(`/api/v1/province/bulletins/${id}`, { token: p.tokens.provinceOfficer }),
    );
    expect(view).toMatchObject({ sentAt: null, deliveries: [] });
  });

  it('leaves a commune deleted after the bulletin was sent out of its deliveries and its proof, as out of the roll-up', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const made = await h.request('/api/v1/communes', {
      method: 'POST',
      token: p.tokens.provinceAdmin,
      json: {
        name: 'Xã Mường Hum',
        code: '02767',
        admin: { username: 'mh-admin', displayName: 'Mường Hum' },
      },
    });
    expect(made.status).toBe(201);
    const { commune, admin } = await body(made);
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: admin.username, password: admin.password },
    });
    const token = (await body(login)).token as string;
    const hamlet = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token,
      json: { id: 'mh-thon-1', name: 'Thôn 1 Mường Hum', languages: ['vi'] },
    });
    expect(hamlet.status, await hamlet.clone().text()).toBe(201);
    const box = await h.request('/api/v1/receivers', {
      method: 'POST',
      token,
      json: { hamletId: 'mh-thon-1', name: 'Cụm loa Mường Hum' },
    });
    expect(box.status, await box.clone().text()).toBe(201);
    const { id } = await sendBulletin(h, p.tokens.provinceOfficer, 'normal', ['coc-san', commune.id]);
    const proof = async () =>
      body(await h.request(`/api/v1/province/bulletins/${id}/proof`, { token: p.tokens.provinceOfficer }));
    expect((await proof()).receivers.map((r: { communeId: string }) => r.communeId)).toContain(commune.id);

    expect(
      (await h.request(`/api/v1/communes/${commune.id}`, { method: 'DELETE', token: p.tokens.provinceAdmin }))
        .status,
    ).toBe(204);
    const after = await proof();
    expect(after.bulletin.deliveries.map((d: { communeId: string }) => d.communeId)).toEqual(['coc-san']);
    expect(after.receivers.map((r: { communeId: string }) => r.communeId)).not.toContain(commune.id);
    const list = await body(
      await h.request('/api/v1/province/bulletins', { token: p.tokens.provinceOfficer }),
    );
    const listed = list.items.find((b: { id: string }) => b.id === id);
    expect(listed.deliveries.map((d: { communeId: string }) => d.communeId)).toEqual(['coc-san']);
    const rollup = await body(
      await h.request('/api/v1/province/rollup?from=2026-11-27&to=2026-11-27', {
        token: p.tokens.provinceOfficer,
      }),
    );
    const rolled = rollup.bulletins.find((b: { bulletinId: string }) => b.bulletinId === id);
    expect(rolled.communes.map((c: { communeId: string }) => c.communeId)).toEqual(['coc-san']);
  });
});
