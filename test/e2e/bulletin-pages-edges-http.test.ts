import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { createHarness, provinceAdminPassword, type FixtureUser, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { page, signInPage, type CookieSession } from './support.js';

/**
 * The bulletin pages over plain HTTP, as a browser without JavaScript (or without date and time pickers,
 * where the fields are plain text) sends them: the province admin reads the bulletins the menu leads to,
 * and dates and times typed by hand are refused next to their field, never with a server error.
 */
describe('bulletin pages at their edges, over HTTP', () => {
  let h: Harness;
  let fixture: ProvinceFixture;
  let provinceAdmin: CookieSession;
  let provinceOfficer: CookieSession;
  let officer: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    fixture = await provinceFixture(h);
    provinceAdmin = await signInPage(h, { username: 'tinh', password: provinceAdminPassword }, '10.0.0.2');
    provinceOfficer = await signInPage(h, 'can-bo-tinh' as FixtureUser, '10.0.0.3');
    officer = await signInPage(h, 'officer', '10.0.0.4');
  });
  afterAll(() => h.close());

  it('shows the province admin the bulletins the menu leads to, without the officer’s forms', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const { id } = await sendBulletin(h, fixture.tokens.provinceOfficer, 'normal', ['coc-san']);
    const home = await (await page(h, '/tinh', provinceAdmin)).text();
    expect(home).toContain('href="/tinh/ban-tin"');
    const list = await page(h, '/tinh/ban-tin', provinceAdmin);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(`data-bulletin="${id}"`);
    // Making and sending are the province officer's: no form the admin would be refused at.
    expect(html).not.toContain('action="/tinh/ban-tin"');
    expect(html).not.toMatch(/action="\/tinh\/ban-tin\/[^"]+\/gui"/);
    expect((await page(h, `/tinh/ban-tin/${id}`, provinceAdmin)).status).toBe(200);
    const officerHtml = await (await page(h, '/tinh/ban-tin', provinceOfficer)).text();
    expect(officerHtml).toContain('action="/tinh/ban-tin"');
  });

  it('refuses an answer deadline typed by hand that is no date, next to its field, keeping what was typed', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const typed = {
      title: 'Lịch tiêm phòng',
      text: 'Tiêm phòng cho gia súc vào thứ bảy.',
      level: 'normal',
      communeIds: 'coc-san',
    };
    const slashes = await page(h, '/tinh/ban-tin', provinceOfficer, {
      ...typed,
      answerByDate: '30/11/2026',
      answerByTime: '17:00',
    });
    expect(slashes.status).toBe(400);
    const html = await slashes.text();
    expect(html).toContain('Ngày &quot;30/11/2026&quot; không đúng định dạng');
    expect(html).toContain('value="Lịch tiêm phòng"');
    expect(html).toContain('value="30/11/2026"');
    const noSuchDay = await page(h, '/tinh/ban-tin', provinceOfficer, {
      ...typed,
      answerByDate: '2026-02-30',
    });
    expect(noSuchDay.status).toBe(400);
    expect(await noSuchDay.text()).toContain('Ngày 30/02/2026 không có trên lịch');
    const hour = await page(h, '/tinh/ban-tin', provinceOfficer, {
      ...typed,
      answerByDate: '2026-11-30',
      answerByTime: '17h',
    });
    expect(hour.status).toBe(400);
    expect(await hour.text()).toContain('Giờ &quot;17h&quot; không hợp lệ');
    // Nothing was made.
    const listed = await (await page(h, '/tinh/ban-tin', provinceOfficer)).text();
    expect(listed).not.toContain('>Lịch tiêm phòng<');
  });

  it('refuses a time to air typed by hand in the commune’s inbox, next to its field, keeping what was typed', async () => {
    h.clock.set('2026-11-27T01:00:00.000Z');
    const { id } = await sendBulletin(h, fixture.tokens.provinceOfficer, 'normal', ['coc-san']);
    const hour = await page(h, `/ban-tin/${id}/xep-lich`, officer, {
      hamletIds: 'all',
      kind: 'at',
      date: '2026-11-28',
      time: '9h',
    });
    expect(hour.status).toBe(400);
    const html = await hour.text();
    expect(html).toContain('Giờ &quot;9h&quot; không hợp lệ');
    expect(html).toContain('value="9h"');
    const noSuchDay = await page(h, `/ban-tin/${id}/xep-lich`, officer, {
      hamletIds: 'all',
      kind: 'at',
      date: '2026-11-31',
      time: '09:00',
    });
    expect(noSuchDay.status).toBe(400);
    expect(await noSuchDay.text()).toContain('Ngày 31/11/2026 không có trên lịch');
    const inbox = await h.request(`/api/v1/bulletins/${id}`, { token: h.tokens.officer });
    expect(((await inbox.json()) as { delivery: { decision: string } }).delivery.decision).toBe('received');
  });
});
