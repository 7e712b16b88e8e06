import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

describe('hamlets: deleting', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
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
});
