import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { connectD1 } from '../../src/db/d1/connect.js';
import { listJournalObjectsSql } from '../../src/db/d1/journal.js';
import { migrateTo } from '../../src/db/migrator.js';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { createHarness } from './support/harness.js';

const testEnv = env as unknown as Env;

/** Hamlet names one in their commune on the edge profile: D1's one writer at a time, and its upgrade. */
describe('hamlet names on D1', () => {
  it('make one hamlet of a name sent ten times at once, and refuse the others with 409', async () => {
    const h = await createHarness();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.request('/api/v1/hamlets', {
          method: 'POST',
          token: h.tokens.admin,
          json: { name: i % 2 ? 'THÔN TRÙNG TÊN' : 'Thôn Trùng Tên', languages: ['vi'] },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const { results } = await testEnv.DB.prepare(
      "select id from hamlets where name_key = 'thôn trùng tên' and deleted_at is null",
    ).all();
    expect(results).toHaveLength(1);
  });

  it('upgrade a database with two hamlets of one name, both kept and editable', async () => {
    await createHarness();
    // A deployment from before 0030, with the twins it allowed and the journal of its schema (the
    // journal's triggers name the columns, so they go before the schema goes back).
    const old = connectD1(testEnv.DB);
    await old.journal.exclusive(async () => {
      const { results } = await testEnv.DB.prepare(listJournalObjectsSql).all<{
        type: string;
        name: string;
      }>();
      for (const o of results) await testEnv.DB.prepare(`drop ${o.type} if exists "${o.name}"`).run();
      await migrateTo(old.kysely, '0029-username-key');
      await old.journal.installJournal();
      await testEnv.DB.prepare(
        `insert into hamlets (id, commune_id, name, languages, created_at, updated_at)
         values ('un-ta-2', 'coc-san', 'thôn ún tà', '["vi"]', '2026-11-28T00:00:00.000Z', '2026-11-28T00:00:00.000Z')`,
      ).run();
    });

    // The next deployment migrates at its first start, and journals the new schema.
    const runtime = await createEdgeRuntime(testEnv);
    const { results } = await testEnv.DB.prepare(
      "select id, name_key from hamlets where id in ('un-ta', 'un-ta-2') order by id",
    ).all();
    expect(results).toEqual([
      { id: 'un-ta', name_key: 'thôn ún tà' },
      { id: 'un-ta-2', name_key: 'thôn ún tà\u001fun-ta-2' },
    ]);
    const login = await runtime.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-for-tests' }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const api = (path: string, method: string, json: unknown) =>
      runtime.app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      });
    expect((await api('/api/v1/hamlets', 'POST', { name: 'Thôn Ún Tà', languages: ['vi'] })).status).toBe(
      409,
    );
    const edited = await api('/api/v1/hamlets/un-ta-2', 'PATCH', {
      name: 'Thôn Ún Tà Mới',
      languages: ['vi', 'giay'],
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ name: 'Thôn Ún Tà Mới', languages: ['vi', 'giay'] });
  });
});
