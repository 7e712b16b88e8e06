import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, serveHarness, signIn, type Served } from './browser.js';

// The harness clock: Friday 2026-11-27, 08:00 in Cốc San.
const title = 'Họp dân thôn Ún Tà';

/** Every control of the booking form as it would be posted, bar the per-page keys. */
const formValues = (page: Page) =>
  page.evaluate<[string, string][]>(`(() => {
    const data = new FormData(document.querySelector('form[data-schedule-form]'));
    return [...data].filter(([k]) => k !== '_csrf' && k !== 'idempotencyKey').map(([k, v]) => [k, String(v)]);
  })()`);

const bookRelay = (h: Harness, at: string, durationS: number) =>
  h.request('/api/v1/broadcasts', {
    method: 'POST',
    token: h.tokens.officer,
    json: { relay: { url: 'https://radio.example.vn/vov1', durationS }, hamletIds: ['un-ta'], at },
  });

/**
 * "Đặt lúc …" under a refused time can be refused in turn (someone took that time meanwhile): the form
 * comes back as the hamlet head left it, with the message at the time and on top, and she books after
 * fixing the time.
 */
describe.skipIf(!hasTool('chromium'))('a refused "Đặt lúc" keeps the form as it was', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = await createHarness();
    await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 20 }]);
    expect((await bookRelay(h, '2026-11-28T09:00:00+07:00', 900)).status).toBe(201);
    server = await serveHarness(h);
    browser = await launchChromium();
    page = await (await phoneContext(browser)).newPage();
    await signIn(page, server.url, 'head');
    await page.waitForURL(/\/lich-phat\/un-ta$/);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('shows the message beside the time and on top, keeps every entry, and books the fixed time', async () => {
    // She starts from the evening slot's "+ Thêm", then asks for an exact time that overlaps.
    await page.getByRole('link', { name: '+ Thêm: Buổi chiều, Thứ bảy 28/11/2026' }).click();
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    await page.getByRole('radio', { name: 'Vào giờ cụ thể' }).check();
    await page.locator('#atDate').fill('2026-11-28');
    await page.locator('#atTime').fill('09:05');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#atTime-error').textContent()).toContain('Giờ trống gần nhất: 09:15');
    const entered = await formValues(page);

    // Another officer takes 09:15 while she reads the message; then she taps the offered time.
    expect((await bookRelay(h, '2026-11-28T09:15:00+07:00', 600)).status).toBe(201);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Đặt lúc 09:15 ngày 28/11/2026' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    await page.waitForLoadState();
    expect(await page.locator('[data-form-error]').textContent()).toContain('Trùng giờ');
    const error = await page.locator('#atTime-error').textContent();
    expect(error).toContain('Trùng giờ với "Tiếp sóng https://radio.example.vn/vov1"');
    expect(error).toContain('Giờ trống gần nhất: 09:25 ngày 28/11/2026.');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('atTime');

    // Everything as she left it; the time is the one she tapped.
    const back = await formValues(page);
    expect(new Map(back).get('atTime')).toBe('09:15');
    expect(
      back.filter(([k]) => k !== 'atTime'),
      'every entry kept',
    ).toEqual(entered.filter(([k]) => k !== 'atTime'));
    expect(await page.locator('#slotName').inputValue()).toBe('evening');
    expect(await page.locator('#slotDate').inputValue()).toBe('2026-11-28');
    expect(await page.locator('#fromDate').inputValue()).toBe('2026-11-27');
    expect(await page.getByRole('radio', { name: 'Vào giờ cụ thể' }).isChecked()).toBe(true);

    // She fixes the time herself and saves.
    await page.locator('#atTime').fill('10:00');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#moi$/);
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xếp lịch phát.');
    expect(await page.locator('#moi').textContent()).toMatch(/^10:00 · \d+ giây · /);
    expect(await page.locator('#moi').textContent()).toContain(title);
  });
});
