import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';

describe('bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const post = (
    path: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => h.request(path, { method: 'POST', token: h.tokens.admin, body, headers });

  async function expectProblem(res: Response, status: number, detail?: RegExp) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; detail: string; type: string; title: string };
    expect(problem.status).toBe(status);
    expect(problem.type).toMatch(/^urn:loa:problem:/);
    if (detail) expect(problem.detail).toMatch(detail);
    return problem;
  }

  it('malformed JSON → 400 with a clear message', async () => {
    await expectProblem(await post('/api/v1/hamlets', '{"name": "Thôn'), 400, /not valid JSON/);
  });

  it('malformed JSON to the routes that take a text or a recording → 400, and nothing is written', async () => {
    const before = await h.runtime.db.kysely.selectFrom('announcements').select('id').execute();
    for (const path of ['/api/v1/announcements', '/api/v1/announcements/khong-co/variants']) {
      for (const body of ['{"title":', '']) {
        const problem = await expectProblem(await post(path, body), 400, /not valid JSON/);
        expect(problem.type).toBe('urn:loa:problem:malformed_json');
      }
    }
    expect(await h.runtime.db.kysely.selectFrom('announcements').select('id').execute()).toEqual(before);
  });

  it('dates that are not on the calendar → 400 or 422 naming the field, not a failure', async () => {
    const get = (path: string) => h.request(path, { token: h.tokens.admin });
    for (const from of ['2026-02-30T06:00:00Z', '2026-13-01T00:00Z', '2026-01-01T25:00Z']) {
      const problem = await expectProblem(await get(`/api/v1/broadcasts?from=${from}`), 400);
      expect(JSON.stringify(problem)).toMatch(/"field":"from"/);
    }
    for (const path of ['/api/v1/reports/coverage', '/api/v1/playback']) {
      // 30 February would otherwise be read as 2 March.
      for (const from of [
        '2026-02-30',
        '2026-99-99',
        '2026-02-30T00:00:00+07:00',
        '-000001-01-01T00:00:00Z',
      ]) {
        const problem = await expectProblem(await get(`${path}?from=${from}&to=2026-03-05`), 422);
        expect(JSON.stringify(problem)).toMatch(/"field":"from"/);
      }
      expect((await get(`${path}?from=2026-02-28&to=2026-03-05`)).status).toBe(200);
    }
  });

  it('a form field named like a property of every object is a field like any other', async () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const form = new FormData();
      form.set('title', 'Thông báo');
      form.set('language', 'vi');
      form.set(name, 'x');
      form.set('file', new Blob([new Uint8Array(64)], { type: 'audio/wav' }), 'a.wav');
      const res = await h.request('/api/v1/announcements', {
        method: 'POST',
        token: h.tokens.admin,
        body: form,
      });
      const problem = await expectProblem(res, 400);
      expect(problem.detail).toContain(name);
    }
    expect((await h.request('/healthz')).status).toBe(200);
  });

  it('a body that is not JSON → 415, no body → 400', async () => {
    await expectProblem(await post('/api/v1/hamlets', 'name=x', { 'content-type': 'text/plain' }), 415);
    await expectProblem(await h.request('/api/v1/hamlets', { method: 'POST', token: h.tokens.admin }), 400);
  });

  it('wrong types and unknown fields → 400 naming the field', async () => {
    const wrongType = await expectProblem(
      await h.request('/api/v1/hamlets', {
        method: 'POST',
        token: h.tokens.admin,
        json: { name: 42, languages: 'vi' },
      }),
      400,
    );
    expect(JSON.stringify(wrongType)).toMatch(/"field":"name"/);
    expect(JSON.stringify(wrongType)).toMatch(/"field":"languages"/);
    const unknown = await expectProblem(
      await h.request('/api/v1/hamlets', {
        method: 'POST',
        token: h.tokens.admin,
        json: { name: 'Thôn A', languages: ['vi'], mayor: 'x' },
      }),
      400,
    );
    expect(unknown.detail).toMatch(/mayor/);
  });

  it('a name of only spaces is refused', async () => {
    await expectProblem(
      await h.request('/api/v1/hamlets', {
        method: 'POST',
        token: h.tokens.admin,
        json: { name: '   ', languages: ['vi'] },
      }),
      400,
      /must not be empty/,
    );
  });

  it('a huge body → 413 and the server keeps serving', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), languages: ['vi'] });
    await expectProblem(await post('/api/v1/hamlets', huge), 413);
    expect((await h.request('/healthz')).status).toBe(200);
  });

  it('stores names with quotes, emoji and diacritics exactly, in NFC', async () => {
    const decomposed = 'Thôn Nà Lọt "Bản" — 🎙️ Ngài'.normalize('NFD');
    const res = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: decomposed, languages: ['vi', 'giay'] },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; name: string };
    expect(created.name).toBe(decomposed.normalize('NFC'));
    expect(created.id).toBe('thon-na-lot-ban-ngai');
    const again = (await (
      await h.request(`/api/v1/hamlets/${created.id}`, { token: h.tokens.admin })
    ).json()) as {
      name: string;
    };
    expect(again.name).toBe('Thôn Nà Lọt "Bản" — 🎙️ Ngài'.normalize('NFC'));

    const user = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'Lò_Văn_Páo'.normalize('NFD'),
        password: userPassword,
        role: 'secretary',
        hamletIds: ['un-ta'],
        displayName: "Lò Văn Páo 'Páo'",
      },
    });
    expect(user.status).toBe(201);
    expect(((await user.json()) as { username: string }).username).toBe('Lò_Văn_Páo'.normalize('NFC'));
  });

  it('ids that do not exist → 404; unknown routes → 404 problem', async () => {
    await expectProblem(await h.request('/api/v1/hamlets/khong-co', { token: h.tokens.admin }), 404);
    await expectProblem(
      await h.request('/api/v1/users/00000000-0000-0000-0000-000000000000', { token: h.tokens.admin }),
      404,
    );
    await expectProblem(await h.request('/api/v1/receivers/nope', { token: h.tokens.admin }), 404);
    await expectProblem(await h.request('/api/v1/nothing-here', { token: h.tokens.admin }), 404);
  });

  it("another hamlet's ids are refused for a hamlet-scoped user", async () => {
    const res = await expectProblem(await h.request('/api/v1/hamlets/thon-3', { token: h.tokens.head }), 403);
    expect(JSON.stringify(res)).toMatch(/ngoài phạm vi/);
    const list = (await (await h.request('/api/v1/hamlets', { token: h.tokens.head })).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((i) => i.id)).toEqual(['un-ta']);
    const receivers = (await (await h.request('/api/v1/receivers', { token: h.tokens.head })).json()) as {
      items: { hamletId: string }[];
    };
    expect(receivers.items.length).toBeGreaterThan(0);
    expect(receivers.items.every((r) => r.hamletId === 'un-ta')).toBe(true);
    await expectProblem(await h.request('/api/v1/receivers?hamletId=thon-2', { token: h.tokens.head }), 403);
  });

  it('scope and references are checked: unknown hamlets, unknown languages, taken usernames', async () => {
    await expectProblem(
      await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username: 'x-head',
          password: userPassword,
          role: 'hamlet_head',
          hamletIds: ['khong-co'],
          displayName: 'X',
        },
      }),
      422,
      /Unknown hamlet/,
    );
    await expectProblem(
      await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username: 'y-head',
          password: userPassword,
          role: 'hamlet_head',
          hamletIds: [],
          displayName: 'Y',
        },
      }),
      422,
      /at least one hamlet/,
    );
    await expectProblem(
      await h.request('/api/v1/users', {
        method: 'POST',
        token: h.tokens.admin,
        json: {
          username: 'head',
          password: userPassword,
          role: 'hamlet_head',
          hamletIds: ['un-ta'],
          displayName: 'Y',
        },
      }),
      409,
    );
    await expectProblem(
      await h.request('/api/v1/hamlets', {
        method: 'POST',
        token: h.tokens.admin,
        json: { name: 'Thôn B', languages: ['xx'] },
      }),
      422,
      /Unknown language/,
    );
    await expectProblem(
      await h.request('/api/v1/receivers', {
        method: 'POST',
        token: h.tokens.admin,
        json: { hamletId: 'nope', name: 'R' },
      }),
      422,
    );
  });

  it('paginates lists with a cursor', async () => {
    const first = (await (await h.request('/api/v1/hamlets?limit=4', { token: h.tokens.admin })).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    expect(first.items).toHaveLength(4);
    expect(first.nextCursor).toBe(first.items[3]!.id);
    const second = (await (
      await h.request(`/api/v1/hamlets?limit=4&cursor=${first.nextCursor}`, { token: h.tokens.admin })
    ).json()) as { items: { id: string }[] };
    expect(second.items[0]!.id > first.items[3]!.id).toBe(true);
    await expectProblem(await h.request('/api/v1/hamlets?limit=5000', { token: h.tokens.admin }), 400);
  });
});
