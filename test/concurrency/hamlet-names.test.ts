import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { adminPassword } from '../support/harness.js';
import { postAtOnce, startTwoInstances, type TwoInstances } from '../support/two-instances.js';

/**
 * One hamlet name sent many times at the same moment, on two instances over one database: each request
 * finds the name free, and exactly one hamlet gets it; the others are refused (409) as a lone request
 * would be, never a 500 from the unique index, never a second hamlet of the name. Renames likewise.
 */
describe.each(dialects)('hamlets named alike at the same moment, on %s', (dialect) => {
  let two: TwoInstances;
  // Hamlets are made by the commune's admin (the pair's own token is an officer's on PostgreSQL).
  let asAdmin: Record<string, string>;
  beforeAll(async () => {
    two = await startTwoInstances(dialect);
    const login = await fetch(`${two.urls[0]}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    asAdmin = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  });
  afterAll(() => two.close());

  const live = (name: string) =>
    two.db
      .selectFrom('hamlets')
      .select(['id', 'name'])
      .where('commune_id', '=', 'coc-san')
      .where('deleted_at', 'is', null)
      .execute()
      .then((rows) => rows.filter((r) => r.name.toLowerCase() === name.toLowerCase()));

  it('makes one hamlet of a name sent ten times at once, and refuses the others with 409', async () => {
    // One case of letters or another, with an explicit id or not: the name decides.
    const bodies = Array.from({ length: 10 }, (_, i) => ({
      ...(i % 3 === 2 && { id: `thon-trung-ten-${i}` }),
      name: i % 2 ? 'THÔN TRÙNG TÊN' : 'Thôn Trùng Tên',
      languages: ['vi'],
    }));
    const answers = await postAtOnce(two, '/api/v1/hamlets', bodies, asAdmin);
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const lone = await postAtOnce(
      two,
      '/api/v1/hamlets',
      [{ name: 'thôn trùng tên', languages: ['vi'] }],
      asAdmin,
    );
    expect(lone[0]!.status).toBe(409);
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.body.detailVi).toBe(lone[0]!.body.detailVi);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    }
    expect(await live('Thôn Trùng Tên')).toHaveLength(1);
  });

  it('renames one of ten hamlets to a name asked for all at once, and refuses the others with 409', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `Thôn Đổi Tên ${i}`);
    const made = await postAtOnce(
      two,
      '/api/v1/hamlets',
      names.map((name) => ({ name, languages: ['vi'] })),
      asAdmin,
    );
    expect(made.map((a) => a.status)).toEqual(Array(10).fill(201));
    const answers = await Promise.all(
      made.map(async (a, i) => {
        const res = await fetch(`${two.urls[i % 2]}/api/v1/hamlets/${(a.body as { id: string }).id}`, {
          method: 'PATCH',
          headers: { ...asAdmin, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Thôn Chung Một Tên' }),
        });
        return { status: res.status, body: (await res.json()) as { detailVi?: string } };
      }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(refused.body.detailVi).toMatch(/^Xã đã có thôn "Thôn Chung Một Tên"/);
    }
    expect(await live('Thôn Chung Một Tên')).toHaveLength(1);
  });
});
