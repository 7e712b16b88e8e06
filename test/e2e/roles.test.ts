import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir, speechWav } from '../support/audio-fixtures.js';
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
import { hasTool } from '../support/tools.js';

/**
 * The three roles' main jobs in a real Chromium against a real server: a secretary uploads a recording,
 * the commune office approves it, a hamlet head schedules it, the office reads the coverage report.
 */
describe.skipIf(!hasTool('chromium'))('pages in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let announcementId = '';
  const title = '<script>alert(1)</script> Tiêm phòng cho đàn gia súc';

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

  async function as(user: 'secretary' | 'head' | 'officer' | 'admin') {
    await context?.close();
    context = await phoneContext(browser);
    page = await context.newPage();
    page.on('dialog', () => {
      throw new Error('a dialog opened: some text was run as script');
    });
    await signIn(page, server.url, user);
  }

  it('a secretary uploads a recording, sees the progress, then "ready" with the loudness', async () => {
    speechWav(
      'Thông báo của Ủy ban nhân dân xã Cốc San về việc tiêm phòng cho đàn gia súc, gia cầm vụ đông.',
      'e2e',
    );
    await as('secretary');
    expect(new URL(page.url()).pathname).toBe('/thong-bao/gui');
    await screenshots(page, 'secretary-send');

    await page.getByLabel('Tiêu đề').fill(title);
    await page.getByLabel('Tệp âm thanh').setInputFiles(join(fixtureDir, 'e2e.wav'));
    // A slow uplink, as on 3G, so that the upload takes long enough to report progress several times.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 64 * 1024,
    });
    // Every value the bar shows is reported to the test as it happens, so a navigation cannot lose them.
    const values: number[] = [];
    await page.exposeFunction('reportProgress', (v: number) => values.push(v));
    await page.evaluate(`(() => {
      const bar = document.querySelector('progress');
      new MutationObserver(() => {
        if (!bar.hidden) window.reportProgress(Math.round((100 * bar.value) / bar.max));
      }).observe(bar, { attributes: true });
    })()`);
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForURL(/\/thong-bao\/[0-9a-f-]{36}$/);
    expect(
      values.some((v) => v > 0 && v < 100),
      `progress values ${values.join(',')}`,
    ).toBe(true);
    expect(values, `progress values ${values.join(',')}`).toContain(100);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    announcementId = new URL(page.url()).pathname.split('/').pop()!;

    await poll(() => page.locator('h1').textContent()).toBe(title);
    await poll(() => page.locator('[data-status-text]').textContent()).toMatch(/Đang chờ xử lý|Đang xử lý/);
    await screenshots(page, 'secretary-processing');

    await h.runtime.jobs.drain();
    // The page polls every 2 s and reloads itself once processing is over.
    await page.waitForSelector('[data-duration]', { timeout: 30_000 });
    // The player says how long the recording is before it plays; the figures are folded away.
    expect(await page.locator('[data-duration]').first().textContent()).toMatch(/^\d+ giây$/);
    expect(await page.locator('[data-loudness]').first().isVisible()).toBe(false);
    await page.getByText('Chi tiết kỹ thuật').click();
    const loudness = await page.locator('[data-loudness]').first().textContent();
    expect(loudness).toMatch(/^trước −[\d,]+ LUFS → sau −1[56],\d LUFS$/);
    expect(await page.locator('.badge', { hasText: 'Sẵn sàng' }).count()).toBeGreaterThan(0);
    expect(await page.locator('svg.waveform path').getAttribute('d')).toMatch(/^M0\.5 /);
    expect(await page.locator('audio[src^="/media/"]').count()).toBe(1);
    await screenshots(page, 'secretary-ready');

    await page.getByRole('link', { name: 'Thông báo của tôi' }).click();
    await poll(() => page.getByRole('link', { name: title }).count()).toBe(1);
    await screenshots(page, 'secretary-mine');
  });

  it('the commune office listens to it and approves it', async () => {
    await as('officer');
    expect(new URL(page.url()).pathname).toBe('/giam-sat');
    const item = page.locator(`#a-${announcementId}`);
    expect(await item.locator('audio[src^="/media/"]').count()).toBe(1);
    await screenshots(page, 'officer-monitor');
    await item.getByRole('button', { name: `Duyệt: ${title}` }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã duyệt thông báo.');
    expect(await page.locator(`#a-${announcementId}`).count()).toBe(0);
    const a = await h.runtime.services.announcements.get(
      { actor: (await officerActor()).actor, requestId: null },
      announcementId,
    );
    expect(a.approval).toBe('approved');
  });

  it("a hamlet head schedules it into tomorrow's morning slot, then sees a clash named in words", async () => {
    await as('head');
    await page.waitForURL(/\/lich-phat\/un-ta$/);
    await page.getByLabel('Thông báo', { exact: true }).selectOption({ label: title });
    // The form starts on "in a slot", the morning slot, tomorrow.
    expect(await page.getByLabel('Khung giờ', { exact: true }).inputValue()).toBe('morning');
    expect(await page.locator('#slotDate').inputValue()).toBe('2026-11-28');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã xếp lịch phát.');
    const tomorrow = page.locator('section.day', { has: page.locator('#d-2026-11-28') });
    const morning = tomorrow.locator('.slot', { hasText: 'Buổi sáng (05:30–06:15)' });
    await poll(() => morning.locator('.item').first().textContent()).toContain(title);
    expect(await morning.locator('.item').first().textContent()).toMatch(/^05:30 · \d+ giây · /);
    await screenshots(page, 'head-schedule');

    await page.getByRole('radio', { name: 'Vào giờ cụ thể' }).check();
    await page.locator('#atDate').fill('2026-11-28');
    await page.locator('#atTime').fill('05:30');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Lưu' }).click(),
    ]);
    expect(res.status()).toBe(409);
    await page.waitForLoadState();
    const fieldError = await page.locator('#atTime-error').textContent();
    expect(fieldError).toContain('Trùng giờ với "');
    expect(fieldError).toContain(title);
    expect(fieldError).toContain('ngày 28/11/2026');
    // What the head typed is still there.
    expect(await page.locator('#atTime').inputValue()).toBe('05:30');
    expect(await page.getByRole('radio', { name: 'Vào giờ cụ thể' }).isChecked()).toBe(true);
    await screenshots(page, 'head-conflict');
  });

  it("a hamlet head cannot open another hamlet's pages: the 403 page in Vietnamese", async () => {
    const res = await page.goto(`${server.url}/lich-phat/thon-2`);
    expect(res!.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Không có quyền truy cập');
    // The hamlet by its name, not its id.
    expect(await page.locator('.form-error').textContent()).toBe(
      'Thao tác này liên quan đến thôn ngoài phạm vi phụ trách của bạn: Thôn số 2 (dữ liệu mẫu).',
    );
    await screenshots(page, 'head-forbidden');
  });

  it('the commune office reads the coverage report and downloads it as CSV', async () => {
    await as('officer');
    await page.goto(`${server.url}/giam-sat/bao-cao?tu=2026-11-22&den=2026-11-28`);
    const row = page.locator('#table tr', { has: page.locator('th', { hasText: 'Thôn Ún Tà' }) });
    await poll(() => row.textContent()).toContain('1 đã lên lịch');
    expect(await page.locator('#chart svg.chart rect').count()).toBe(7);
    await screenshots(page, 'officer-coverage');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Tải về CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^coverage-[\d-]+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(
      csv.startsWith(
        '\uFEFFCấp,Mã thôn,Thôn,Mã cụm loa,Cụm loa,Đã lên lịch,Lượt cần phát,Đã phát,Phát lỗi,Bị lỡ,Mất kết nối,Tỉ lệ phát,Bị dừng giữa chừng\r\n',
      ),
    ).toBe(true);
    expect(csv).toContain('Thôn,un-ta,Thôn Ún Tà,,,1,0,0,0,0,0,,0\r\n');
    const [excel] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Tải về cho Excel (dấu ;)' }).click(),
    ]);
    expect(excel.suggestedFilename()).toMatch(/^coverage-[\d-]+-excel\.csv$/);
    expect(readFileSync((await excel.path())!, 'utf8')).toContain(
      'Thôn;un-ta;Thôn Ún Tà;;;1;0;0;0;0;0;;0\r\n',
    );
  });

  async function officerActor() {
    const { toUserActor } = await import('../../src/services/auth.service.js');
    const user = await h.runtime.repos.users.findUser(h.userIds.officer);
    return { actor: toUserActor(user!) };
  }
});
