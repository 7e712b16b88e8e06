import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { origin, page, signInPage, type CookieSession } from './support.js';

/**
 * The emergency form without JavaScript, over HTTP: a recording posted with the form (multipart, a
 * checkbox per hamlet), the review page that refreshes itself while the audio is processed, the
 * confirmation, and the page that follows the boxes.
 */
describe('emergency from a recording, without JavaScript', () => {
  let h: Harness;
  let officer: CookieSession;
  const hamlets = ['un-ta', 'thon-2', 'thon-3', 'thon-4', 'thon-5', 'thon-6', 'thon-7', 'thon-8', 'thon-9'];

  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  function postForm(fields: Record<string, string | string[]>, file?: Uint8Array, name = '') {
    const form = new FormData();
    form.append('_csrf', officer.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    form.append('file', new Blob(file ? [file] : [], { type: 'audio/wav' }), name);
    return h.runtime.app.request('/giam-sat/khan-cap', {
      method: 'POST',
      headers: { cookie: officer.cookie, origin, accept: 'text/html' },
      body: form,
    });
  }
  const base = { step: 'review', content: 'audio', language: 'vi', start: 'now', repeat: 'default' };

  it('refuses a file that is not audio, next to the file field, and keeps the choices', async () => {
    const res = await postForm(
      { ...base, hamletIds: ['thon-3'] },
      new TextEncoder().encode('not a recording'),
      'ghi-am.mp3',
    );
    expect(res.status).toBe(415);
    const html = await res.text();
    expect(html).toMatch(/<p class="field-error" id="file-error">[^<]*âm thanh/);
    expect(html).toMatch(/<input type="checkbox" id="hamletIds-2" name="hamletIds" value="thon-3" checked/);
  });

  it('keeps a pasted text whole, however long, and refuses one past the limit at its field with the count', async () => {
    const form = await (await page(h, '/giam-sat/khan-cap', officer)).text();
    // A maxlength would make the browser cut a pasted directive without a word: there is none.
    expect(form).toMatch(/<textarea id="text" name="text" rows="4" aria-describedby="text-hint">/);
    expect(form).toContain('0 / 5000 ký tự');
    const long = 'Bà con di chuyển lên chỗ cao ngay. '.repeat(150);
    const posted = await postForm({ ...base, content: 'text', text: long, voice: 'vi', hamletIds: 'thon-3' });
    expect(posted.status).toBe(400);
    const html = await posted.text();
    expect(html).toMatch(
      /<p class="field-error" id="text-error">Văn bản dài 5249 ký tự, vượt giới hạn 5000 ký tự\./,
    );
    expect(html).toContain(`>${long}</textarea>`);
  });

  it('counts a text pasted five times over the limit at its field, however many bytes its letters take', async () => {
    // 30,000 letters of three bytes each: 90 KB, past what a form field used to be read to.
    const pasted = 'ế'.repeat(30_000);
    const posted = await postForm({
      ...base,
      content: 'text',
      text: pasted,
      voice: 'vi',
      hamletIds: 'thon-3',
    });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toMatch(
      /<p class="field-error" id="text-error">Văn bản dài 30000 ký tự, vượt giới hạn 5000 ký tự\./,
    );
  });

  it('refuses a field past what a field may hold with the upload’s own message, and goes on serving', async () => {
    // 100,000 letters of three bytes: 300 KB, twenty times what a text may have.
    const posted = await postForm({
      ...base,
      content: 'text',
      voice: 'vi',
      hamletIds: 'thon-3',
      text: 'ế'.repeat(100_000),
    });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain('Dữ liệu tải lên bị lỗi hoặc bị ngắt giữa chừng. Hãy gửi lại.');
    expect((await page(h, '/giam-sat/khan-cap', officer)).status).toBe(200);
  });

  it('sends a recording to every hamlet: processed, confirmed, followed', async () => {
    const posted = await postForm(
      { ...base, hamletIds: hamlets },
      speechWav('Bà con chú ý, nước suối đang lên nhanh.', 'emergency-http'),
      'lu-quet.wav',
    );
    expect(posted.status, await posted.clone().text()).toBe(303);
    const review = posted.headers.get('location')!;
    expect(review).toMatch(
      /^\/giam-sat\/khan-cap\/xac-nhan\?announcementId=[^&]+(&hamletIds=[\w-]+){9}&start=now/,
    );
    const id = new URL(review, origin).searchParams.get('announcementId')!;

    const preparing = await (await page(h, review, officer)).text();
    expect(preparing).toContain('<h1>Đang chuẩn bị âm thanh</h1>');
    expect(preparing).toContain('<noscript><meta http-equiv="refresh" content="5"/></noscript>');

    await h.runtime.jobs.drain();
    const confirm = await (await page(h, review, officer)).text();
    expect(confirm).toContain('<h1>Xác nhận phát khẩn cấp</h1>');
    expect(confirm).toContain('<dd>Phát khẩn cấp: lu-quet</dd>');
    expect(confirm).toContain('0/2 cụm loa đang trực tuyến');

    const key = /<input type="hidden" name="idempotencyKey" value="([\w-]{36})"\/>/.exec(confirm)?.[1];
    expect(key).toBeDefined();
    const form: Record<string, string | string[]> = {
      step: 'confirm',
      content: 'existing',
      announcementId: id,
      hamletIds: hamlets,
      start: 'now',
      repeat: 'default',
      idempotencyKey: key!,
    };
    // "Xác nhận phát" pressed twice: both posts arrive before either is answered, and book once.
    const twice = await Promise.all([1, 2].map(() => page(h, '/giam-sat/khan-cap', officer, form)));
    expect(twice.map((r) => r.status)).toEqual([303, 303]);
    const follow = twice[0]!.headers.get('location')!;
    expect(follow).toMatch(/^\/giam-sat\/khan-cap\/da-gui\/[^?]+\?tb=emergency$/);
    expect(twice[1]!.headers.get('location')).toBe(follow);
    const booked = await h.runtime.db.kysely
      .selectFrom('broadcasts')
      .select('id')
      .where('announcement_id', '=', id)
      .execute();
    expect(booked.map((b) => `/giam-sat/khan-cap/da-gui/${b.id}?tb=emergency`)).toEqual([follow]);
    // The review page again (Back, a reload) is a new confirmation with a new key.
    const again = await (await page(h, review, officer)).text();
    expect(again).not.toContain(key);
    const live = await (await page(h, follow, officer)).text();
    // The example commune's three boxes have never connected.
    expect(live).toContain('Lệnh phát khẩn cấp đã gửi tới 0/3 cụm loa đang trực tuyến.');
    expect(live).toContain('0/3 cụm loa đã bắt đầu phát.');
    expect(live).toContain('<noscript><meta http-equiv="refresh" content="10"/></noscript>');
    expect(live.match(/ · mất kết nối lúc gửi<\/li>/g)).toHaveLength(3);
  });
});
