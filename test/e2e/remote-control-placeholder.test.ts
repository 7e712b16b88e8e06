import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { hasTool } from '../support/tools.js';
import { launchChromium, phoneContext, poll, serveHarness, signIn, type Served } from './browser.js';

/**
 * The remote control in a real Chromium, in the example commune: its seeded receivers are placeholders
 * no box stands behind. The target list says which boxes have never connected, and a command to a
 * placeholder is refused on the page with the reason instead of being listed as waiting, then timing out.
 */
describe.skipIf(!hasTool('chromium'))('the remote control and the example commune’s placeholders', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let box: { id: string; token: string };

  const stored = async () =>
    (await h.runtime.db.kysely.selectFrom('receiver_commands').select(['receiver_id', 'kind']).execute()).map(
      (c) => `${c.receiver_id} ${c.kind}`,
    );

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
    box = await createDevice(h, 'un-ta', 'Loa chợ Ún Tà');
    const beat = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: box.token,
      json: { volume: 80, uptimeS: 60, freeBytes: 2e9, signal: null, appVersion: '0.2.0' },
    });
    expect(beat.status).toBe(200);
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, 'officer');
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('says which boxes never connected, and refuses a placeholder with the reason', async () => {
    await page.goto(`${server.url}/giam-sat#remote`);
    const target = page.getByLabel('Gửi tới');
    expect(await target.locator('option[value="r:rx-un-ta-1"]').textContent()).toMatch(
      /dữ liệu mẫu, chưa từng kết nối/,
    );
    expect(await target.locator(`option[value="r:${box.id}"]`).textContent()).toBe(
      'Loa chợ Ún Tà (Thôn Ún Tà)',
    );

    await target.selectOption('r:rx-un-ta-1');
    await page.getByRole('button', { name: 'Tắt tiếng' }).click();
    const refusal = page.locator('#remote-control [role="alert"]');
    await poll(() => refusal.textContent()).toMatch(/dữ liệu mẫu, chưa từng kết nối với máy chủ/);
    await expect(refusal.isVisible()).resolves.toBe(true);
    // The choice is kept, so the officer sees which box it was.
    expect(await page.getByLabel('Gửi tới').inputValue()).toBe('r:rx-un-ta-1');
    expect(await stored()).toEqual([]);
    expect(await page.locator('#commands li').count()).toBe(0);
  });

  it('still sends to a box that has connected', async () => {
    await page.goto(`${server.url}/giam-sat#remote`);
    await page.getByLabel('Gửi tới').selectOption(`r:${box.id}`);
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('tb') === 'commandSent'),
      page.getByRole('button', { name: 'Tắt tiếng' }).click(),
    ]);
    expect(await page.locator('#commands li').first().textContent()).toMatch(
      /Loa chợ Ún Tà · Tắt tiếng[^]*đang chờ/,
    );
    expect(await stored()).toEqual([`${box.id} mute`]);
  });
});
