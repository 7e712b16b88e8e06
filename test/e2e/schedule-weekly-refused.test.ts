import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, serveHarness, signIn, type Served } from './browser.js';

// The harness clock: Friday 2026-11-27, 08:00 in Cốc San.
const title = 'Thu gom rác thải cuối tuần';

/**
 * A hamlet head asks for a weekly series at a time of her own that has no airing between its days
 * (Mondays, from this Friday to Sunday): the refusal speaks of the days and the time she chose, not of
 * a cron expression or of the Monday after her last day, and the form comes back as she filled it.
 */
describe.skipIf(!hasTool('chromium'))('a weekly series with no airing in its days, refused', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = await createHarness();
    await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 20 }]);
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

  it('names her days, her time and her last day, at "Đến ngày", with every entry kept', async () => {
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    await page.getByRole('radio', { name: 'Lặp lại hằng tuần' }).check();
    await page.getByRole('checkbox', { name: 'Thứ hai' }).check();
    await page.getByRole('radio', { name: 'Một giờ cụ thể' }).check();
    await page.locator('#repeatTime').fill('07:00');
    await page.locator('#untilDate').fill('2026-11-29');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Lưu' }).click(),
    ]);
    expect(answer.status()).toBe(422);
    await page.waitForLoadState();

    const error = (await page.locator('#untilDate-error').textContent()) ?? '';
    expect(error).toContain('hằng tuần vào Thứ hai, lúc 07:00');
    expect(error).toContain('đến 23:59 ngày 29/11/2026');
    expect(error).not.toContain('* *');
    expect(error).not.toContain('30/11/2026');
    expect(await page.locator('[data-form-error]').textContent()).toContain('hằng tuần vào Thứ hai');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('untilDate');

    expect(await page.getByRole('radio', { name: 'Lặp lại hằng tuần' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Một giờ cụ thể' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Thứ hai' }).isChecked()).toBe(true);
    expect(await page.locator('#repeatTime').inputValue()).toBe('07:00');
    expect(await page.locator('#fromDate').inputValue()).toBe('2026-11-27');
    expect(await page.locator('#untilDate').inputValue()).toBe('2026-11-29');

    // She gives it one more day: Monday 30 November airs, and nothing after it.
    await page.locator('#untilDate').fill('2026-11-30');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#moi$/);
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xếp lịch phát.');
    expect(await page.locator('#moi').textContent()).toContain('Hằng tuần · Thứ hai · 07:00 → 30/11');
  });
});
