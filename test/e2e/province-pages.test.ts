import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, provinceAdminPassword, userPassword, type Harness } from '../support/harness.js';
import { provinceScenario } from '../support/province-scenario.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, screenshots, serveHarness, type Served } from './browser.js';

/**
 * The province's pages in a real Chromium, as its staff use them: the province officer reads the
 * roll-up of two communes and downloads it; the province admin makes a machine token for the
 * information-source system and revokes it, and registers the operations centre's webhook endpoint,
 * after the page refused an address inside a local network, then follows its deliveries.
 */
describe.skipIf(!hasTool('chromium'))('province pages in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // The operations centre's name, as a DNS server we cannot reach here would answer it.
  const dns: Record<string, string[]> = { 'dieuhanh.laocai.gov.vn': ['93.184.216.34'] };

  beforeAll(async () => {
    h = await createHarness(
      'sqlite',
      {},
      {
        resolveHost: async (name) => {
          const found = dns[name];
          if (!found) throw new Error(`getaddrinfo ENOTFOUND ${name}`);
          return found;
        },
      },
    );
    await provinceScenario(h);
    server = await serveHarness(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  async function as(username: 'tinh' | 'can-bo-tinh') {
    await context?.close();
    context = await phoneContext(browser);
    page = await context.newPage();
    await page.goto(`${server.url}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(username === 'tinh' ? provinceAdminPassword : userPassword);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
      page.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
  }

  it('the province officer reads every commune’s figures for a day and downloads them', async () => {
    await as('can-bo-tinh');
    await page.goto(`${server.url}/thong-bao`);
    await page.getByRole('link', { name: 'Báo cáo tỉnh' }).click();
    await page.getByLabel('Từ ngày').fill('2026-11-27');
    await page.getByLabel('Đến ngày').fill('2026-11-27');
    await page.getByRole('button', { name: 'Xem' }).click();

    const cocSan = page.locator('tr[data-commune="coc-san"]');
    await poll(() => cocSan.textContent()).toContain('Xã Cốc San');
    const text = (await cocSan.textContent()) ?? '';
    expect(text).toContain('1/5');
    expect(text).toContain('1 đã phát');
    expect(text).toContain('1 bị lỡ');
    expect(text).toContain('2 mất kết nối');
    expect(text).toContain('25 %');
    const quangKim = (await page.locator('tr[data-commune="quang-kim"]').textContent()) ?? '';
    expect(quangKim).toContain('0/4');
    expect(quangKim).toContain('1 phát lỗi');
    expect(quangKim).toContain('17 %');
    const total = (await page.locator('tr[data-commune="total"]').textContent()) ?? '';
    expect(total).toContain('Toàn tỉnh');
    expect(total).toContain('1/9');
    expect(total).toContain('20 %');
    // Air time of November: the relay Quảng Kim aired, and Cốc San's announcement.
    const relay = page.locator('#air-time tr[data-month="2026-11"][data-category="relay"]');
    expect(await relay.locator('td[data-level="normal"]').textContent()).toBe('2 phút (1)');
    await screenshots(page, 'province-report');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Tải về CSV' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toBe('province-rollup-2026-11-27-2026-11-27.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('coc-san,Xã Cốc San,02746,1,5,2,4,1,0,1,2,0.25,0\r\n');
    expect(csv).toContain(',Toàn tỉnh,,1,9,4,10,2,1,3,4,0.2,0\r\n');
  });

  it('shows a range that ends before it starts as an error next to the end date', async () => {
    await page.goto(`${server.url}/tinh/bao-cao?tu=2026-11-27&den=2026-11-01`);
    expect(await page.locator('#den-error').textContent()).toBe(
      'Ngày kết thúc không được trước ngày bắt đầu.',
    );
    expect(await page.getByLabel('Đến ngày').inputValue()).toBe('2026-11-01');
    expect(await page.locator('tr[data-commune]').count()).toBe(0);
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('den');
  });

  it('the province admin makes a machine token, sees it once, and revokes it', async () => {
    await as('tinh');
    await page.getByRole('link', { name: 'Mã máy' }).click();
    await page.getByRole('button', { name: 'Tạo mã máy' }).click();
    expect(await page.locator('#name-error').textContent()).toBe('Hãy điền mục này.');
    await page.getByLabel('Tên hệ thống dùng mã').fill('Hệ thống thông tin nguồn tỉnh');
    await page.getByRole('button', { name: 'Tạo mã máy' }).click();
    const shown = page.locator('[data-token]');
    await poll(() => shown.count()).toBe(1);
    const token = ((await shown.textContent()) ?? '').trim();
    expect(token).toMatch(/^loa_mt_/);
    await screenshots(page, 'province-token-once');

    // The system it was made for reads the export with it.
    const res = await fetch(`${server.url}/api/v1/province/reports/v1/devices?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);

    await page.goto(`${server.url}/tinh/ma-may`);
    expect(await page.locator('[data-token]').count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    const row = page.locator('tr', { hasText: 'Hệ thống thông tin nguồn tỉnh' });
    expect(await row.textContent()).toContain('Đang dùng');
    await row.getByText('Thu hồi', { exact: true }).click();
    await row.getByRole('button', { name: 'Xác nhận thu hồi: Hệ thống thông tin nguồn tỉnh' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã thu hồi mã máy.');
    expect(await page.locator('tr', { hasText: 'Hệ thống thông tin nguồn tỉnh' }).textContent()).toContain(
      'Đã thu hồi',
    );
    const after = await fetch(`${server.url}/api/v1/province/reports/v1/devices?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });

  it('the province admin registers the operations centre, after the page refused a local address', async () => {
    await page.getByRole('link', { name: 'Webhook' }).click();
    await page.getByLabel('Địa chỉ nhận (https)').fill('https://10.0.0.1/hooks');
    await page.getByRole('button', { name: 'Đăng ký địa chỉ nhận' }).click();
    await poll(() => page.locator('#url-error').textContent()).toContain('trỏ tới địa chỉ nội bộ (10.0.0.1)');
    expect(await page.getByLabel('Địa chỉ nhận (https)').inputValue()).toBe('https://10.0.0.1/hooks');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('url');
    await screenshots(page, 'province-webhook-refused');

    await page.getByLabel('Địa chỉ nhận (https)').fill('https://dieuhanh.laocai.gov.vn/loa');
    await page.getByLabel('Cụm loa mất kết nối').uncheck();
    await page.getByLabel('Ghi chú').fill('Trung tâm điều hành tỉnh');
    await page.getByRole('button', { name: 'Đăng ký địa chỉ nhận' }).click();
    const secret = page.locator('[data-secret]');
    await poll(() => secret.count()).toBe(1);
    expect(((await secret.textContent()) ?? '').trim()).toMatch(/^whsec_/);
    const row = page.locator('tr', { hasText: 'https://dieuhanh.laocai.gov.vn/loa' });
    expect(await row.textContent()).toContain('Xã phát tin khẩn cấp');
    expect(await row.textContent()).not.toContain('Cụm loa mất kết nối');
    await screenshots(page, 'province-webhook-secret');
  });

  it('shows each delivery with its attempts, here one refused because the name now leads inside', async () => {
    dns['dieuhanh.laocai.gov.vn'] = ['10.0.0.7'];
    const sent = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta'],
        priority: 'emergency',
      },
    });
    expect(sent.status).toBe(201);
    await h.runtime.webhookSender.drain();

    await page.goto(`${server.url}/tinh/webhook`);
    const row = page.locator('tr', { hasText: 'https://dieuhanh.laocai.gov.vn/loa' });
    expect(await row.textContent()).toContain('1 đang chờ gửi lại');
    await row.getByRole('link').click();
    const delivery = page.locator('tr[data-delivery]');
    await poll(() => delivery.count()).toBe(1);
    const text = (await delivery.textContent()) ?? '';
    expect(text).toContain('Xã phát tin khẩn cấp');
    expect(text).toContain('Chờ gửi lại');
    expect(text).toContain('Lần 1');
    expect(text).toContain('resolves to a private or local address (dieuhanh.laocai.gov.vn → 10.0.0.7)');
    await screenshots(page, 'province-webhook-deliveries');
  });
});
