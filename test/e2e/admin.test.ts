import jsqr from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
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
import { hasTool } from '../support/tools.js';

/** The administrator's pages in a real Chromium (the emergency form: emergency.test.ts). */
describe.skipIf(!hasTool('chromium'))('admin pages in a browser', () => {
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

  async function as(user: 'admin' | 'officer') {
    await context?.close();
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, user);
  }

  it('shows the commune settings in a form', async () => {
    await as('admin');
    expect(new URL(page.url()).pathname).toBe('/quan-tri');
    // Labels a person reads, not the keys of the configuration.
    const facts = await page.locator('#settings dl.facts').textContent();
    expect(facts).toContain('Giờ Việt Nam (UTC+7)');
    expect(facts).toContain('Tiếng Việt, Tiếng Giáy');
    const settings = await page.locator('#settings').textContent();
    for (const key of ['Asia/Ho_Chi_Minh', 'schedules/', '(morning)', '(evening)', '(vi)'])
      expect(settings, key).not.toContain(key);
    expect(await page.getByRole('group', { name: 'Buổi sáng (05:30–06:15)' }).count()).toBe(1);
    expect(await page.getByLabel('Giờ nghỉ bắt đầu').inputValue()).toBe('21:30');
    expect(await page.getByLabel('Giờ nghỉ kết thúc').inputValue()).toBe('05:30');
    expect(await page.locator('#slot-morning-label').inputValue()).toBe('Buổi sáng');
    expect(await page.locator('#slot-morning-start').inputValue()).toBe('05:30');
    expect(await page.locator('#slot-morning-end').inputValue()).toBe('06:15');
    expect(await page.locator('#slot-morning-maxAirTimeMin').inputValue()).toBe('45');
    expect(await page.getByLabel('Độ to mục tiêu (LUFS)').inputValue()).toBe('-16');
    expect(await page.getByLabel('Đỉnh thực tối đa (dBTP)').inputValue()).toBe('-1,5');
    await screenshots(page, 'admin-settings');
  });

  it('changes the quiet hours, after the form points at a bad time and a slot ending before it starts', async () => {
    const commune = async () =>
      (
        (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
          settings: { quietHours: { start: string; end: string }; slots: { name: string; end: string }[] };
        }
      ).settings;
    await page.getByLabel('Giờ nghỉ bắt đầu').fill('22:00');
    await page.getByLabel('Giờ nghỉ kết thúc').fill('25:00');
    await page.locator('#slot-morning-end').fill('05:00');
    await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => page.locator('#quietEnd-error').textContent()).toBe(
      'Hãy nhập giờ dạng HH:MM, từ 00:00 đến 23:59, ví dụ 05:30.',
    );
    expect(await page.locator('#slot-morning-end-error').textContent()).toBe(
      'Giờ kết thúc phải sau giờ bắt đầu.',
    );
    expect(await page.locator('.form-error').textContent()).toContain('Chưa lưu được');
    // What was typed stays, and nothing was saved.
    expect(await page.getByLabel('Giờ nghỉ bắt đầu').inputValue()).toBe('22:00');
    expect(await page.getByLabel('Giờ nghỉ kết thúc').inputValue()).toBe('25:00');
    expect(await page.locator('#slot-morning-end').inputValue()).toBe('05:00');
    expect((await commune()).quietHours).toEqual({ start: '21:30', end: '05:30' });
    await screenshots(page, 'admin-settings-errors');

    await page.getByLabel('Giờ nghỉ kết thúc').fill('05:00');
    await page.locator('#slot-morning-end').fill('06:15');
    await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu cài đặt của xã.');
    expect(new URL(page.url()).pathname).toBe('/quan-tri');
    expect(await page.getByLabel('Giờ nghỉ bắt đầu').inputValue()).toBe('22:00');
    expect(await page.getByLabel('Giờ nghỉ kết thúc').inputValue()).toBe('05:00');
    const saved = await commune();
    expect(saved.quietHours).toEqual({ start: '22:00', end: '05:00' });
    expect(saved.slots.find((s) => s.name === 'morning')?.end).toBe('06:15');
  });

  it('is told which booked airing earlier quiet hours would silence, and the hours stay', async () => {
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        at: '2026-11-28T21:00:00+07:00',
      },
    });
    expect(booked.status).toBe(201);
    await page.goto(`${server.url}/quan-tri`);
    await page.getByLabel('Giờ nghỉ bắt đầu').fill('20:30');
    await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
    await poll(() => page.locator('.form-error').textContent()).toContain('21:00–21:05 ngày 28/11/2026');
    expect(await page.locator('.form-error').textContent()).toContain('Hãy hủy hoặc dời các lượt phát này');
    const settings = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
      settings: { quietHours: unknown };
    };
    expect(settings.settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
  });

  it('adds a hamlet, with the missing name shown next to the field first', async () => {
    await page.goto(`${server.url}/quan-tri/thon`);
    // Languages are chosen by their position in the hamlet's order; Vietnamese is first by default.
    expect(await page.getByLabel('Tiếng Việt').inputValue()).toBe('1');
    await page.getByLabel('Tiếng Giáy').selectOption('2');
    await page.getByRole('button', { name: 'Thêm thôn' }).click();
    await poll(() => page.locator('#name-error').textContent()).toBe('Hãy điền mục này.');
    expect(await page.getByLabel('Tiếng Giáy').inputValue()).toBe('2');
    await page.getByLabel('Tên').fill('Thôn Nà Lốc');
    await page.getByRole('button', { name: 'Thêm thôn' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu.');
    expect(await page.locator('tr', { hasText: 'Thôn Nà Lốc' }).textContent()).toContain(
      'Tiếng Việt, Tiếng Giáy',
    );
    await screenshots(page, 'admin-hamlets');
  });

  it('adds a hamlet head with a scope, after the form points at every mistake at once', async () => {
    await page.goto(`${server.url}/quan-tri/nguoi-dung`);
    await page.getByLabel('Tên đăng nhập').fill('a');
    await page.getByLabel('Họ và tên').fill('Lò Văn Páo');
    await page.getByLabel('Mật khẩu').fill('ngan');
    await page.getByLabel('Vai trò').selectOption('hamlet_head');
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    // The schema's mistakes and the service's (a hamlet head needs a hamlet) in one round.
    await poll(() => page.locator('#username-error').textContent()).toContain('Từ 3 đến 64 ký tự');
    expect(await page.locator('#password-error').textContent()).toBe('Mật khẩu cần ít nhất 10 ký tự.');
    expect(await page.locator('#hamletIds-error').textContent()).toBe(
      'Trưởng thôn và bí thư chi đoàn phải được giao ít nhất một thôn.',
    );
    expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Lò Văn Páo');
    expect(await page.getByLabel('Mật khẩu').inputValue()).toBe('ngan');
    expect(await page.getByLabel('Vai trò').inputValue()).toBe('hamlet_head');
    await screenshots(page, 'admin-users-errors');

    // A taken username and a missing hamlet, found by the service, also come together.
    await page.getByLabel('Tên đăng nhập').fill('head');
    await page.getByLabel('Mật khẩu').fill('mot mat khau dai');
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    await poll(() => page.locator('#username-error').textContent()).toBe(
      'Tên đăng nhập "head" đã có người dùng.',
    );
    expect(await page.locator('#hamletIds-error').textContent()).toContain('ít nhất một thôn');
    expect(await page.locator('#password-error').count()).toBe(0);
    expect(await page.getByLabel('Mật khẩu').inputValue()).toBe('mot mat khau dai');

    await page.getByLabel('Tên đăng nhập').fill('paolv');
    await page.getByRole('checkbox', { name: 'Thôn Ún Tà' }).check();
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã lưu người dùng.');
    const row = await page.locator('tr', { hasText: 'paolv' }).textContent();
    expect(row).toContain('Trưởng thôn');
    expect(row).toContain('Thôn Ún Tà');
    await screenshots(page, 'admin-users');
  });

  it('creates a receiver and shows its token once, with a QR code that scans to it', async () => {
    await page.goto(`${server.url}/quan-tri/cum-loa`);
    await page.getByLabel('Tên').fill('Cụm loa chợ Ún Tà');
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();
    await page.waitForSelector('[data-token]');
    const token = (await page.locator('[data-token]').textContent())!.trim();
    expect(token.length).toBeGreaterThanOrEqual(40);
    // The pixels on screen, read by jsQR (jsqr is CommonJS: its function is the `default` Node imports).
    const shot = PNG.sync.read(await page.locator('svg.qr').screenshot());
    const scanned = jsqr.default(new Uint8ClampedArray(shot.data), shot.width, shot.height)?.data ?? '';
    const params = new URLSearchParams(scanned.slice(scanned.indexOf('?') + 1));
    expect(scanned.startsWith('loa-receiver:?')).toBe(true);
    expect(params.get('token')).toBe(token);
    expect(params.get('server')).toBe(server.url);
    // The same line as text, with a button that copies it for `loa receiver --enrol`.
    expect((await page.locator('[data-enrolment]').textContent())!.trim()).toBe(scanned);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.getByRole('button', { name: 'Sao chép mã ghép nối' }).click();
    await poll(() => page.locator('[data-copy-status]').textContent()).toBe('Đã sao chép.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(scanned);
    await screenshots(page, 'admin-receiver-token');
    // The token works for the device, and the list never shows it again.
    const schedule = await h.runtime.app.request('/api/v1/receiver/schedule', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(schedule.status).toBe(200);
    await page.goto(`${server.url}/quan-tri/cum-loa`);
    expect(await page.content()).not.toContain(token);
    expect(await page.locator('tr', { hasText: 'Cụm loa chợ Ún Tà' }).textContent()).toContain(
      'chưa bao giờ',
    );
  });
});
