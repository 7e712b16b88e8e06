import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
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

// The harness clock: Friday 2026-11-27, 08:00 in Cốc San. Evening slot 17:00–17:45; the 7-day horizon
// ends on 2026-12-04, so Saturday 12-12 is beyond it.
const title = 'Lịch tiêm phòng vắc xin cho trẻ em';

/** Where an element is on the screen, and whether it has the focus. */
const place = (page: Page, selector: string) =>
  page.evaluate<{ top: number; bottom: number; focused: boolean; scrollY: number; height: number }>(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const box = el.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, focused: document.activeElement === el, scrollY: window.scrollY, height: window.innerHeight };
  })()`);

const expectInView = async (page: Page, selector: string) => {
  const at = await place(page, selector);
  // Scrolled to as a fragment, an element may sit a fraction of a pixel above the edge (pixel rounding).
  expect(at.top, `${selector} below the top of the screen`).toBeGreaterThanOrEqual(-1);
  expect(at.bottom, `${selector} above the bottom of the screen`).toBeLessThanOrEqual(at.height);
  return at;
};

/**
 * A hamlet head schedules on a phone in a real Chromium against a real server: the page lands on what
 * each step did (the new item, or the refused field with the next free time), weekly series on a standing
 * slot show beyond the 7-day horizon, and one airing of a series is cancelled while the others stay.
 */
describe.skipIf(!hasTool('chromium'))('scheduling on a phone, landing on the result', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    h = await createHarness();
    await createReadyAnnouncement(h, title, [{ language: 'vi', seconds: 20 }]);
    server = await serveHarness(h);
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, 'head');
    await page.waitForURL(/\/lich-phat\/un-ta$/);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('books tomorrow\'s evening slot from its own "+ Thêm" and sees the new item highlighted, in view', async () => {
    // The days start today on a phone.
    expect(await page.locator('section.day h3').first().textContent()).toBe('Thứ sáu 27/11/2026 · Hôm nay');
    await screenshots(page, 'schedule-week');

    await page.getByRole('link', { name: '+ Thêm: Buổi chiều, Thứ bảy 28/11/2026' }).click();
    await poll(() => page.evaluate<string>('document.activeElement.id')).toBe('announcementId');
    expect(await page.getByLabel('Khung giờ', { exact: true }).inputValue()).toBe('evening');
    expect(await page.locator('#slotDate').inputValue()).toBe('2026-11-28');
    expect(await page.getByRole('radio', { name: 'Trong khung giờ' }).isChecked()).toBe(true);
    await expectInView(page, '#announcementId');

    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/moi=.*#moi$/);
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xếp lịch phát.');
    const item = page.locator('#moi');
    expect(await item.textContent()).toContain(title);
    expect(await item.textContent()).toContain('Vừa thêm');
    expect(await item.getAttribute('aria-current')).toBe('true');
    const evening = page.locator('section.day', { has: page.locator('#d-2026-11-28') }).locator('.slot', {
      hasText: 'Buổi chiều (17:00–17:45)',
    });
    expect(await evening.locator('#moi').count()).toBe(1);
    expect(await item.textContent()).toMatch(/^17:00 · \d+ giây · /);
    const at = await expectInView(page, '#moi');
    expect(at.focused).toBe(true);
    expect(at.scrollY, 'the page scrolled down to the item').toBeGreaterThan(0);
    await screenshots(page, 'schedule-new-item');
  });

  it('shows a refused time at its field, with the focus there, and books the next free time in one tap', async () => {
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 900 },
        hamletIds: ['un-ta'],
        at: '2026-11-28T09:00:00+07:00',
      },
    });
    expect(res.status).toBe(201);
    await page.goto(`${server.url}/lich-phat/un-ta`);
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    await page.getByRole('radio', { name: 'Vào giờ cụ thể' }).check();
    await page.locator('#atDate').fill('2026-11-28');
    await page.locator('#atTime').fill('09:05');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Lưu' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    await page.waitForLoadState();
    const error = await page.locator('#atTime-error').textContent();
    expect(error).toContain('Trùng giờ với "Tiếp sóng https://radio.example.vn/vov1"');
    expect(error).toContain('Giờ trống gần nhất: 09:15 ngày 28/11/2026.');
    const field = await expectInView(page, '#atTime');
    expect(field.focused).toBe(true);
    expect(field.scrollY, 'not left at the top of the page').toBeGreaterThan(0);
    const book = page.getByRole('button', { name: 'Đặt lúc 09:15 ngày 28/11/2026' });
    expect(await book.isVisible()).toBe(true);
    await screenshots(page, 'schedule-refused');

    await book.click();
    await page.waitForURL(/#moi$/);
    const item = page.locator('#moi');
    expect(await item.textContent()).toMatch(/^09:15 · \d+ giây · /);
    const other = page.locator('section.day', { has: page.locator('#d-2026-11-28') }).locator('.slot', {
      hasText: 'Giờ khác',
    });
    expect(await other.locator('#moi').count()).toBe(1);
    expect((await expectInView(page, '#moi')).focused).toBe(true);
  });

  it('lands on the result without JavaScript too: fragment anchors and autofocus', async () => {
    const plain = await browser.newContext({
      viewport: { width: 360, height: 640 },
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
      javaScriptEnabled: false,
    });
    const bare = await plain.newPage();
    try {
      await signIn(bare, server.url, 'head');
      await bare.getByRole('link', { name: '+ Thêm: Buổi sáng, Chủ nhật 29/11/2026' }).click();
      await bare.waitForURL(/them=morning&ngay=2026-11-29#add$/);
      expect(await bare.locator('#slotName').inputValue()).toBe('morning');
      expect(await bare.locator('#slotDate').inputValue()).toBe('2026-11-29');
      await expectInView(bare, '#add-h');

      // Every part of the form shows without scripts; the exact time is chosen by its radio button.
      await bare.getByRole('radio', { name: 'Vào giờ cụ thể' }).check();
      await bare.locator('#atDate').fill('2026-11-28');
      await bare.locator('#atTime').fill('09:05');
      await bare.getByRole('button', { name: 'Lưu' }).click();
      await bare.waitForLoadState();
      expect(await bare.locator('#atTime-error').textContent()).toContain('Giờ trống gần nhất');
      expect((await expectInView(bare, '#atTime')).focused, 'autofocus on the refused field').toBe(true);

      await bare.getByRole('button', { name: /^Đặt lúc \d\d:\d\d ngày 28\/11\/2026$/ }).click();
      await bare.waitForURL(/#moi$/);
      expect(await bare.locator('#moi').getAttribute('aria-current')).toBe('true');
      await expectInView(bare, '#moi');
    } finally {
      await plain.close();
    }
  });

  it('books a weekly series on a standing slot and shows it in a week beyond the horizon', async () => {
    await page.goto(`${server.url}/lich-phat/un-ta`);
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    await page.getByRole('radio', { name: 'Lặp lại hằng tuần' }).check();
    await page.getByRole('checkbox', { name: 'Thứ bảy' }).check();
    expect(await page.getByRole('radio', { name: 'Một khung giờ cố định' }).isChecked()).toBe(true);
    await page.locator('#repeatSlot').selectOption('evening');
    await page.locator('#untilDate').fill('2026-12-31');
    await screenshots(page, 'schedule-weekly-form');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#moi$/);
    const item = page.locator('#moi');
    expect(await item.textContent()).toContain('Hằng tuần · Thứ bảy · Buổi chiều → 31/12');
    // Packed behind the item booked first in the same slot: its real start, to the second.
    expect(await item.textContent()).toMatch(/^17:00:2\d · /);

    await page.getByRole('link', { name: 'Tuần sau →' }).click();
    await page.getByRole('link', { name: 'Tuần sau →' }).click();
    await poll(() => page.locator('h2').first().textContent()).toBe('Tuần 11/12/2026 – 17/12/2026');
    const saturday = page.locator('section.day', { has: page.locator('#d-2026-12-12') });
    const airing = saturday.locator('.slot', { hasText: 'Buổi chiều (17:00–17:45)' }).locator('.item');
    expect(await airing.count()).toBe(1);
    expect(await airing.textContent()).toContain(title);
    expect(await airing.textContent()).toContain('Hằng tuần · Thứ bảy · Buổi chiều → 31/12');
    expect(await airing.textContent()).toContain('Sắp tới');
    await screenshots(page, 'schedule-beyond-horizon');
  });

  it('cancels "chỉ buổi này" after a confirmation: that airing goes, the others stay', async () => {
    const saturday = page.locator('section.day', { has: page.locator('#d-2026-12-12') });
    const airing = saturday.locator('.slot', { hasText: 'Buổi chiều' }).locator('.item');
    await airing.getByText('Hủy', { exact: true }).click();
    expect(await airing.getByRole('radio', { name: 'Chỉ buổi này' }).isChecked()).toBe(true);
    expect(await airing.getByRole('radio', { name: 'Cả chuỗi (mọi buổi chưa phát)' }).isChecked()).toBe(
      false,
    );
    await screenshots(page, 'schedule-cancel-confirm');
    await airing.getByRole('button', { name: 'Xác nhận hủy' }).click();
    await page.waitForURL(/#d-2026-12-12$/);
    await poll(() => page.locator('.notice').textContent()).toBe(
      'Đã hủy buổi phát này; các buổi khác của chuỗi vẫn giữ.',
    );
    expect(await page.locator('h2').first().textContent()).toBe('Tuần 11/12/2026 – 17/12/2026');
    const evening = page
      .locator('section.day', { has: page.locator('#d-2026-12-12') })
      .locator('.slot', { hasText: 'Buổi chiều' });
    expect(await evening.locator('.item').count()).toBe(0);
    expect(await evening.textContent()).toContain('Chưa có gì.');

    // The week after, and the first Saturday, still air.
    await page.getByRole('link', { name: 'Tuần sau →' }).click();
    const next = page
      .locator('section.day', { has: page.locator('#d-2026-12-19') })
      .locator('.slot', { hasText: 'Buổi chiều' })
      .locator('.item');
    await poll(() => next.count()).toBe(1);
    await page.getByRole('link', { name: 'Tuần này' }).click();
    const first = page
      .locator('section.day', { has: page.locator('#d-2026-11-28') })
      .locator('.slot', { hasText: 'Buổi chiều' })
      .locator('.item', { hasText: 'Hằng tuần' });
    await poll(() => first.count()).toBe(1);
  });

  it('books once when the same form is sent twice (a slow answer, "Lưu" pressed again)', async () => {
    await page.goto(`${server.url}/lich-phat/un-ta`);
    await page.getByRole('link', { name: '+ Thêm: Buổi chiều, Thứ hai 30/11/2026' }).click();
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST'),
      page.getByRole('button', { name: 'Lưu' }).click(),
    ]);
    await page.waitForURL(/#moi$/);
    const first = new URL(page.url()).searchParams.get('moi');

    // The browser sends the very same form again, with the session's cookies.
    const again = await page.request.post(sent.url(), {
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      data: sent.postData() ?? '',
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(new URL(again.headers().location!, server.url).searchParams.get('moi')).toBe(first);

    await page.goto(`${server.url}/lich-phat/un-ta`);
    const evening = page
      .locator('section.day', { has: page.locator('#d-2026-11-30') })
      .locator('.slot', { hasText: 'Buổi chiều' })
      .locator('.item', { hasText: title });
    await poll(() => evening.count()).toBe(1);
  });

  it('says the airing is cancelled when the confirmation is sent twice, not that it failed', async () => {
    const evening = page
      .locator('section.day', { has: page.locator('#d-2026-11-30') })
      .locator('.slot', { hasText: 'Buổi chiều' })
      .locator('.item', { hasText: title });
    await evening.getByText('Hủy', { exact: true }).click();
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST'),
      evening.getByRole('button', { name: 'Xác nhận hủy' }).click(),
    ]);
    await page.waitForURL(/#d-2026-11-30$/);
    const notice = await page.locator('.notice').textContent();

    // The same confirmation again, as a slow link may send it: the page the person ends on says it is done.
    const again = await page.request.post(sent.url(), {
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      data: sent.postData() ?? '',
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    await page.goto(new URL(again.headers().location!, server.url).href);
    await poll(() => page.locator('.notice').textContent()).toBe(notice);
    await poll(() => evening.count()).toBe(0);
  });
});
