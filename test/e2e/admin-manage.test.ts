import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import {
  launchChromium,
  phoneContext,
  poll,
  screenshots,
  serveHarness,
  signIn,
  type Served,
} from './browser.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { hasTool } from '../support/tools.js';

const beat = { volume: 80, uptimeS: 3600, freeBytes: 2_000_000_000, signal: -71, appVersion: '0.1.0' };

/**
 * Editing and deleting hamlets, disabling and enabling receivers, in a real Chromium against a real
 * server; and what a hamlet head sees of the same pages.
 */
describe.skipIf(!hasTool('chromium'))('managing hamlets and receivers in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
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

  async function as(user: 'admin' | 'head') {
    await context?.close();
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, user);
  }

  const hamletStatus = async (id: string) =>
    (await h.request(`/api/v1/hamlets/${id}`, { token: h.tokens.admin })).status;

  /** The schedule call of a controller box with this token: 200, or 401 once it is refused. */
  const scheduleStatus = async (token: string) =>
    (await h.request('/api/v1/receiver/schedule', { token })).status;

  it("edits a hamlet's name and language order, after the form refuses one position used twice", async () => {
    await as('admin');
    await page.goto(`${server.url}/quan-tri/thon`);
    await page.getByRole('link', { name: 'Sửa: Thôn số 4 (dữ liệu mẫu)' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Sửa: Thôn số 4 (dữ liệu mẫu)');
    expect(await page.getByLabel('Tên').inputValue()).toBe('Thôn số 4 (dữ liệu mẫu)');
    expect(await page.getByLabel('Tiếng Việt').inputValue()).toBe('1');
    expect(await page.getByLabel("Tiếng H'Mông").inputValue()).toBe('');
    await screenshots(page, 'admin-hamlet-edit');

    await page.getByLabel('Tên').fill('Thôn Nà Pồ');
    await page.getByLabel("Tiếng H'Mông").selectOption('1');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('#languages-error').textContent()).toBe(
      'Mỗi số thứ tự chỉ dùng cho một tiếng.',
    );
    expect(await page.locator('.form-error').textContent()).toContain('Chưa lưu được');
    // What was typed stays; nothing was saved.
    expect(await page.getByLabel('Tên').inputValue()).toBe('Thôn Nà Pồ');
    expect(await page.getByLabel("Tiếng H'Mông").inputValue()).toBe('1');
    const before = await (await h.request('/api/v1/hamlets/thon-4', { token: h.tokens.admin })).json();
    expect(before).toMatchObject({ name: 'Thôn số 4 (dữ liệu mẫu)', languages: ['vi'] });
    await screenshots(page, 'admin-hamlet-edit-errors');

    await page.getByLabel('Tiếng Việt').selectOption('2');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu.');
    expect(new URL(page.url()).pathname).toBe('/quan-tri/thon');
    expect(await page.locator('tr', { hasText: 'Thôn Nà Pồ' }).textContent()).toContain(
      "Tiếng H'Mông, Tiếng Việt",
    );
    const after = await (await h.request('/api/v1/hamlets/thon-4', { token: h.tokens.admin })).json();
    expect(after).toMatchObject({ name: 'Thôn Nà Pồ', languages: ['hmn', 'vi'] });
  });

  it('is told which airing would fall silent when a language it needs is removed, and nothing changes', async () => {
    const hmong = await createReadyAnnouncement(h, 'Phòng rét cho trâu bò', [
      { language: 'hmn', seconds: 1 },
    ]);
    await scheduleBroadcast(h, {
      announcementId: hmong.id,
      hamletIds: ['thon-4'],
      at: '2026-11-27T19:00:00+07:00',
    });
    await page.goto(`${server.url}/quan-tri/thon/thon-4`);
    await page.getByLabel("Tiếng H'Mông").selectOption('');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('.form-error').textContent()).toContain('Phòng rét cho trâu bò');
    expect(await page.locator('.form-error').textContent()).toContain('hủy các lượt phát này');
    const kept = await (await h.request('/api/v1/hamlets/thon-4', { token: h.tokens.admin })).json();
    expect(kept).toMatchObject({ languages: ['hmn', 'vi'] });
  });

  it('deletes a hamlet only once the confirmation box is ticked', async () => {
    await page.goto(`${server.url}/quan-tri/thon/thon-2`);
    await page.getByRole('link', { name: 'Xóa thôn' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Xóa thôn: Thôn số 2 (dữ liệu mẫu)');
    // Its one receiver would be left without a schedule: the page says so, and the service refuses.
    expect(await page.locator('main').textContent()).toContain('Thôn này còn 1 cụm loa.');
    await page.getByRole('button', { name: 'Xóa thôn' }).click();
    await poll(() => page.locator('#confirm-error').textContent()).toBe(
      'Hãy đánh dấu ô xác nhận trước khi xóa.',
    );
    expect(await hamletStatus('thon-2')).toBe(200);
    await screenshots(page, 'admin-hamlet-delete-confirm');

    await page.getByLabel('Tôi chắc chắn muốn xóa thôn này.').check();
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Xóa thôn' }).click(),
    ]);
    expect(refused.status()).toBe(409);
    await poll(() => page.locator('.form-error').textContent()).toContain('Thôn còn 1 cụm loa.');
    expect(await hamletStatus('thon-2')).toBe(200);
    await screenshots(page, 'admin-hamlet-delete-refused');

    // Once its receiver moved to another hamlet, the hamlet goes.
    await page.goto(`${server.url}/quan-tri/cum-loa`);
    await page.getByRole('link', { name: 'Sửa: Cụm loa thôn số 2' }).click();
    await page.getByLabel('Thôn', { exact: true }).selectOption('thon-3');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu.');
    await page.goto(`${server.url}/quan-tri/thon/thon-2/xoa`);
    await page.getByLabel('Tôi chắc chắn muốn xóa thôn này.').check();
    await page.getByRole('button', { name: 'Xóa thôn' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xóa thôn.');
    expect(new URL(page.url()).pathname).toBe('/quan-tri/thon');
    expect(await page.locator('tr', { hasText: 'Thôn số 2' }).count()).toBe(0);
    expect(await hamletStatus('thon-2')).toBe(404);
    const receiver = await h.request('/api/v1/receivers/rx-thon-2-1', { token: h.tokens.admin });
    expect(((await receiver.json()) as { hamletId: string }).hamletId).toBe('thon-3');
  });

  it('shows the refusal in Vietnamese when the hamlet was deleted elsewhere in the meantime', async () => {
    await page.goto(`${server.url}/quan-tri/thon/thon-8/xoa`);
    await page.getByLabel('Tôi chắc chắn muốn xóa thôn này.').check();
    // Another admin deletes it through the API while this page is open.
    expect(
      (await h.request('/api/v1/hamlets/thon-8', { method: 'DELETE', token: h.tokens.admin })).status,
    ).toBe(204);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Xóa thôn' }).click(),
    ]);
    expect(answer.status()).toBe(404);
    await poll(() => page.locator('.form-error').textContent()).toBe('Không tìm thấy thôn "thon-8".');
    expect(await page.locator('h1').textContent()).toBe('Không tìm thấy');
    await screenshots(page, 'admin-hamlet-delete-gone');
  });

  it('disables a receiver, whose token then gets 401, and enables it again', async () => {
    const rotated = await h.request('/api/v1/receivers/rx-un-ta-2/rotate-token', {
      method: 'POST',
      token: h.tokens.admin,
    });
    const { token } = (await rotated.json()) as { token: string };
    expect(await scheduleStatus(token)).toBe(200);
    const beatRes = await h.request('/api/v1/receiver/heartbeat', { method: 'POST', token, json: beat });
    expect(beatRes.status).toBe(200);

    await page.goto(`${server.url}/quan-tri/cum-loa`);
    const row = page.locator('tr', { hasText: 'Cụm loa Ún Tà — ngã ba' });
    // The list shows all three states: online (heartbeat just now), offline (never seen), disabled.
    expect(await row.locator('.badge').textContent()).toContain('Đang kết nối');
    expect(
      await page.locator('tr', { hasText: 'Cụm loa Ún Tà — nhà văn hóa' }).locator('.badge').textContent(),
    ).toContain('Mất kết nối');

    await row.getByRole('button', { name: 'Khóa: Cụm loa Ún Tà — ngã ba' }).click();
    await poll(() => page.locator('.notice').textContent()).toContain('Đã khóa cụm loa.');
    expect(await row.locator('.badge').textContent()).toContain('Đã khóa');
    expect(await scheduleStatus(token)).toBe(401);
    const listed = await h.request('/api/v1/receivers/rx-un-ta-2', { token: h.tokens.admin });
    expect(await listed.json()).toMatchObject({ disabled: true });
    await screenshots(page, 'admin-receivers-disabled');

    await row.getByRole('button', { name: 'Mở khóa: Cụm loa Ún Tà — ngã ba' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã mở khóa cụm loa.');
    expect(await row.locator('.badge').textContent()).toContain('Đang kết nối');
    expect(await row.getByRole('button', { name: 'Khóa: Cụm loa Ún Tà — ngã ba' }).count()).toBe(1);
    expect(await scheduleStatus(token)).toBe(200);
  });

  it('renames a receiver and moves it to another hamlet', async () => {
    await page.goto(`${server.url}/quan-tri/cum-loa`);
    await page.getByRole('link', { name: 'Sửa: Cụm loa Ún Tà — nhà văn hóa' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Sửa: Cụm loa Ún Tà — nhà văn hóa');
    expect(await page.getByLabel('Thôn').inputValue()).toBe('un-ta');
    await page.getByLabel('Tên').fill('Cụm loa Nà Pồ — trường học');
    await page.getByLabel('Thôn').selectOption({ label: 'Thôn Nà Pồ' });
    await screenshots(page, 'admin-receiver-edit');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu.');
    expect(await page.locator('tr', { hasText: 'Cụm loa Nà Pồ — trường học' }).textContent()).toContain(
      'Thôn Nà Pồ',
    );
    const moved = await h.request('/api/v1/receivers/rx-un-ta-1', { token: h.tokens.admin });
    expect(await moved.json()).toMatchObject({ name: 'Cụm loa Nà Pồ — trường học', hamletId: 'thon-4' });
  });

  it("a hamlet head sees their own hamlet's receivers and none of the controls", async () => {
    await as('head');
    await page.getByRole('link', { name: 'Cụm loa' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Cụm loa');
    const api = (await (await h.request('/api/v1/receivers', { token: h.tokens.head })).json()) as {
      items: { name: string; hamletId: string }[];
    };
    expect(api.items.map((r) => r.hamletId)).toEqual(['un-ta']);
    const rows = await page.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(api.items.length);
    expect(rows[0]).toContain('Cụm loa Ún Tà — ngã ba');
    expect(rows.join(' ')).not.toContain('Nà Pồ');
    expect(await page.locator('main button').count()).toBe(0);
    expect(await page.locator('main form').count()).toBe(0);
    expect(await page.locator('main a[href^="/quan-tri/"]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Quản trị' }).count()).toBe(0);
    await screenshots(page, 'head-receivers');

    for (const path of [
      '/quan-tri/thon',
      '/quan-tri/thon/un-ta',
      '/quan-tri/thon/un-ta/xoa',
      '/quan-tri/cum-loa/rx-un-ta-2',
    ]) {
      const res = await page.goto(`${server.url}${path}`);
      expect(res!.status(), path).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('Không có quyền truy cập');
      expect(await page.locator('main form').count()).toBe(0);
    }
  });
});
