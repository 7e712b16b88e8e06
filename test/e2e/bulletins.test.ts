import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture } from '../support/province.js';
import { hasTool } from '../support/tools.js';
import {
  launchChromium,
  phoneContext,
  poll,
  screenshots,
  serveHarness,
  signIn,
  type Served,
} from './browser.js';

/**
 * A commune officer in a real Chromium on a phone-sized screen opens the province's bulletin in the
 * inbox, tries to decline it without a reason, is told why, gives one, and sees the refusal with its
 * reason in the list.
 */
describe.skipIf(!hasTool('chromium'))('the bulletin inbox in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bulletinId = '';

  beforeAll(async () => {
    h = await createHarness();
    const province = await provinceFixture(h);
    bulletinId = (
      await sendBulletin(h, province.tokens.provinceOfficer, 'normal', ['coc-san'], {
        title: 'Lịch tiêm phòng gia súc',
      })
    ).id;
    server = await serveHarness(h);
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('declines a bulletin with a reason and sees the reason in the list', async () => {
    await signIn(page, server.url, 'officer');
    await page.getByRole('link', { name: 'Bản tin của tỉnh' }).click();
    const item = page.locator(`#b-${bulletinId}`);
    await poll(() => item.textContent()).toContain('Lịch tiêm phòng gia súc');
    expect(await item.locator('[data-status]').getAttribute('data-status')).toBe('received');

    await item.getByText('Từ chối', { exact: true }).first().click();
    await item.getByRole('button', { name: 'Từ chối' }).click();
    await poll(() => page.locator(`#b-${bulletinId} .field.has-error`).count()).toBe(1);
    expect(await page.locator(`#b-${bulletinId}`).textContent()).toContain(
      'Hãy ghi lý do từ chối bản tin; tỉnh sẽ đọc lý do này.',
    );

    await page.getByLabel('Lý do từ chối').fill('Xã đã phát nội dung này tuần trước.');
    await page.locator(`#b-${bulletinId}`).getByRole('button', { name: 'Từ chối' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã từ chối bản tin.');
    const after = page.locator(`#b-${bulletinId}`);
    expect(await after.locator('[data-status]').getAttribute('data-status')).toBe('declined');
    expect(await after.textContent()).toContain('Lý do: Xã đã phát nội dung này tuần trước.');
    expect(await after.getByRole('button', { name: 'Từ chối' }).count()).toBe(0);
    await screenshots(page, 'bulletin-declined');
  });
});
