import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTION_DETAILS } from '../../src/domain/receiver/protocol.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
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
 * The commune officer reads the playback report in Chromium: an item an emergency cut short on one box is
 * shown as stopped midway, not as a failure; dates the report cannot cover (the calendar's last day, a
 * year typed as 0050) come back as the form with the reason beside the field.
 */
describe('the playback report in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = await createHarness();
    const market = await createDevice(h, 'thon-3', 'Cụm loa chợ');
    const school = await createDevice(h, 'thon-3', 'Cụm loa trường học');
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng cho trâu bò', [
      { language: 'vi', seconds: 2 },
    ]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T09:00:00+07:00',
    });
    const occurrenceId = made.occurrences[0]!.id;
    h.clock.set('2026-11-27T02:00:05.000Z');
    for (const [box, end] of [
      [market, { type: 'failed', detail: INTERRUPTION_DETAILS.preempted }],
      [school, { type: 'completed', detail: null }],
    ] as const) {
      const res = await h.request('/api/v1/receiver/logs', {
        method: 'POST',
        token: box.token,
        json: {
          events: [
            { id: `${box.id}-s`, occurrenceId, type: 'started', at: '2026-11-27T02:00:00.000Z' },
            { id: `${box.id}-e`, occurrenceId, at: '2026-11-27T02:00:01.000Z', ...end },
          ],
        },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    h.clock.set('2026-11-27T02:20:00.000Z');
    server = await serveHarness(h);
    browser = await launchChromium();
    page = await (await phoneContext(browser)).newPage();
    await signIn(page, server.url, 'officer');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  const show = async (from: string, to: string) => {
    await page.getByLabel('Từ ngày').fill(from);
    await page.getByLabel('Đến ngày').fill(to);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Xem' }).click()]);
  };

  it('shows a box an emergency cut short as stopped midway, not as a failure', async () => {
    await page.goto(`${server.url}/giam-sat`);
    await page.getByRole('link', { name: 'Báo cáo phát sóng' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Báo cáo phát sóng');
    await show('2026-11-27', '2026-11-27');
    const thon3 = page.locator('[data-coverage="hamlets"] tr[data-hamlet="thon-3"]');
    await poll(() => thon3.locator('td[data-label="Bị dừng giữa chừng"]').textContent()).toContain(
      '1 bị dừng giữa chừng',
    );
    expect(await thon3.locator('td[data-label="Phát lỗi"]').textContent()).toBe('0');
    expect(await thon3.locator('td[data-label="Lượt cụm loa cần phát"]').textContent()).toBe('1');
    expect(await thon3.locator('td[data-label="Tỉ lệ phát"]').textContent()).toBe('100 %');
    const market = page.locator('[data-coverage="receivers"] tr', { hasText: 'Cụm loa chợ' });
    expect(await market.locator('td[data-label="Phát lỗi"]').textContent()).toBe('0');
    expect(await market.locator('td[data-label="Bị dừng giữa chừng"]').textContent()).toContain(
      '1 bị dừng giữa chừng',
    );
    expect(await page.locator('p.meta', { hasText: 'Bị dừng giữa chừng' }).textContent()).toContain(
      'không tính là phát lỗi',
    );
    await screenshots(page, 'officer-coverage-interrupted');
  });

  it('answers the calendar’s last day with the form and the reason beside the end date', async () => {
    await page.goto(`${server.url}/giam-sat/bao-cao`);
    await show('9999-12-30', '9999-12-31');
    await poll(() => page.locator('#den-error').textContent()).toBe(
      'Báo cáo chỉ có cho các ngày từ 01/01/2000 đến 30/12/9999; ngày 31/12/9999 nằm ngoài khoảng đó.',
    );
    expect(await page.locator('#tu-error').count()).toBe(0);
    expect(await page.getByLabel('Đến ngày').inputValue()).toBe('9999-12-31');
    expect(await page.locator('[data-coverage]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Xem' }).count()).toBe(1);
  });

  it('refuses a year typed as 0050 clearly, rather than reading it as 1950', async () => {
    await page.goto(`${server.url}/giam-sat/bao-cao`);
    await show('0050-01-01', '0050-01-07');
    await poll(() => page.locator('#tu-error').textContent()).toBe(
      'Báo cáo chỉ có cho các ngày từ 01/01/2000 đến 30/12/9999; ngày 01/01/0050 nằm ngoài khoảng đó.',
    );
    expect(await page.locator('#den-error').textContent()).toContain('ngày 07/01/0050');
    expect(await page.getByLabel('Từ ngày').inputValue()).toBe('0050-01-01');
    expect(await page.content()).not.toContain('1950');
    await screenshots(page, 'officer-coverage-refused-year');
  });
});
