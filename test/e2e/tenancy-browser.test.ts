import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, screenshots, serveHarness, type Served } from './browser.js';

/**
 * A new commune in a real Chromium, as the province admin makes it: she creates it with its first admin
 * on /tinh/xa/moi, reads the password once, switches to the commune and finds it empty; its new admin
 * signs in and sees only their commune, without the switcher.
 */
describe.skipIf(!hasTool('chromium'))('a new commune in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  async function signIn(username: string, password: string): Promise<Page> {
    const context = await phoneContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(password);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
      page.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
    return page;
  }

  let password = '';

  it('the province admin creates Bản Phố with its admin, switches to it and finds it empty', async () => {
    const page = await signIn('tinh', provinceAdminPassword);
    expect(new URL(page.url()).pathname).toBe('/tinh');
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Các xã trong tỉnh');
    await screenshots(page, 'province-communes');

    await page.getByRole('link', { name: 'Thêm xã mới' }).click();
    await page.getByLabel('Tên xã').fill('Xã Bản Phố');
    await page.getByLabel('Mã số xã').fill('2761');
    await page.getByLabel('Tên đăng nhập của quản trị viên xã').fill('bp-admin');
    await page.getByLabel('Họ tên quản trị viên xã').fill('Lò Văn Phố');
    await page.getByRole('button', { name: 'Tạo xã' }).click();
    // A code one digit short: the message next to the field, what was typed kept.
    await poll(() => page.locator('#code-error').textContent()).toBeTruthy();
    expect(await page.getByLabel('Tên xã').inputValue()).toBe('Xã Bản Phố');
    await page.getByLabel('Mã số xã').fill('02761');
    await page.getByRole('button', { name: 'Tạo xã' }).click();

    await poll(() => page.locator('[data-admin-username]').textContent()).toBe('bp-admin');
    password = ((await page.locator('[data-admin-password]').textContent()) ?? '').trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await poll(() => page.locator('#created [role=alert]').textContent()).toContain('chỉ hiện một lần');
    await screenshots(page, 'province-commune-created');

    await page.getByRole('link', { name: 'Về danh sách xã' }).click();
    const row = page.locator('tr[data-commune="ban-pho"]');
    await poll(() => row.textContent()).toContain('Xã Bản Phố');
    expect(await row.textContent()).toContain('0/0');
    await row.getByRole('button', { name: 'Xem xã này: Xã Bản Phố' }).click();

    await page.waitForURL((u) => u.pathname === '/quan-tri/cum-loa');
    expect(await page.getByLabel('Xã đang xem').inputValue()).toBe('ban-pho');
    expect(await page.locator('main tbody tr').count()).toBe(0);
    await screenshots(page, 'province-commune-switched');

    // The switcher brings Cốc San back, with its boxes.
    await page.getByLabel('Xã đang xem').selectOption('coc-san');
    await page.getByRole('button', { name: 'Chuyển xã' }).click();
    await page.waitForURL((u) => u.pathname === '/quan-tri/cum-loa');
    await poll(() => page.locator('main tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).toContain('Ún Tà');
  });

  it("Bản Phố's admin signs in and sees only Bản Phố, without the switcher", async () => {
    expect(password).not.toBe('');
    const page = await signIn('bp-admin', password);
    expect(new URL(page.url()).pathname).toBe('/quan-tri');
    expect(await page.locator('#xa-dang-xem').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Các xã' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Xã Bản Phố');
    await screenshots(page, 'commune-admin-new');

    for (const path of ['/quan-tri/thon', '/quan-tri/cum-loa', '/quan-tri/nguoi-dung']) {
      await page.goto(`${server.url}${path}`);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text, path).not.toMatch(/Cốc San|Ún Tà|Quang Kim/);
    }
    expect(await page.locator('main').textContent()).toContain('bp-admin');
    const refused = await page.goto(`${server.url}/tinh`);
    expect(refused?.status()).toBe(403);
  });
});
