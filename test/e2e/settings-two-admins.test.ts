import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
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

/** Two admins of the commune on the settings page at once, in a real Chromium. */
describe.skipIf(!hasTool('chromium'))('the settings page with two admins at work', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const second = { username: 'hoa-admin', password: 'mật khẩu của Hoa đủ dài' };

  beforeAll(async () => {
    h = await createHarness();
    const made = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: { ...second, role: 'admin', displayName: 'Lò Thị Hoa' },
    });
    expect(made.status).toBe(201);
    server = await serveHarness(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  async function settingsPage(signInAs: (page: Page) => Promise<void>): Promise<Page> {
    const context = await phoneContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signInAs(page);
    await page.goto(`${server.url}/quan-tri`);
    return page;
  }

  const quietHours = async () =>
    (
      (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
        settings: { quietHours: { start: string; end: string } };
      }
    ).settings.quietHours;

  it('tells the second to save the quiet hours what the first saved meanwhile, keeping her typing', async () => {
    const first = await settingsPage((page) => signIn(page, server.url, 'admin'));
    const hoa = await settingsPage(async (page) => {
      await page.goto(`${server.url}/dang-nhap`);
      await page.getByLabel('Tên đăng nhập').fill(second.username);
      await page.getByLabel('Mật khẩu').fill(second.password);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
        page.getByRole('button', { name: 'Đăng nhập' }).click(),
      ]);
    });

    await first.getByLabel('Giờ nghỉ bắt đầu').fill('22:00');
    await first.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => first.locator('.notice').textContent()).toBe('Đã lưu cài đặt của xã.');

    await hoa.getByLabel('Giờ nghỉ bắt đầu').fill('21:00');
    await hoa.getByLabel('Giờ nghỉ kết thúc').fill('05:00');
    await hoa.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => hoa.locator('.form-error').textContent()).toContain(
      'Cài đặt đã được người khác thay đổi',
    );
    expect(await hoa.locator('.form-error').textContent()).toContain('hãy xem lại rồi lưu');
    expect(await hoa.locator('.form-error').textContent()).toContain('Giờ nghỉ');
    expect(await hoa.locator('#quietStart-error').textContent()).toBe('Người khác vừa đổi thành: 22:00');
    // Her typing is still in the form, and nothing of hers was saved.
    expect(await hoa.getByLabel('Giờ nghỉ bắt đầu').inputValue()).toBe('21:00');
    expect(await hoa.getByLabel('Giờ nghỉ kết thúc').inputValue()).toBe('05:00');
    expect(await quietHours()).toEqual({ start: '22:00', end: '05:30' });
    await screenshots(hoa, 'admin-settings-changed-meanwhile');

    // Having looked, she saves again, and her hours are taken.
    await hoa.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => hoa.locator('.notice').textContent()).toBe('Đã lưu cài đặt của xã.');
    expect(await hoa.getByLabel('Giờ nghỉ bắt đầu').inputValue()).toBe('21:00');
    expect(await quietHours()).toEqual({ start: '21:00', end: '05:00' });
  });
});
