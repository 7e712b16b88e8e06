import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
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
 * An admin about to delete a hamlet learns on the confirmation, before pressing anything, who still looks
 * after it and that they must be given another hamlet first; and a hamlet name the commune has is
 * refused at the name, with the form kept. In a real Chromium against a real server.
 */
describe.skipIf(!hasTool('chromium'))('hamlet names and deletion in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maiId: string;

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    const res = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'truong-thon-5',
        password: userPassword,
        role: 'hamlet_head',
        hamletIds: ['thon-5'],
        displayName: 'Lò Thị Mai',
      },
    });
    expect(res.status).toBe(201);
    maiId = ((await res.json()) as { id: string }).id;
    await signIn(page, server.url, 'admin');
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  const openDelete = async (name: string) => {
    await page.goto(`${server.url}/quan-tri/thon`);
    await page.getByRole('link', { name: `Sửa: ${name}` }).click();
    await poll(() => page.locator('h1').textContent()).toBe(`Sửa: ${name}`);
    await page.getByRole('link', { name: 'Xóa thôn' }).click();
    await poll(() => page.locator('h1').textContent()).toBe(`Xóa thôn: ${name}`);
  };

  it('names the people who look after the hamlet before the admin presses delete', async () => {
    await openDelete('Thôn số 5 (dữ liệu mẫu)');
    const warning = page.locator('#scoped-users');
    await poll(() => warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain(
      'Thôn này còn trong phạm vi quản lý của 1 người dùng (kể cả tài khoản đã khóa)',
    );
    expect(await warning.textContent()).toContain('Hãy giao cho họ thôn khác trước');
    expect(await warning.getByRole('listitem').allTextContents()).toEqual(['Lò Thị Mai (truong-thon-5)']);
    await screenshots(page, 'admin-hamlet-delete-scoped-users');

    // The name leads to the person's page, where another hamlet is given.
    await warning.getByRole('link', { name: 'Lò Thị Mai' }).click();
    await poll(() => new URL(page.url()).pathname).toBe(`/quan-tri/nguoi-dung/${maiId}`);
  });

  it('shows no such warning for a hamlet nobody looks after', async () => {
    await openDelete('Thôn số 6 (dữ liệu mẫu)');
    expect(await page.locator('#scoped-users').count()).toBe(0);
    expect(await page.getByText('phạm vi quản lý').count()).toBe(0);
    await page.getByLabel('Tôi chắc chắn muốn xóa thôn này.').check();
    await page.getByRole('button', { name: 'Xóa thôn' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xóa thôn.');
  });

  it('refuses a hamlet named like another at the name, keeping what was typed', async () => {
    await page.goto(`${server.url}/quan-tri/thon`);
    await page.getByLabel('Tên').fill('thôn ún tà');
    await page.getByLabel('Vĩ độ').fill('22,56');
    await page.getByRole('button', { name: 'Thêm thôn' }).click();
    await poll(() => page.locator('#name-error').textContent()).toBe(
      'Xã đã có thôn "Thôn Ún Tà" (mã un-ta). Hãy đặt tên khác để lịch phát và báo cáo không bị nhầm thôn.',
    );
    expect(await page.getByLabel('Tên').inputValue()).toBe('thôn ún tà');
    expect(await page.getByLabel('Vĩ độ').inputValue()).toBe('22,56');
    await screenshots(page, 'admin-hamlet-name-taken');
  });
});
