import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHamletsRepository } from '../../src/db/repositories/hamlets.repository.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

interface Problem {
  readonly status: number;
  readonly detail: string;
  readonly detailVi: string;
  readonly errors: readonly { field: string; messageVi: string }[];
}

/**
 * A hamlet's name is one in its commune, compared as a person reads it: two "Thôn Ún Tà" would confuse
 * every schedule and report, whatever the case of their letters, spaces around them or how the
 * diacritics were typed.
 */
describe.each(dialects)('hamlet names, on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const create = (json: Record<string, unknown>) =>
    h.request('/api/v1/hamlets', { method: 'POST', token: h.tokens.admin, json });
  const rename = (id: string, json: Record<string, unknown>) =>
    h.request(`/api/v1/hamlets/${id}`, { method: 'PATCH', token: h.tokens.admin, json });
  const made = async (name: string) => {
    const res = await create({ name, languages: ['vi'] });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const refusedAsTaken = async (res: Response) => {
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as Problem;
    expect(problem.detailVi).toBe(
      'Xã đã có thôn "Thôn Ún Tà" (mã un-ta). Hãy đặt tên khác để lịch phát và báo cáo không bị nhầm thôn.',
    );
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'name', messageVi: problem.detailVi })]);
    expect(problem.detail).toContain('"Thôn Ún Tà" (id un-ta)');
    return problem;
  };

  it('refuses a new hamlet named like one of the commune, in any case, spacing or composition', async () => {
    for (const name of [
      'Thôn Ún Tà',
      'thôn ún tà',
      'THÔN ÚN TÀ',
      '  Thôn Ún Tà  ',
      'Thôn Ún Tà'.normalize('NFD'),
    ]) {
      await refusedAsTaken(await create({ name, languages: ['vi'] }));
    }
    // With an id of its own too: the name is what people tell hamlets apart by.
    await refusedAsTaken(await create({ id: 'un-ta-moi', name: 'thôn ún tà', languages: ['vi'] }));
    const list = await h.request('/api/v1/hamlets?limit=100', { token: h.tokens.admin });
    const names = ((await list.json()) as { items: { name: string }[] }).items.map((x) => x.name);
    expect(names.filter((n) => n.normalize('NFC').toLowerCase().trim() === 'thôn ún tà')).toEqual([
      'Thôn Ún Tà',
    ]);
  });

  it('refuses renaming a hamlet to the name of another, and nothing changes', async () => {
    const id = await made('Thôn Khe Lếch');
    await refusedAsTaken(await rename(id, { name: 'THÔN ÚN TÀ', languages: ['vi', 'giay'] }));
    const kept = await h.request(`/api/v1/hamlets/${id}`, { token: h.tokens.admin });
    expect(await kept.json()).toMatchObject({ name: 'Thôn Khe Lếch', languages: ['vi'] });
  });

  it('lets a hamlet keep or respell its own name, and take a name another gave up', async () => {
    const id = await made('Thôn Nậm Bó');
    const respelt = await rename(id, { name: 'thôn nậm bó', languages: ['vi', 'giay'] });
    expect(respelt.status).toBe(200);
    expect(await respelt.json()).toMatchObject({ name: 'thôn nậm bó', languages: ['vi', 'giay'] });
    expect((await rename(id, { name: 'Thôn Nậm Bó Trên' })).status).toBe(200);
    // The old name is free again.
    expect(await made('Thôn Nậm Bó')).toBe('thon-nam-bo-2');
  });

  it("frees a deleted hamlet's name", async () => {
    const id = await made('Thôn Bản Phố');
    expect(
      (await h.request(`/api/v1/hamlets/${id}`, { method: 'DELETE', token: h.tokens.admin })).status,
    ).toBe(204);
    expect(await made('Thôn Bản Phố')).toBe('thon-ban-pho-2');
  });

  it("leaves another commune's hamlets their names", async () => {
    const hamlets = createHamletsRepository(h.runtime.db.kysely, h.runtime.db.capabilities);
    const values = { name: 'Thôn Ún Tà', languages: ['vi'], lat: null, lon: null, communeId: 'quang-kim' };
    expect(await hamlets.insertHamlet({ ...values, id: 'qk-un-ta' }, h.clock.now().toISOString())).toBe(true);
    expect((await hamlets.findHamlet('qk-un-ta'))?.name).toBe('Thôn Ún Tà');
    expect(await hamlets.insertHamlet({ ...values, id: 'qk-un-ta-2' }, h.clock.now().toISOString())).toBe(
      false,
    );
  });

  it('gives names that only share their id an id each, as before', async () => {
    expect(await made('Thôn Cốc Mủn')).toBe('thon-coc-mun');
    expect(await made('Thôn Cốc Mùn')).toBe('thon-coc-mun-2');
  });
});
