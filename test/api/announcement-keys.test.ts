import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const body = async (res: Response) => (await res.json()) as any;

/** A phone that lost its 4G link before the 202 sends the announcement again under its key. */
describe('an announcement sent again under its Idempotency-Key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(() => h.close());

  const typed = { title: 'Họp thôn về làm đường', language: 'vi', text: 'Mời bà con họp lúc 19 giờ.' };
  const send = (json: unknown, key: string, token = h.tokens.secretary) =>
    h.request('/api/v1/announcements', { method: 'POST', token, json, headers: { 'idempotency-key': key } });
  const recording = (title: string) => {
    const data = new FormData();
    for (const [k, v] of Object.entries({ title, language: 'vi', category: 'chung' })) data.set(k, v);
    data.set('file', new Blob([speechWav()], { type: 'audio/wav' }), 'ghi âm.wav');
    return data;
  };
  const upload = (data: FormData, key: string) =>
    h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: data,
      headers: { 'idempotency-key': key },
    });
  const titled = (title: string) =>
    h.runtime.db.kysely.selectFrom('announcements').select('id').where('title', '=', title).execute();
  const mediaFiles = () =>
    ['tmp', 'src'].flatMap((sub) => {
      try {
        return readdirSync(join(h.runtime.media.root, sub));
      } catch {
        return [];
      }
    });

  it('answers a typed text sent again with the first one, marked replayed, made and queued once', async () => {
    const first = await send(typed, 'f0e1d2c3-typed');
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const { id } = await body(first);
    await h.runtime.jobs.drain();

    const again = await send(typed, 'f0e1d2c3-typed');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // As it stands now: processed meanwhile.
    expect(await body(again)).toEqual({ id, status: 'ready' });
    expect(await titled(typed.title)).toEqual([{ id }]);
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['announcement.create']);
  });

  it('keeps one recording when it is sent twice: the second file is not kept', async () => {
    const title = 'Lịch tiêm phòng gia súc';
    const first = await upload(recording(title), 'f0e1d2c3-recording');
    expect(first.status).toBe(202);
    const { id } = await body(first);
    const files = mediaFiles().sort();

    const again = await upload(recording(title), 'f0e1d2c3-recording');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await body(again)).id).toBe(id);
    expect(await titled(title)).toEqual([{ id }]);
    expect(mediaFiles().sort()).toEqual(files);
  });

  it('refuses the key with another request, or from another person, with 422 and makes nothing', async () => {
    expect((await send(typed, 'f0e1d2c3-other')).status).toBe(202);
    const changed = await send({ ...typed, title: 'Họp thôn về thủy lợi' }, 'f0e1d2c3-other');
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await body(changed)).toMatchObject({
      type: expect.stringContaining('idempotency_key_reused'),
      detailVi: 'Yêu cầu này trùng mã với một yêu cầu khác đã gửi; hãy mở lại biểu mẫu và gửi lại.',
    });
    expect(await titled('Họp thôn về thủy lợi')).toEqual([]);

    const otherText = await send({ ...typed, text: 'Mời bà con họp lúc 20 giờ.' }, 'f0e1d2c3-other');
    expect(otherText.status).toBe(422);
    const otherPerson = await send(typed, 'f0e1d2c3-other', h.tokens.head);
    expect(otherPerson.status).toBe(422);
    expect(await titled(typed.title)).toHaveLength(2);
  });

  it('refuses a malformed key with 400, naming the header', async () => {
    const res = await upload(recording('Khóa hỏng'), 'short');
    expect(res.status).toBe(400);
    expect((await body(res)).errors).toEqual([expect.objectContaining({ field: 'idempotency-key' })]);
    expect(await titled('Khóa hỏng')).toEqual([]);
  });
});
