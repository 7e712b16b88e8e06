import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, userPassword, type Harness } from '../support/harness.js';

describe.each(dialects)('hamlets: deleting, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const create = async (path: string, json: Record<string, unknown>) => {
    const res = await h.request(path, { method: 'POST', token: h.tokens.admin, json });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string } | { receiver: { id: string } };
    return 'receiver' in body ? body.receiver.id : body.id;
  };
  const remove = (id: string) =>
    h.request(`/api/v1/hamlets/${id}`, { method: 'DELETE', token: h.tokens.admin });

  it('refuses while a receiver, even a disabled one, belongs to the hamlet, and deletes once it moved', async () => {
    const hamlet = await create('/api/v1/hamlets', { name: 'Thôn Cũ', languages: ['vi'] });
    const receiver = await create('/api/v1/receivers', { hamletId: hamlet, name: 'Loa đầu thôn' });
    const disabled = await h.request(`/api/v1/receivers/${receiver}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: true },
    });
    expect(disabled.status).toBe(200);

    const refused = await remove(hamlet);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; detailVi: string; receivers: number };
    expect(problem.receivers).toBe(1);
    expect(problem.detailVi).toContain('Thôn còn 1 cụm loa');
    expect((await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })).status).toBe(200);

    const moved = await h.request(`/api/v1/receivers/${receiver}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'un-ta' },
    });
    expect(moved.status).toBe(200);
    expect((await remove(hamlet)).status).toBe(204);
    expect((await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })).status).toBe(404);
    // The receiver stays manageable in its new hamlet.
    expect((await h.request(`/api/v1/receivers/${receiver}`, { token: h.tokens.admin })).status).toBe(200);
  });

  it('refuses while users, even a disabled one, look after the hamlet, naming them, and deletes once they moved', async () => {
    const hamlet = await create('/api/v1/hamlets', { name: 'Thôn Nhỏ', languages: ['vi'] });
    const person = async (username: string, role: string, hamletIds: string[]) => {
      const res = await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: { username, password: userPassword, role, hamletIds, displayName: username },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const patch = async (id: string, json: Record<string, unknown>) => {
      const res = await h.request(`/api/v1/users/${id}`, { method: 'PATCH', token: h.tokens.admin, json });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const head = await person('truong-thon-nho', 'hamlet_head', [hamlet]);
    const secretary = await person('thu-ky-nho', 'secretary', [hamlet, 'un-ta']);
    await patch(secretary, { disabled: true });

    const refused = await remove(hamlet);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { detail: string; detailVi: string; users: string[] };
    expect(problem.users.sort()).toEqual([head, secretary].sort());
    expect(problem.detailVi).toContain(
      'Thôn còn trong phạm vi quản lý của 2 người dùng (kể cả tài khoản đã khóa): "thu-ky-nho", "truong-thon-nho".',
    );
    expect(problem.detail).toContain('"thu-ky-nho", "truong-thon-nho"');
    expect((await h.request(`/api/v1/hamlets/${hamlet}`, { token: h.tokens.admin })).status).toBe(200);

    await patch(head, { hamletIds: ['un-ta'] });
    expect((await remove(hamlet)).status).toBe(409);
    await patch(secretary, { hamletIds: ['un-ta'] });
    expect((await remove(hamlet)).status).toBe(204);
    // The hamlet head looks after the hamlet given instead.
    const me = await h.request(`/api/v1/users/${head}`, { token: h.tokens.admin });
    expect(((await me.json()) as { hamletIds: string[] }).hamletIds).toEqual(['un-ta']);
  });
});
