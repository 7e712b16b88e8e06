import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { origin, page, signInPage, type CookieSession } from './support.js';

/** The pages over HTTP, without a browser: what must hold even with JavaScript off. */
describe('pages over HTTP', () => {
  let h: Harness;
  let secretary: CookieSession;
  const uploadsInFlight = () => {
    try {
      return readdirSync(join(h.runtime.config.MEDIA_DIR, 'tmp')).length;
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    h = await createHarness();
    secretary = await signInPage(h, 'secretary');
  });
  afterAll(() => h.close());

  /** The send form as a browser without JavaScript posts it: multipart, with the CSRF field first. */
  function postSendForm(fields: Record<string, string>, file?: Uint8Array, session = secretary) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append(
      'file',
      new Blob(file ? [file] : [], { type: file ? 'audio/wav' : 'application/octet-stream' }),
      file ? 'loa.wav' : '',
    );
    return h.runtime.app.request('/thong-bao/gui', {
      method: 'POST',
      headers: { cookie: session.cookie, origin, accept: 'text/html' },
      body: form,
    });
  }

  it('shows the sign-in page in Vietnamese by default and in English after the switch', async () => {
    const res = await page(h, '/dang-nhap');
    const text = await res.text();
    expect(text).toMatch(/^<!doctype html><html lang="vi">/);
    expect(text).toContain('<label for="username">Tên đăng nhập</label>');
    const sw = await page(h, '/ngon-ngu/en?next=/dang-nhap');
    expect(sw.headers.get('location')).toBe('/dang-nhap');
    expect(sw.headers.getSetCookie().some((c) => c.startsWith('loa_lang=en;'))).toBe(true);
    const en = await h.runtime.app.request('/dang-nhap', { headers: { cookie: 'loa_lang=en' } });
    expect(await en.text()).toContain('<label for="username">Username</label>');
    // A language link never sends anyone to another site.
    expect((await page(h, '/ngon-ngu/vi?next=//evil.example')).headers.get('location')).toBe('/');
  });

  it('refuses a wrong password in Vietnamese, keeps the username, then rate-limits', async () => {
    const post = (password: string) =>
      h.runtime.app.request('/dang-nhap', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin,
          'x-forwarded-for': '10.9.9.9',
        },
        body: new URLSearchParams({ username: 'khach', password }).toString(),
      });
    const wrong = await post('not the password');
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(body).toContain('Sai tên đăng nhập hoặc mật khẩu.');
    expect(body).toContain('value="khach"');
    for (let i = 0; i < 4; i++) await post('still wrong');
    const limited = await post('still wrong');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.text()).toMatch(
      /Bạn đã thử đăng nhập quá nhiều lần\. Vui lòng thử lại sau \d+ phút\./,
    );
  });

  it('sends each role to its own page after signing in', async () => {
    expect((await page(h, '/', secretary)).headers.get('location')).toBe('/thong-bao/gui');
    expect((await page(h, '/', await signInPage(h, 'head'))).headers.get('location')).toBe('/lich-phat');
    expect((await page(h, '/', await signInPage(h, 'officer'))).headers.get('location')).toBe('/giam-sat');
    expect((await page(h, '/', await signInPage(h, 'admin'))).headers.get('location')).toBe('/quan-tri');
  });

  it('signs out only with the CSRF token, and a forged form gets the Vietnamese page', async () => {
    const s = await signInPage(h, 'officer');
    const forged = await h.runtime.app.request('/dang-xuat', {
      method: 'POST',
      headers: {
        cookie: s.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        origin,
        accept: 'text/html',
      },
      body: '_csrf=wrong',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await forged.text()).toContain('Biểu mẫu đã hết hạn hoặc được gửi từ trang khác.');
    expect((await page(h, '/dang-xuat', s, {})).status).toBe(303);
    expect((await page(h, '/giam-sat', s)).status).toBe(303);
  });

  it('accepts a recording without JavaScript (multipart post) and keeps the title as text', async () => {
    const res = await postSendForm(
      {
        _csrf: secretary.csrf,
        title: '<script>alert(1)</script>',
        category: 'y-te',
        language: 'vi',
        source: 'audio',
      },
      speechWav('Xin chào bà con thôn Ún Tà.', 'nojs'),
    );
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/thong-bao\/[0-9a-f-]{36}$/);
    const detail = await (await page(h, location, secretary)).text();
    expect(detail).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(detail).not.toContain('<script>alert(1)');
    // Without scripts the page refreshes itself while processing runs.
    expect(detail).toContain('<noscript><meta http-equiv="refresh" content="5"/></noscript>');
    expect(uploadsInFlight()).toBe(0);

    // A second language, also without JavaScript.
    const form = new FormData();
    form.append('_csrf', secretary.csrf);
    form.append('language', 'giay');
    form.append('source', 'audio');
    form.append('file', new Blob([speechWav('Xin chào.', 'giay')], { type: 'audio/wav' }), 'giay.wav');
    const variant = await h.runtime.app.request(`${location}/ban-dich`, {
      method: 'POST',
      headers: { cookie: secretary.cookie, origin },
      body: form,
    });
    expect(variant.status, await variant.clone().text()).toBe(303);
    expect(variant.headers.get('location')).toBe(location);
    const again = await (await page(h, location, secretary)).text();
    expect(again).toContain('Bản Tiếng Giáy');
    // Both languages exist now, so the form to add one is gone.
    expect(again).not.toContain('action="' + location + '/ban-dich"');
  });

  it('refuses a multipart form with a forged CSRF field and keeps no file', async () => {
    const res = await postSendForm(
      { _csrf: 'forged', title: 'Tin', category: 'thong-bao', language: 'vi', source: 'audio' },
      speechWav('Xin chào.', 'forged'),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Biểu mẫu đã hết hạn');
    expect(uploadsInFlight()).toBe(0);
    const cross = await h.runtime.app.request('/thong-bao/gui', {
      method: 'POST',
      headers: {
        cookie: secretary.cookie,
        origin: 'https://evil.example',
        'content-type': 'multipart/form-data; boundary=x',
      },
      body: '--x--\r\n',
    });
    expect(cross.status).toBe(403);
  });

  it('shows validation errors next to the field in Vietnamese and keeps what was typed', async () => {
    const res = await postSendForm({
      _csrf: secretary.csrf,
      title: '',
      category: 'y-te',
      language: 'vi',
      source: 'text',
      text: 'Họp thôn lúc 8 giờ',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<p class="field-error" id="title-error">Hãy điền mục này.</p>');
    expect(html).toContain('aria-describedby="title-error"');
    expect(html).toContain('>Họp thôn lúc 8 giờ</textarea>');
    expect(html).toMatch(/<option value="y-te" selected="">Y tế<\/option>/);

    const noFile = await postSendForm({
      _csrf: secretary.csrf,
      title: 'Tin',
      category: 'thong-bao',
      language: 'vi',
      source: 'audio',
    });
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain(
      '<p class="field-error" id="file-error">Hãy ghi âm hoặc chọn một tệp âm thanh.</p>',
    );

    const notAudio = await postSendForm(
      { _csrf: secretary.csrf, title: 'Tin', category: 'thong-bao', language: 'vi', source: 'audio' },
      new TextEncoder().encode('this is not audio at all, just text pretending'),
    );
    expect(notAudio.status).toBe(415);
    const body = await notAudio.text();
    expect(body).toMatch(/<p class="field-error" id="file-error">[^<]*[àáảãạăâèéêìíòóôơùúưỳýđ][^<]*<\/p>/i);
    expect(body).toContain('value="Tin"');
    expect(uploadsInFlight()).toBe(0);
  });

  it("cancels from a hamlet's page only that hamlet's airing of an item booked in several", async () => {
    const ready = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    const booked = await scheduleBroadcast(h, {
      announcementId: ready.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-11-29T10:00:00+07:00',
    });
    const officer = await signInPage(h, 'officer');
    const week = await (await page(h, '/lich-phat/un-ta?tuan=2026-11-23', officer)).text();
    expect(week).toContain('<p>Hủy buổi phát này?</p>');
    const unTa = booked.occurrences.find((o) => o.hamletId === 'un-ta')!;
    const cancelled = await page(h, `/lich-phat/un-ta/huy/${booked.id}`, officer, {
      tuan: '2026-11-23',
      ngay: '2026-11-29',
      lan: unTa.id,
    });
    expect(cancelled.status).toBe(303);
    const after = (await (
      await h.request(`/api/v1/broadcasts/${booked.id}`, { token: h.tokens.officer })
    ).json()) as { cancelledAt: string | null; occurrences: { hamletId: string; status: string }[] };
    expect(after.cancelledAt).toBeNull();
    expect(after.occurrences.map((o) => [o.hamletId, o.status]).sort()).toEqual([
      ['thon-2', 'scheduled'],
      ['un-ta', 'cancelled'],
    ]);
  });

  it('asks for the time at its field when a hamlet head books an exact time and leaves it empty', async () => {
    const head = await signInPage(h, 'head');
    const ready = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 1 }]);
    for (const [atDate, atTime, missing] of [
      ['2026-11-28', '', 'atTime'],
      ['', '09:00', 'atDate'],
      ['28/11/2026', '09:00', 'atDate'],
    ] as const) {
      const res = await page(h, '/lich-phat/un-ta', head, {
        announcementId: ready.id,
        kind: 'at',
        atDate,
        atTime,
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toMatch(new RegExp(`<p class="field-error" id="${missing}-error">[^<]+</p>`));
      // What was typed is kept.
      if (atTime) expect(html).toContain(`value="${atTime}"`);
      if (atDate) expect(html).toContain(`value="${atDate}"`);
    }
  });

  it('refuses a page form larger than 256 KB, and leaves API uploads to their own limit', async () => {
    const big = await page(h, '/dang-nhap', undefined, { username: 'x'.repeat(300 * 1024), password: 'y' });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/^text\/html/);
    const form = new FormData();
    form.append('title', 'Tin dài');
    form.append('language', 'vi');
    form.append(
      'file',
      new Blob([speechWav('Xin chào bà con. '.repeat(20), 'long')], { type: 'audio/wav' }),
      'dai.wav',
    );
    const api = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: form,
    });
    expect(api.status, await api.clone().text()).toBe(202);
  });

  it('keeps the secretary page under 100 KB before audio', async () => {
    const html = await (await page(h, '/thong-bao/gui', secretary)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/tai-nguyen\/[^"]+)"/g)].map((m) =>
      m[1]!.replace(/&amp;/g, '&'),
    );
    expect(assets.length).toBeGreaterThanOrEqual(2);
    let bytes = new TextEncoder().encode(html).length;
    for (const asset of assets) {
      const res = await h.runtime.app.request(asset);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
      bytes += (await res.arrayBuffer()).byteLength;
    }
    expect(bytes).toBeLessThan(100 * 1024);
    // Scripts only from our own files: the CSP allows nothing inline.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('answers unknown pages with a Vietnamese 404 page, and the API still with problem+json', async () => {
    const res = await page(h, '/thong-bao/khong-co', secretary);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Không tìm thấy</h1>');
    expect(html).toContain('Không tìm thấy thông báo &quot;khong-co&quot;.');
    const nowhere = await page(h, '/khong-co-trang-nay', secretary);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).toContain('Không tìm thấy trang này.');
    const api = await h.request('/api/v1/nothing-here', { token: h.tokens.admin });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
