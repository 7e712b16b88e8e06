import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userPassword, type Harness } from '../support/harness.js';
import { createDevice, scheduleBroadcast } from '../support/receiver-fixtures.js';
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
 * Approval and feedback in a real Chromium: the office judges a typed announcement in its queue (text,
 * voice, languages, author, date) and approves it from its page; the secretary who wrote it sees where
 * and when it airs and whether it played, and withdraws it; the text box counts characters, a text past
 * the limit is refused and kept, and a language without a voice of its own is flagged before sending.
 */
describe.skipIf(!hasTool('chromium'))('approval and feedback in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let id = '';
  const title = 'Họp dân về làm đường liên thôn';
  const textVi =
    'Mời bà con thôn Ún Tà họp lúc 19 giờ ngày 28/11/2026 tại nhà văn hóa để bàn việc làm đường.';
  const textGiay = 'Mời bà con họp lúc 19 giờ tại nhà văn hóa.';

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
    // The author: a secretary of Ún Tà with a real name, as the office reads it.
    const made = await h.request('/api/v1/users', {
      method: 'POST',
      token: h.tokens.admin,
      json: {
        username: 'hoa',
        password: userPassword,
        role: 'secretary',
        hamletIds: ['un-ta'],
        displayName: 'Lò Thị Hoa',
      },
    });
    expect(made.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  async function open(javaScriptEnabled = true) {
    await context?.close();
    context = javaScriptEnabled
      ? await phoneContext(browser)
      : await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    page = await context.newPage();
  }

  async function asHoa(javaScriptEnabled = true) {
    await open(javaScriptEnabled);
    await page.goto(`${server.url}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill('hoa');
    await page.getByLabel('Mật khẩu').fill(userPassword);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
      page.getByRole('button', { name: 'Đăng nhập' }).click(),
    ]);
  }

  it('the office reads the typed text, voice, languages, author and date in its queue and approves from the page', async () => {
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'hoa', password: userPassword },
    });
    const token = ((await login.json()) as { token: string }).token;
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token,
      json: { title, language: 'vi', text: textVi, voice: 'vi-vn-x-south' },
    });
    id = ((await created.json()) as { id: string }).id;
    await h.request(`/api/v1/announcements/${id}/variants`, {
      method: 'POST',
      token,
      json: { language: 'giay', text: textGiay },
    });
    await h.runtime.jobs.drain();

    await open();
    await signIn(page, server.url, 'officer');
    const item = page.locator(`#a-${id}`);
    await poll(() => item.locator('[data-sent]').textContent()).toBe(
      'Thôn Ún Tà · Người gửi: Lò Thị Hoa · 08:00 ngày 27/11/2026',
    );
    const vi = item.locator('[data-language="vi"]');
    const giay = item.locator('[data-language="giay"]');
    expect(await vi.getByRole('heading').textContent()).toBe('Bản Tiếng Việt ');
    expect(await vi.locator('[data-typed-text]').textContent()).toBe(textVi);
    expect(await vi.textContent()).toContain('Văn bản đã gõ · Giọng đọc: Giọng miền Nam');
    expect(await giay.locator('[data-typed-text]').textContent()).toBe(textGiay);
    // Each player names its language and says how long it lasts before anyone presses play.
    for (const [part, language] of [
      [vi, 'Tiếng Việt'],
      [giay, 'Tiếng Giáy'],
    ] as const) {
      expect(await part.getByLabel(`Nghe: ${title} (${language})`).getAttribute('preload')).toBe('none');
      expect(await part.locator('[data-duration]').textContent()).toMatch(/^\d+ giây$/);
    }
    expect(await giay.locator('[data-voice-note]').textContent()).toMatch(
      /^Bản này là văn bản do máy đọc bằng giọng tiếng Việt \(Tiếng Giáy không có giọng máy đọc riêng\)/,
    );
    expect(await vi.locator('[data-voice-note]').count()).toBe(0);
    await screenshots(page, 'office-queue-typed');

    await item.getByRole('link', { name: title }).click();
    await page.waitForURL(`${server.url}/thong-bao/${id}`);
    expect(await page.locator('.facts').first().textContent()).toContain('Người gửiLò Thị Hoa');
    // The loudness figures stay folded until asked for.
    const loudness = page.locator('[data-language="vi"] [data-loudness]');
    expect(await loudness.isVisible()).toBe(false);
    await page.locator('[data-language="vi"]').getByText('Chi tiết kỹ thuật').click();
    expect(await loudness.textContent()).toMatch(/→ sau −1[56],\d LUFS$/);
    expect(await page.locator('[data-language="giay"] [data-voice-note]').isVisible()).toBe(true);
    await screenshots(page, 'office-detail-pending');

    await page
      .locator('#decision')
      .getByRole('button', { name: `Duyệt: ${title}` })
      .click();
    await poll(() => page.locator('.notice').textContent()).toBe('Đã duyệt thông báo.');
    expect(new URL(page.url()).pathname).toBe(`/thong-bao/${id}`);
    expect(await page.locator('.facts .badge', { hasText: 'Đã duyệt' }).count()).toBe(1);
    expect(
      await page
        .locator('#decision')
        .getByRole('button', { name: `Duyệt: ${title}` })
        .count(),
    ).toBe(0);
    await page.goto(`${server.url}/giam-sat`);
    expect(await page.locator(`#a-${id}`).count()).toBe(0);
  });

  it('the secretary sees where and when it airs and whether it played, then withdraws it', async () => {
    const box = await createDevice(h, 'un-ta');
    const book = (when: Record<string, unknown>) =>
      scheduleBroadcast(h, { announcementId: id, hamletIds: ['un-ta'], ...when }, h.tokens.head);
    await book({ at: '2026-11-27T08:30:00+07:00' });
    const played = (await book({ at: '2026-11-27T09:00:00+07:00' })).occurrences[0]!;
    await book({ slot: { name: 'morning', date: '2026-11-28' } });
    await book({ at: '2026-11-29T10:00:00+07:00' });
    // 09:01: the box played the 09:00 airing; nobody reported the 08:30 one.
    h.clock.set('2026-11-27T02:01:00.000Z');
    const logs = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: {
        events: [
          { id: 'p-1', occurrenceId: played.id, type: 'started', at: played.at },
          { id: 'p-2', occurrenceId: played.id, type: 'completed', at: '2026-11-27T02:00:30.000Z' },
        ],
      },
    });
    expect(logs.status).toBe(200);
    expect(await h.runtime.services.broadcasts.markMissed(10 * 60_000)).toBe(1);

    await asHoa();
    await page.getByRole('link', { name: 'Thông báo của tôi' }).click();
    await page.getByRole('link', { name: title }).click();
    const rows = page.locator('[data-airings] tbody tr');
    await poll(() => rows.count()).toBe(4);
    const seen = async () =>
      (await rows.evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.children].map((cell) => (cell.textContent ?? '').replace(/^[✓…✕•–] /, '').trim()),
        ),
      )) as string[][];
    expect(await seen()).toEqual([
      ['Thôn Ún Tà', '08:30 ngày 27/11/2026', 'Bị lỡ'],
      ['Thôn Ún Tà', '09:00 ngày 27/11/2026', 'Đã phát'],
      ['Thôn Ún Tà', '05:30 ngày 28/11/2026 (Buổi sáng)', 'Đã lên lịch'],
      ['Thôn Ún Tà', '10:00 ngày 29/11/2026', 'Đã lên lịch'],
    ]);
    await screenshots(page, 'secretary-airings');

    await page.getByRole('link', { name: 'Rút lại thông báo' }).click();
    await poll(() => page.locator('h1').textContent()).toBe(`Rút lại: ${title}`);
    expect(await page.locator('[data-coming-count]').textContent()).toBe(
      '2 lượt phát chưa đến giờ sẽ bị hủy:',
    );
    expect(await page.locator('[data-coming] li').allTextContents()).toEqual([
      'Thôn Ún Tà · 05:30 ngày 28/11/2026',
      'Thôn Ún Tà · 10:00 ngày 29/11/2026',
    ]);
    await screenshots(page, 'secretary-withdraw-confirm');

    await page.getByRole('button', { name: 'Xác nhận rút lại' }).click();
    await page.waitForURL((u) => u.pathname === `/thong-bao/${id}`);
    expect(await page.locator('.notice').textContent()).toBe(
      'Đã rút lại thông báo. Đã hủy 2 lượt phát chưa đến giờ.',
    );
    expect((await seen()).map((r) => r[2])).toEqual(['Bị lỡ', 'Đã phát', 'Đã hủy', 'Đã hủy']);
    expect(
      await page.locator('.warning', { hasText: 'đã được rút lại lúc 09:01 ngày 27/11/2026' }).count(),
    ).toBe(1);
    expect(await page.getByRole('link', { name: 'Rút lại thông báo' }).count()).toBe(0);
    await screenshots(page, 'secretary-withdrawn');
  });

  /** 5,001 characters of a real notice, as pasted from a document; nothing at its ends to trim. */
  const notice = [...'Thông báo về lịch tiêm phòng cho đàn gia súc, gia cầm vụ đông năm 2026. '.repeat(80)]
    .slice(0, 5000)
    .join('')
    .trimEnd();
  const tooLong = notice + '.'.repeat(5001 - [...notice].length);

  it('counts the characters of a text as they are typed and keeps a text refused past 5,000', async () => {
    await asHoa();
    await page.getByRole('radio', { name: 'Gõ văn bản (máy đọc)' }).check();
    const box = page.getByLabel('Nội dung văn bản');
    const counter = page.locator('#text-hint');
    expect(await counter.textContent()).toBe('0 / 5000 ký tự');
    await box.fill('Xin chào bà con');
    await poll(() => counter.textContent()).toBe('15 / 5000 ký tự');
    expect(await box.getAttribute('maxlength')).toBeNull();

    await page.getByLabel('Tiêu đề').fill('Lịch tiêm phòng');
    await box.fill(tooLong);
    await poll(() => counter.textContent()).toBe('5001 / 5000 ký tự');
    expect(await counter.getAttribute('class')).toBe('hint over');
    // What a screen reader says once the limit is passed.
    expect(await page.locator('[data-count-over]').textContent()).toBe(
      'Vượt 1 ký tự: hãy rút gọn hoặc chia thành nhiều thông báo.',
    );
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Gửi', exact: true }).click(),
    ]);
    expect(res.status()).toBe(400);
    await poll(() => page.locator('#text-error').textContent()).toBe(
      'Văn bản dài 5001 ký tự, vượt giới hạn 5000 ký tự. Hãy rút gọn hoặc chia thành nhiều thông báo.',
    );
    expect(await box.inputValue()).toBe(tooLong);
    expect(new URL(page.url()).pathname).toBe('/thong-bao/gui');
    expect(await page.evaluate<boolean>("document.activeElement.hasAttribute('data-form-error')")).toBe(true);
    await screenshots(page, 'secretary-text-too-long');
  });

  it('refuses and keeps the long text without JavaScript too', async () => {
    await asHoa(false);
    await page.getByRole('radio', { name: 'Gõ văn bản (máy đọc)' }).check();
    await page.getByLabel('Tiêu đề').fill('Lịch tiêm phòng');
    await page.getByLabel('Nội dung văn bản').fill(tooLong);
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForLoadState();
    expect(await page.locator('#text-error').textContent()).toBe(
      'Văn bản dài 5001 ký tự, vượt giới hạn 5000 ký tự. Hãy rút gọn hoặc chia thành nhiều thông báo.',
    );
    expect(await page.getByLabel('Nội dung văn bản').inputValue()).toBe(tooLong);
    expect(await page.locator('#text-hint').textContent()).toBe('5001 / 5000 ký tự');
  });

  it('says before sending that a Giáy text will be read by a Vietnamese voice', async () => {
    await asHoa();
    await page.getByRole('radio', { name: 'Gõ văn bản (máy đọc)' }).check();
    const note = page.locator('[data-voice-note]');
    expect(await note.isVisible()).toBe(false);
    await page.getByLabel('Ngôn ngữ').selectOption({ label: 'Tiếng Giáy' });
    await poll(() => note.isVisible()).toBe(true);
    expect(await note.textContent()).toBe(
      'Tiếng Giáy không có giọng máy đọc riêng: văn bản sẽ được đọc bằng giọng tiếng Việt, người nghe có thể khó hiểu. Nên ghi âm giọng người đọc thay vì gõ văn bản.',
    );
    await page.getByLabel('Nội dung văn bản').fill(textGiay);
    await screenshots(page, 'secretary-giay-note');
    await page.getByLabel('Ngôn ngữ').selectOption({ label: 'Tiếng Việt' });
    await poll(() => note.isVisible()).toBe(false);
  });
});
