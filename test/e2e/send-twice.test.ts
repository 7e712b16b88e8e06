import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, serveHarness, signIn, type Served } from './browser.js';

/**
 * A secretary on a weak 4G link sends an announcement; the server takes it but the answer never comes
 * back, and she presses "Gửi" again. The commune gets one announcement, with scripts and without.
 */
describe.skipIf(!hasTool('chromium'))('an announcement sent again after the link dropped', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;

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

  async function asSecretary(javaScriptEnabled: boolean) {
    await context?.close();
    context = javaScriptEnabled
      ? await phoneContext(browser)
      : await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    page = await context.newPage();
    await signIn(page, server.url, 'secretary');
    await page.goto(`${server.url}/thong-bao/gui`);
  }

  async function fillTyped(title: string) {
    await page.getByLabel('Tiêu đề').fill(title);
    await page.getByRole('radio', { name: 'Gõ văn bản (máy đọc)' }).check();
    await page.getByLabel('Nội dung văn bản').fill('Mời bà con thôn Ún Tà họp lúc 19 giờ tại nhà văn hóa.');
  }

  /** The announcement's own page, not the form at /thong-bao/gui it was sent from. */
  const announcementPage = /\/thong-bao\/[0-9a-f-]{36}$/;

  /** "Thông báo của tôi": the items with this title. */
  async function mine(title: string) {
    await page.goto(`${server.url}/thong-bao`);
    return page.locator('.list li', { hasText: title }).count();
  }

  it('with scripts: the second "Gửi" lands on the announcement the first one made', async () => {
    await asSecretary(true);
    const title = 'Họp thôn về làm đường liên thôn';
    await fillTyped(title);
    // The request reaches the server; its answer is lost on the way back.
    let reached = 0;
    await page.route('**/api/v1/announcements', async (route) => {
      await route.fetch();
      reached++;
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await poll(() => page.locator('[data-form-error]').textContent()).toContain(
      'Tải lên không thành công. Hãy kiểm tra mạng rồi thử lại.',
    );
    expect(reached).toBe(1);
    await page.unroute('**/api/v1/announcements');

    await Promise.all([
      page.waitForURL(announcementPage),
      page.getByRole('button', { name: 'Gửi', exact: true }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(await mine(title)).toBe(1);
  });

  it('without scripts: the same form posted again lands on the same announcement', async () => {
    await asSecretary(false);
    const title = 'Họp thôn về thủy lợi nội đồng';
    await fillTyped(title);
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST'),
      page.getByRole('button', { name: 'Gửi', exact: true }).click(),
    ]);
    await page.waitForURL(announcementPage);
    const first = new URL(page.url()).pathname;

    // The browser sends the very same form again, with the session's cookies.
    const again = await page.request.post(sent.url(), {
      headers: { origin: server.url, 'content-type': sent.headers()['content-type']! },
      data: sent.postDataBuffer()!,
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(new URL(again.headers().location!, server.url).pathname).toBe(first);
    expect(await mine(title)).toBe(1);
  });
});
