import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, screenshots, serveHarness, signIn, type Served } from './browser.js';

/**
 * A hamlet head replaces the password the admin gave them, on a phone in Chromium: a slip is shown at its
 * field, the new password opens the next sign-in, and the browser left signed in elsewhere is signed out.
 */
describe.skipIf(!hasTool('chromium'))('changing one’s own password in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('a hamlet head changes the password from the link under their name, and signs in with the new one', async () => {
    const elsewhere = await phoneContext(browser);
    const other = await elsewhere.newPage();
    await signIn(other, server.url, 'head');

    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, 'head');
    await page.getByRole('link', { name: 'Đổi mật khẩu' }).click();
    expect(new URL(page.url()).pathname).toBe('/tai-khoan');

    // Two different new passwords: refused at the second, nothing changed.
    await page.getByLabel('Mật khẩu hiện tại').fill(userPassword);
    await page.getByLabel('Mật khẩu mới (ít nhất 10 ký tự)').fill('trâu bò đã tiêm phòng');
    await page.getByLabel('Nhập lại mật khẩu mới').fill('trâu bò chưa tiêm phòng');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await expect
      .poll(() => page.locator('#newPasswordAgain-error').textContent())
      .toContain('Hai lần nhập mật khẩu mới chưa giống nhau.');

    // Too short a new password: how many characters it needs.
    await page.getByLabel('Mật khẩu hiện tại').fill(userPassword);
    await page.getByLabel('Mật khẩu mới (ít nhất 10 ký tự)').fill('trâu bò');
    await page.getByLabel('Nhập lại mật khẩu mới').fill('trâu bò');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await expect.poll(() => page.locator('#newPassword-error').textContent()).toContain('Ít nhất 10 ký tự.');

    // A wrong current password: said at its field.
    await page.getByLabel('Mật khẩu hiện tại').fill('mật khẩu nhớ nhầm');
    await page.getByLabel('Mật khẩu mới (ít nhất 10 ký tự)').fill('trâu bò đã tiêm phòng');
    await page.getByLabel('Nhập lại mật khẩu mới').fill('trâu bò đã tiêm phòng');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await expect
      .poll(() => page.locator('#currentPassword-error').textContent())
      .toContain('Mật khẩu hiện tại không đúng.');

    await page.getByLabel('Mật khẩu hiện tại').fill(userPassword);
    await page.getByLabel('Mật khẩu mới (ít nhất 10 ký tự)').fill('trâu bò đã tiêm phòng');
    await page.getByLabel('Nhập lại mật khẩu mới').fill('trâu bò đã tiêm phòng');
    await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã đổi mật khẩu.');
    await screenshots(page, 'account-password');

    // The other browser is signed out at its next page; this one goes on.
    await other.goto(`${server.url}/lich-phat`);
    expect(new URL(other.url()).pathname).toBe('/dang-nhap');
    await page.goto(`${server.url}/lich-phat`);
    expect(new URL(page.url()).pathname).toBe('/lich-phat/un-ta');

    await other.getByLabel('Tên đăng nhập').fill('head');
    await other.getByLabel('Mật khẩu').fill('trâu bò đã tiêm phòng');
    await Promise.all([
      other.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
      other.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
    expect(new URL(other.url()).pathname).toBe('/lich-phat/un-ta');
    await elsewhere.close();
    await context.close();
  });
});
