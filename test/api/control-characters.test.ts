import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';

const NUL = '\u0000';

/**
 * A NUL or another control character in an id, a name, a title or the address is refused as input (400
 * problem+json), not stored and not a server error: PostgreSQL text cannot hold NUL at all.
 */
describe.each(dialects)('control characters in requests on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  async function expect400(res: Response, what: string) {
    expect(res.status, what).toBe(400);
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  }

  it('refuses a NUL in the address: a path id, a cursor or a filter', async () => {
    for (const path of [
      '/api/v1/hamlets/a%00b',
      '/api/v1/receivers/a%00b',
      '/api/v1/announcements/a%00b',
      '/api/v1/broadcasts/a%00b',
      '/api/v1/disaster/events/a%00b',
      '/api/v1/users/a%00b',
      '/api/v1/announcements?cursor=a%00b',
      '/api/v1/broadcasts?hamletId=a%00b',
      '/api/v1/playback?hamletId=a%00b',
    ]) {
      const res = await h.request(path, { token: h.tokens.admin });
      await expect400(res, path);
      expect(((await res.json()) as { type: string }).type, path).toBe('urn:loa:problem:malformed_address');
    }
    // The service keeps serving, and a page is refused the same way.
    expect((await h.request('/api/v1/hamlets', { token: h.tokens.admin })).status).toBe(200);
    expect((await h.request('/thong-bao/a%00b', { token: h.tokens.admin })).status).toBe(400);
  });

  it('refuses a control character in a name, a title or an id of a body, naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/hamlets', { name: `Thôn${NUL}Mới`, languages: ['vi'] }, 'name'],
      ['POST', '/api/v1/hamlets', { name: `Thôn\u001bMới`, languages: ['vi'] }, 'name'],
      [
        'POST',
        '/api/v1/users',
        {
          username: 'ca-nul',
          password: 'correct horse battery',
          role: 'secretary',
          hamletIds: [NUL],
          displayName: 'Lò Văn Ca',
        },
        'hamletIds[0]',
      ],
      [
        'POST',
        '/api/v1/users',
        {
          username: 'ca-nul',
          password: 'correct horse battery',
          role: 'secretary',
          hamletIds: ['un-ta'],
          displayName: `Lò Văn${NUL}Ca`,
        },
        'displayName',
      ],
      [
        'POST',
        '/api/v1/announcements',
        { title: `Họp${NUL}thôn`, language: 'vi', text: 'Mời họp.' },
        'title',
      ],
      [
        'POST',
        '/api/v1/announcements',
        { title: 'Họp thôn', language: 'vi', text: 'Mời họp.', hamletId: NUL },
        'hamletId',
      ],
      [
        'POST',
        '/api/v1/broadcasts',
        { announcementId: NUL, hamletIds: ['un-ta'], at: '2026-12-01T10:00:00+07:00' },
        'announcementId',
      ],
      ['POST', '/api/v1/receivers', { hamletId: 'un-ta', name: `Cụm${NUL}loa` }, 'name'],
    ];
    for (const [method, path, json, field] of cases) {
      const what = `${path} ${JSON.stringify(json)}`;
      const res = await h.request(path, { method, token: h.tokens.admin, json });
      await expect400(res, what);
      const { errors } = (await res.json()) as { errors: { field: string; message: string }[] };
      expect(errors, what).toContainEqual(
        expect.objectContaining({ field, message: 'must not contain control characters' }),
      );
    }
    // Worded for the pages too, where a name pasted from a document is where such a character comes from.
    const pasted = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: `Thôn${NUL}Mới`, languages: ['vi'] },
    });
    expect(((await pasted.json()) as { detailVi: string }).detailVi).toContain(
      'Có ký tự ẩn không hợp lệ (thường do dán từ tài liệu khác). Hãy xóa ô này và gõ lại.',
    );
    const names = await h.runtime.db.kysely.selectFrom('hamlets').select('name').execute();
    expect(names.filter((n) => n.name.startsWith('Thôn') && n.name.endsWith('Mới'))).toEqual([]);
  });

  it('keeps the line breaks of a reason typed in a text area', async () => {
    const made = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title: 'Họp thôn', language: 'vi', text: 'Mời bà con họp.' },
    });
    const { id } = (await made.json()) as { id: string };
    const reason = 'Sai ngày họp.\r\nHãy ghi lại\tvới ngày 30/11.';
    const res = await h.request(`/api/v1/announcements/${id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { approvalReason: string }).approvalReason).toBe(reason);
  });
});
