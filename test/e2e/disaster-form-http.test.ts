import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { origin, page, signInPage, type CookieSession } from './support.js';

/**
 * The form that issues a disaster bulletin, over HTTP without JavaScript: refused input shown next to
 * its fields in Vietnamese with nothing stored, then a new event's first bulletin typed, processed,
 * confirmed and on the air through the same use case as the API.
 */
describe('issuing a disaster bulletin from the page, without JavaScript', () => {
  let h: Harness;
  let officer: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  function postForm(fields: Record<string, string | string[]>) {
    const form = new FormData();
    form.append('_csrf', officer.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    form.append('file', new Blob([], { type: 'application/octet-stream' }), '');
    return h.runtime.app.request('/giam-sat/thien-tai/ban-tin', {
      method: 'POST',
      headers: { cookie: officer.cookie, origin, accept: 'text/html' },
      body: form,
    });
  }
  const announcementCount = async () =>
    (
      (await (await h.request('/api/v1/announcements?limit=200', { token: h.tokens.officer })).json()) as {
        items: unknown[];
      }
    ).items.length;

  it('shows the form with the five levels in their colours', async () => {
    const html = await (await page(h, '/giam-sat/thien-tai/ban-tin', officer)).text();
    expect(html).toContain('<h1>Phát bản tin thiên tai</h1>');
    for (const colour of ['#a7d8f5', '#fff3a3', '#f7941d', '#d7191c', '#7b2c8f'])
      expect(html).toContain(colour);
    expect(html).toContain('name="_csrf"');
  });

  it('refuses a bulletin without agency, level or event name, in Vietnamese, storing nothing', async () => {
    const before = await announcementCount();
    const res = await postForm({
      event: 'new',
      eventName: '',
      hazardType: 'storm',
      agency: '',
      issuedDate: '2026-11-27',
      issuedTime: '07:30',
      content: 'text',
      text: 'Bão số 3 đang tiến vào đất liền.',
      hamletIds: 'all',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Chưa lưu được. Hãy sửa các mục được đánh dấu bên dưới.');
    expect(html).toMatch(/id="riskLevel-error">Hãy chọn cấp độ rủi ro từ 1 đến 5\./);
    expect(html).toMatch(/id="agency-error">[^<]+/);
    expect(html).toMatch(/id="eventName-error">[^<]+/);
    // What was typed stays.
    expect(html).toContain('Bão số 3 đang tiến vào đất liền.');
    expect(await announcementCount()).toBe(before);
  });

  it('opens the event and puts its first bulletin on the air once the text is spoken and confirmed', async () => {
    const posted = await postForm({
      event: 'new',
      eventName: 'Bão số 3',
      hazardType: 'storm',
      riskLevel: '3',
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedDate: '2026-11-27',
      issuedTime: '07:30',
      content: 'text',
      text: 'Bão số 3 đang tiến vào đất liền, bà con chằng chống nhà cửa.',
      hamletIds: ['un-ta', 'thon-2'],
    });
    expect(posted.status, await posted.clone().text()).toBe(303);
    const confirmUrl = posted.headers.get('location')!;
    expect(confirmUrl).toMatch(/^\/giam-sat\/thien-tai\/ban-tin\/xac-nhan\?announcementId=/);
    expect(await (await page(h, confirmUrl, officer)).text()).toContain('<h1>Đang chuẩn bị âm thanh</h1>');
    await h.runtime.jobs.drain();
    const confirm = await (await page(h, confirmUrl, officer)).text();
    expect(confirm).toContain('<h1>Xác nhận phát bản tin thiên tai</h1>');
    expect(confirm).toContain('Cấp độ rủi ro 3');

    const key = /<input type="hidden" name="idempotencyKey" value="([\w-]{36})"\/>/.exec(confirm)?.[1];
    expect(key).toBeDefined();
    const form = Object.fromEntries([
      ...[...new URL(confirmUrl, origin).searchParams.keys()].map((k) => [
        k,
        new URL(confirmUrl, origin).searchParams.getAll(k),
      ]),
      ['idempotencyKey', key!],
    ]);
    // "Phát bản tin" pressed twice before the first answer: one event, one bulletin.
    const twice = await Promise.all(
      [1, 2].map(() => page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', officer, form)),
    );
    for (const sent of twice) {
      expect(sent.status, await sent.clone().text()).toBe(303);
      expect(sent.headers.get('location')).toBe('/giam-sat/thien-tai?tb=bulletinIssued');
    }
    const events = (await (
      await h.request('/api/v1/disaster/events?status=active', { token: h.tokens.officer })
    ).json()) as {
      items: { name: string; bulletins: { sequence: number; riskLevel: number; agency: string }[] }[];
    };
    expect(events.items).toEqual([
      expect.objectContaining({
        name: 'Bão số 3',
        bulletins: [
          expect.objectContaining({
            sequence: 1,
            riskLevel: 3,
            agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
          }),
        ],
      }),
    ]);
  });

  it('gives a bulletin of an older event that event’s hazard, not the newest event’s', async () => {
    const open = async (name: string, hazardType: string) =>
      (
        (await (
          await h.request('/api/v1/disaster/events', {
            method: 'POST',
            token: h.tokens.officer,
            json: { name, hazardType },
          })
        ).json()) as { id: string }
      ).id;
    const flood = await open('Lũ quét suối Ngòi Phát', 'flash_flood');
    await open('Bão số 4', 'storm');
    const form = await (await page(h, '/giam-sat/thien-tai/ban-tin', officer)).text();
    // The page as a browser without JavaScript sends it: the hazard left at "as the chosen event".
    expect(form).toMatch(/<option value="" selected="">Như sự kiện đã chọn<\/option>/);
    const content = await createReadyAnnouncement(h, 'Lũ quét, tin số 1', [{ language: 'vi', seconds: 1 }], {
      category: 'thien-tai',
    });
    const choices = {
      event: flood,
      hazardType: '',
      riskLevel: '3',
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedDate: '2026-11-27',
      issuedTime: '07:40',
      announcementId: content.id,
      hamletIds: 'all',
    };
    const sent = await page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', officer, choices);
    expect(sent.status, await sent.clone().text()).toBe(303);
    const event = (await (
      await h.request(`/api/v1/disaster/events/${flood}`, { token: h.tokens.officer })
    ).json()) as { bulletins: { hazardType: string }[] };
    expect(event.bulletins.map((b) => b.hazardType)).toEqual(['flash_flood']);

    // A new event needs its hazard picked.
    const unnamed = await postForm({ ...choices, event: 'new', eventName: 'Sạt lở', content: 'existing' });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.text()).toMatch(/id="hazardType-error">[^<]+/);
  });

  it('puts disaster content made earlier on the air as the next bulletin, and goes back to the form with it chosen', async () => {
    const content = await createReadyAnnouncement(h, 'Bão số 3, tin cuối', [{ language: 'vi', seconds: 2 }], {
      category: 'thien-tai',
    });
    const events = (await (
      await h.request('/api/v1/disaster/events?status=active', { token: h.tokens.officer })
    ).json()) as { items: { id: string; name: string }[] };
    const storm = events.items.find((e) => e.name === 'Bão số 3')!;
    const choices = {
      event: storm.id,
      hazardType: 'storm',
      riskLevel: '4',
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedDate: '2026-11-27',
      issuedTime: '07:50',
      content: 'existing',
      announcementId: content.id,
      hamletIds: 'all',
    };
    const posted = await postForm(choices);
    expect(posted.status, await posted.clone().text()).toBe(303);
    const confirmUrl = posted.headers.get('location')!;
    expect(new URL(confirmUrl, origin).searchParams.get('announcementId')).toBe(content.id);
    expect(await (await page(h, confirmUrl, officer)).text()).toContain('Cấp độ rủi ro 4');

    const { content: _, ...carried } = choices;
    const back = await page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', officer, { ...carried, edit: '1' });
    expect(back.status).toBe(200);
    const form = await back.text();
    expect(form).toMatch(new RegExp(`<option value="${content.id}" selected="">Bão số 3, tin cuối</option>`));
    expect(form).toMatch(/value="existing" checked/);

    // Refused at the last step (an issue time still to come): the form keeps the content made.
    const refused = await page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', officer, {
      ...carried,
      issuedTime: '23:50',
    });
    expect(refused.status).toBe(422);
    const again = await refused.text();
    expect(again).toMatch(
      new RegExp(`<option value="${content.id}" selected="">Bão số 3, tin cuối</option>`),
    );
    expect(again).toMatch(/value="existing" checked/);

    const sent = await page(h, '/giam-sat/thien-tai/ban-tin/xac-nhan', officer, carried);
    expect(sent.status, await sent.clone().text()).toBe(303);
    const after = (await (
      await h.request(`/api/v1/disaster/events/${storm.id}`, { token: h.tokens.officer })
    ).json()) as { bulletins: { sequence: number; riskLevel: number; endedAt: string | null }[] };
    expect(after.bulletins.map((b) => [b.sequence, b.riskLevel, b.endedAt === null])).toEqual([
      [2, 4, true],
      [1, 3, false],
    ]);
  });
});
