import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
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
 * Two people of the commune office have the approval queue open. One refuses a directive; the other, whose
 * page still shows it waiting, presses "Duyệt": her page tells her who refused it and why, and nothing
 * airs. Having seen the refusal on the announcement's page, she may still approve it there.
 */
describe.skipIf(!hasTool('chromium'))('two officers deciding one announcement', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let officer: Page;
  let admin: Page;
  const title = 'Họp thôn bàn việc làm đường';
  let id: string;

  beforeAll(async () => {
    h = await createHarness();
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: { title, language: 'vi', text: 'Tối thứ bảy họp thôn tại nhà văn hóa, bàn việc làm đường.' },
    });
    expect(created.status).toBe(202);
    id = ((await created.json()) as { id: string }).id;
    await h.runtime.jobs.drain();
    server = await serveHarness(h);
    browser = await launchChromium();
    officer = await (await phoneContext(browser)).newPage();
    admin = await (await phoneContext(browser)).newPage();
    await signIn(officer, server.url, 'officer');
    await signIn(admin, server.url, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  const approval = async () =>
    (
      (await (await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.officer })).json()) as {
        approval: string;
      }
    ).approval;

  it('tells the second one who refused it and why, and approves nothing', async () => {
    await officer.goto(`${server.url}/giam-sat`);
    await admin.goto(`${server.url}/giam-sat`);
    const item = (p: Page) => p.locator(`#a-${id}`);

    await item(admin).getByLabel('Lý do từ chối').fill('Sai ngày họp, thôn họp chủ nhật');
    await item(admin)
      .getByRole('button', { name: `Từ chối: ${title}` })
      .click();
    await poll(() => approval()).toBe('rejected');

    // Her page still shows it waiting.
    await item(officer)
      .getByRole('button', { name: `Duyệt: ${title}` })
      .click();
    await poll(() =>
      officer.locator('#queue [data-form-error]:not([hidden])').first().textContent(),
    ).toContain('lý do: Sai ngày họp, thôn họp chủ nhật');
    expect(await officer.locator('#queue [data-form-error]:not([hidden])').first().textContent()).toContain(
      'đã bị',
    );
    await screenshots(officer, 'office-decided-meanwhile');
    expect(await approval()).toBe('rejected');
  });

  it('approves it from the announcement’s page once she has seen the refusal', async () => {
    await officer.goto(`${server.url}/thong-bao/${id}`);
    expect(await officer.locator('#decision').textContent()).toContain('Duyệt');
    await officer.getByRole('button', { name: `Duyệt: ${title}` }).click();
    await poll(() => approval()).toBe('approved');
    expect(await officer.locator('[data-form-error]:not([hidden])').count()).toBe(0);
  });
});
