import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

/**
 * `GET /api/v1/commune` tags what it answers (`ETag`); `PATCH` saves only over what the caller read when
 * it sends that tag back (`If-Match`, RFC 9110 §13.1.1), and saves as before without it.
 */
describe('commune settings with ETag and If-Match', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const read = async () => {
    const res = await h.request('/api/v1/commune', { token: h.tokens.admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      settings: { quietHours: { start: string; end: string }; approvalRequired: boolean };
    };
    return { etag: res.headers.get('etag'), settings: body.settings, body };
  };
  const patch = (json: unknown, ifMatch?: string) =>
    h.request('/api/v1/commune', {
      method: 'PATCH',
      token: h.tokens.admin,
      json,
      ...(ifMatch !== undefined && { headers: { 'if-match': ifMatch } }),
    });

  it('tags the commune with a strong ETag that every role reads alike, and no field of its own', async () => {
    const { etag, body } = await read();
    expect(etag).toMatch(/^"[!#-~]+"$/);
    const secretary = await h.request('/api/v1/commune', { token: h.tokens.secretary });
    expect(secretary.headers.get('etag')).toBe(etag);
    expect(Object.keys(body).sort()).toEqual([
      'code',
      'id',
      'name',
      'provinceCode',
      'provinceId',
      'settings',
      'timeZone',
    ]);
  });

  it('saves over the ETag read and answers the new one, which the next GET gives too', async () => {
    const before = await read();
    const res = await patch({ quietHours: { start: '22:00', end: '05:00' } }, before.etag!);
    expect(res.status, await res.clone().text()).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[!#-~]+"$/);
    expect(etag).not.toBe(before.etag);
    const after = await read();
    expect(after.etag).toBe(etag);
    expect(after.settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
  });

  it('refuses with 412 over an ETag that is no longer current, and changes nothing', async () => {
    const stale = (await read()).etag!;
    expect((await patch({ approvalRequired: false }, stale)).status).toBe(200);
    const current = await read();

    const res = await patch({ quietHours: { start: '23:00', end: '04:00' } }, stale);
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; title: string; detail: string; detailVi: string };
    expect(problem).toMatchObject({ status: 412, title: 'Precondition Failed' });
    expect(problem.detail).toContain('changed by someone else');
    expect(problem.detail).toContain('GET /api/v1/commune');
    expect(problem.detailVi).toContain('Cài đặt đã được người khác thay đổi');

    const after = await read();
    expect(after.etag).toBe(current.etag);
    expect(after.settings).toEqual(current.settings);
    const audited = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'commune.update_settings')
      .execute();
    expect(audited).toHaveLength(2);
  });

  it('compares strongly: a weak tag, a tag of nothing or an empty header never matches; "*" and a list holding the tag do', async () => {
    const { etag } = await read();
    for (const ifMatch of [`W/${etag}`, '"nothing"', '', 'not-quoted']) {
      const res = await patch({ approvalRequired: true }, ifMatch);
      expect(res.status, ifMatch).toBe(412);
    }
    expect((await read()).etag).toBe(etag);

    const listed = await patch({ approvalRequired: true }, `"old", ${etag}`);
    expect(listed.status).toBe(200);
    const any = await patch({ approvalRequired: false }, '*');
    expect(any.status).toBe(200);
    expect(any.headers.get('etag')).not.toBe(listed.headers.get('etag'));
  });

  it('saves without If-Match as before, and the ETag moves all the same', async () => {
    const { etag } = await read();
    const res = await patch({ emergency: { repeatCount: 4 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(etag);
    expect((await read()).etag).toBe(res.headers.get('etag'));
  });

  it('documents the ETag, If-Match as optional, and the 412 in the OpenAPI document', async () => {
    const doc = (await (await h.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, any>>;
    };
    const { get, patch: update } = doc.paths['/api/v1/commune']!;
    expect(Object.keys(get.responses['200'].headers)).toEqual(['ETag']);
    expect(Object.keys(update.responses['200'].headers)).toEqual(['ETag']);
    expect(update.responses['412'].content).toHaveProperty(['application/problem+json']);
    const ifMatch = update.parameters.find((p: { name: string }) => p.name === 'if-match');
    expect(ifMatch).toMatchObject({ in: 'header', required: false });
    expect(ifMatch.description).toContain('Without it');
  });

  it('keeps the ETag when a save is refused for its content', async () => {
    const { etag } = await read();
    const res = await patch({ quietHours: { start: '17:30', end: '05:30' } }, etag!);
    expect(res.status).toBe(422);
    expect((await read()).etag).toBe(etag);
  });
});
