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
 * An emergency cuts the market box's 09:00 item twenty seconds in. The commune officer opens the item's
 * playback, then the box's day, in Chromium: the item is "Bị dừng giữa chừng" because an emergency came
 * first, in Vietnamese, nowhere "Phát lỗi" nor the box's English words; the emergency itself aired.
 */
describe("a receiver's day with an item an emergency cut short, in a browser", () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let item: string;
  let emergency: string;
  let market: { id: string; token: string };

  beforeAll(async () => {
    h = await createHarness();
    market = await createDevice(h, 'thon-3', 'Cụm loa chợ');
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng cho trâu bò', [
      { language: 'vi', seconds: 2 },
    ]);
    item = (
      await scheduleBroadcast(h, {
        announcementId: ann.id,
        hamletIds: ['thon-3'],
        at: '2026-11-27T09:00:00+07:00',
      })
    ).occurrences[0]!.id;
    h.clock.set('2026-11-27T02:00:20.000Z');
    emergency = (
      await scheduleBroadcast(h, {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['thon-3'],
        priority: 'emergency',
      })
    ).occurrences[0]!.id;
    h.clock.set('2026-11-27T02:01:30.000Z');
    const res = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: market.token,
      json: {
        events: [
          { id: 'i-s', occurrenceId: item, type: 'started', at: '2026-11-27T02:00:00.000Z' },
          {
            id: 'i-f',
            occurrenceId: item,
            type: 'failed',
            at: '2026-11-27T02:00:20.000Z',
            detail: INTERRUPTION_DETAILS.preempted,
          },
          { id: 'e-s', occurrenceId: emergency, type: 'started', at: '2026-11-27T02:00:20.000Z' },
          { id: 'e-c', occurrenceId: emergency, type: 'completed', at: '2026-11-27T02:01:20.000Z' },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
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

  it('shows the cut item as stopped midway because of the emergency, on the item and on the day', async () => {
    await page.goto(`${server.url}/giam-sat/luot-phat/${item}`);
    const row = page.locator(`tr[data-receiver="${market.id}"]`);
    await poll(() => row.locator('td[data-label="Trạng thái"]').textContent()).toBe(
      '• Bị dừng giữa chừng tin khẩn cấp chen ngang',
    );
    // The airing itself: every box that reported was told to stop, so it did not fail.
    expect(await page.locator('p.meta .badge').first().textContent()).toContain('Bị dừng giữa chừng');

    await Promise.all([
      page.waitForURL(/\/giam-sat\/cum-loa\//),
      row.getByRole('link', { name: 'Cụm loa chợ' }).click(),
    ]);
    await poll(() => page.locator('h1').textContent()).toContain('Cụm loa chợ');
    const cut = page.locator(`tr[data-occurrence="${item}"]`);
    expect(await cut.locator('td[data-label="Trạng thái"]').textContent()).toBe(
      '• Bị dừng giữa chừng tin khẩn cấp chen ngang',
    );
    expect(await cut.locator('td[data-label="Kết thúc"]').textContent()).toBe('09:00:20');
    expect(
      await page.locator(`tr[data-occurrence="${emergency}"] td[data-label="Trạng thái"]`).textContent(),
    ).toBe('✓ Đã phát');
    const items = (await page.locator('#items').textContent()) ?? '';
    expect(items).not.toContain('Phát lỗi');
    expect(items).not.toContain(INTERRUPTION_DETAILS.preempted);
    await screenshots(page, 'officer-receiver-day-interrupted');
  });
});
