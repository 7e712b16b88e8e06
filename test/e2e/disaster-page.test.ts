import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createReadyAnnouncement } from '../support/receiver-fixtures.js';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
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
 * The disaster monitor in a real Chromium at 360 px: each bulletin's risk level in the colour of
 * QĐ 18/2021, the replaced bulletin marked as such, and per hamlet when it last aired.
 */
describe.skipIf(!hasTool('chromium'))('disaster monitor page in a browser', () => {
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

  const post = async (path: string, json: unknown) => {
    const res = await h.request(path, { method: 'POST', token: h.tokens.officer, json });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return (await res.json()) as { id: string };
  };

  it('shows the events on the air with the levels’ colours, in Vietnamese', async () => {
    const storm = await post('/api/v1/disaster/events', { name: 'Bão số 3', hazardType: 'storm' });
    for (const [n, level] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ] as const) {
      const content = await createReadyAnnouncement(
        h,
        `Bão số 3, tin số ${n}`,
        [{ language: 'vi', seconds: 2 }],
        {
          category: 'thien-tai',
        },
      );
      await post(`/api/v1/disaster/events/${storm.id}/bulletins`, {
        announcementId: content.id,
        riskLevel: level,
        agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
        issuedAt: `2026-11-27T0${n}:00:00+07:00`,
        hamletIds: ['un-ta', 'thon-2'],
      });
    }

    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, 'officer');
    await page.goto(`${server.url}/giam-sat/thien-tai`);
    await expect.poll(() => page.locator('h1, h2').first().textContent()).toBeTruthy();
    // Read in the page as a string: the test's own types know no DOM.
    const levels = (await page.evaluate(
      `[...document.querySelectorAll('[data-bulletin] [data-risk-level]')].map((el) => [el.getAttribute('data-risk-level'), getComputedStyle(el).backgroundColor, el.textContent])`,
    )) as [string, string, string][];
    // Newest first: 5 purple, 4 red, 3 orange, 2 light yellow, 1 light blue.
    expect(levels).toEqual([
      ['5', 'rgb(123, 44, 143)', 'Cấp độ rủi ro 5'],
      ['4', 'rgb(215, 25, 28)', 'Cấp độ rủi ro 4'],
      ['3', 'rgb(247, 148, 29)', 'Cấp độ rủi ro 3'],
      ['2', 'rgb(255, 243, 163)', 'Cấp độ rủi ro 2'],
      ['1', 'rgb(167, 216, 245)', 'Cấp độ rủi ro 1'],
    ]);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Sự kiện đang diễn ra');
    expect(text).toContain('Tin số 5: Bão số 3, tin số 5');
    expect(text).toContain('Đang phát');
    expect(text).toContain('Đã có tin mới thay thế');
    expect(text).toContain('Phát lại mỗi 2 giờ, vào đầu giờ');
    expect(await page.locator('[data-bulletin]').first().locator('tr[data-hamlet]').count()).toBe(2);
    await screenshots(page, 'disaster-monitor');
    await context.close();
  });

  it('lets the officer issue the storm’s second bulletin from the page, replacing the first, shown in its level’s colour', async () => {
    const storm = await post('/api/v1/disaster/events', { name: 'Bão số 9', hazardType: 'storm' });
    const first = await createReadyAnnouncement(h, 'Bão số 9, tin số 1', [{ language: 'vi', seconds: 2 }], {
      category: 'thien-tai',
    });
    await post(`/api/v1/disaster/events/${storm.id}/bulletins`, {
      announcementId: first.id,
      riskLevel: 2,
      agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
      issuedAt: '2026-11-27T07:00:00+07:00',
      hamletIds: ['un-ta'],
    });

    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, 'officer');
    await page.goto(`${server.url}/giam-sat/thien-tai`);
    await page.getByRole('link', { name: 'Phát bản tin thiên tai mới' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Phát bản tin thiên tai');
    await page.getByRole('radio', { name: 'Bão số 9' }).check();
    // The latest event's agency is offered; the officer clears it and forgets the level.
    await page.getByLabel('Cơ quan ban hành').fill('');
    await page.getByLabel('Nội dung văn bản').fill('Bão số 9 đổ bộ chiều nay, bà con ở yên trong nhà.');
    await page.getByRole('checkbox', { name: 'Thôn Ún Tà' }).check();
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    const general = page.locator('main [role=alert]').first();
    await expect.poll(() => general.textContent()).toContain('Chưa lưu được');
    expect(await page.locator('#riskLevel-error').textContent()).toBe('Hãy chọn cấp độ rủi ro từ 1 đến 5.');
    expect(await page.locator('#agency-error').textContent()).toMatch(/\S/);
    // The refusal is in view on a 360 px phone, without scrolling.
    const top = (await page.evaluate(
      `document.querySelector('main [role=alert]').getBoundingClientRect().top`,
    )) as number;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(640);
    await screenshots(page, 'disaster-issue-refused');

    await page.getByRole('radio', { name: 'Bão số 9' }).check();
    await page.locator('label[for="riskLevel-4"]').click();
    await page.getByLabel('Cơ quan ban hành').fill('Đài Khí tượng Thủy văn tỉnh Lào Cai');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Đang chuẩn bị âm thanh');
    await h.runtime.jobs.drain();
    // The page reloads itself once the audio is ready.
    await poll(() => page.locator('h1').textContent()).toBe('Xác nhận phát bản tin thiên tai');
    expect(await page.locator('dl.facts').textContent()).toContain('Bão số 9');
    await screenshots(page, 'disaster-issue-confirm');
    await page.getByRole('button', { name: 'Phát bản tin' }).click();

    await expect.poll(() => page.locator('main').textContent()).toContain('Đã phát bản tin thiên tai.');
    // Read in the page as a string: the test's own types know no DOM.
    const bulletins = (await page.evaluate(
      `[...document.querySelectorAll('#active [data-event="${storm.id}"] [data-bulletin]')].map((b) => [b.querySelector('strong').textContent, b.querySelector('[data-risk-level]').getAttribute('data-risk-level'), getComputedStyle(b.querySelector('[data-risk-level]')).backgroundColor, b.textContent.includes('Đang phát'), b.textContent.includes('Đã có tin mới thay thế')])`,
    )) as [string, string, string, boolean, boolean][];
    expect(bulletins).toEqual([
      ['Tin số 2: Bão số 9 đổ bộ chiều nay, bà con ở yên trong nhà.', '4', 'rgb(215, 25, 28)', true, false],
      ['Tin số 1: Bão số 9, tin số 1', '2', 'rgb(255, 243, 163)', false, true],
    ]);
    await screenshots(page, 'disaster-issue-aired');
    await context.close();
  });

  it('lets the officer air a CAP alert from the review queue, once approved', async () => {
    const intake = await h.runtime.services.capAlerts.intake(
      'lao-cai',
      { via: 'push', actorCtx: null },
      capXml({
        identifier: 'PAGE-1',
        severity: 'Moderate',
        urgency: 'Expected',
        certainty: 'Possible',
        event: 'Nắng nóng',
        headline: 'Nắng nóng gay gắt ngày mai',
        area: geocodeCocSan,
      }),
    );
    expect(intake.communes).toEqual([expect.objectContaining({ communeId: 'coc-san', state: 'review' })]);
    const [item] = await h.runtime.services.capAlerts.list(
      {
        actor: {
          kind: 'user',
          id: h.userIds.officer,
          username: 'officer',
          role: 'commune_officer',
          provinceId: 'lao-cai',
          communeId: 'coc-san',
          hamletIds: 'all',
        },
        requestId: null,
      },
      ['review'],
    );
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await signIn(page, server.url, 'officer');
    await page.goto(`${server.url}/giam-sat/thien-tai`);
    const queued = page.locator(`[data-cap-item="${item!.id}"]`);
    await expect.poll(() => queued.textContent()).toContain('Nắng nóng gay gắt ngày mai');
    // Not approved yet: the refusal says so, in Vietnamese, on the page.
    await queued.getByRole('button', { name: 'Phát' }).click();
    await expect
      .poll(() => page.locator('[role=alert]').first().textContent())
      .toMatch(/chưa được văn phòng xã duyệt/);
    const approved = await h.request(`/api/v1/announcements/${item!.announcementId}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect(approved.status).toBe(200);
    await page.goto(`${server.url}/giam-sat/thien-tai`);
    await page.locator(`[data-cap-item="${item!.id}"]`).getByRole('button', { name: 'Phát' }).click();
    await expect
      .poll(() => page.locator('main').textContent())
      .toContain('Đã phát cảnh báo như bản tin thiên tai.');
    expect(await page.locator(`[data-cap-item="${item!.id}"]`).count()).toBe(0);
    expect(await page.locator('[data-event] h3', { hasText: 'Nắng nóng' }).count()).toBe(1);
    await screenshots(page, 'disaster-cap-aired');
    await context.close();
  });
});
