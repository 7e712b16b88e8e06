import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { launchChromium, phoneContext, poll, serveHarness, signIn, type Served } from './browser.js';
import { hasTool } from '../support/tools.js';

// Checked in the page itself (the tests are typed without the DOM library, so the code is a string).
const problemsInPage = `(() => {
  const out = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, audio')) {
    if (!visible(el)) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim());
    if (!named) out.push('no label: ' + el.outerHTML.slice(0, 80));
    const box = el.getBoundingClientRect();
    const target = el.type === 'radio' || el.type === 'checkbox' ? el.closest('label').getBoundingClientRect() : box;
    if (el.tagName !== 'AUDIO' && target.height < 44) out.push('under 44 px: ' + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('nav a, a.button, summary')) {
    if (visible(el) && el.getBoundingClientRect().height < 44) out.push('link under 44 px: ' + el.outerHTML.slice(0, 80));
  }
  return out;
})()`;

describe.skipIf(!hasTool('chromium'))('quality bar in a browser', () => {
  let h: Harness;
  let server: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    h = await createHarness();
    server = await serveHarness(h);
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, server.url, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it.each([
    '/thong-bao/gui',
    '/thong-bao',
    '/lich-phat/un-ta',
    '/giam-sat',
    '/giam-sat/khan-cap',
    '/giam-sat/bao-cao',
    '/giam-sat/cum-loa/rx-un-ta-1',
    '/quan-tri',
    '/quan-tri/thon',
    '/quan-tri/nguoi-dung',
    '/quan-tri/cum-loa',
    '/quan-tri/thon/un-ta',
    '/quan-tri/thon/un-ta/xoa',
    '/quan-tri/cum-loa/rx-un-ta-1',
  ])('%s: every control has a label and a 44 px touch target', async (path) => {
    const res = await page.goto(`${server.url}${path}`);
    expect(res!.status()).toBe(200);
    expect(await page.evaluate<string[]>(problemsInPage)).toEqual([]);
  });

  it("an announcement's page and its withdrawal step: every control labelled, 44 px targets", async () => {
    const created = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.admin,
      json: { title: 'Họp thôn', language: 'giay', text: 'Mời bà con đi họp.', hamletId: 'un-ta' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    await h.request(`/api/v1/announcements/${id}/approve`, { method: 'POST', token: h.tokens.admin });
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.admin,
      json: { announcementId: id, hamletIds: ['un-ta'], at: '2026-11-27T10:00:00+07:00' },
    });
    expect(booked.status).toBe(201);
    for (const path of [`/thong-bao/${id}`, `/thong-bao/${id}/rut-lai`]) {
      const res = await page.goto(`${server.url}${path}`);
      expect(res!.status()).toBe(200);
      expect(await page.evaluate<string[]>(problemsInPage), path).toEqual([]);
    }
  });

  it('the check above does catch an unlabelled, small control', async () => {
    await page.goto(`${server.url}/quan-tri`);
    await page.evaluate(
      `document.querySelector('main').insertAdjacentHTML('beforeend', '<input style="height:20px">')`,
    );
    const problems = await page.evaluate<string[]>(problemsInPage);
    expect(problems.some((p) => p.startsWith('no label: <input'))).toBe(true);
    expect(problems.some((p) => p.startsWith('under 44 px: <input'))).toBe(true);
  });

  it('is keyboard operable: the first Tab reaches the skip link, with a visible focus ring', async () => {
    await page.goto(`${server.url}/thong-bao/gui`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ text: string; outline: string }>(
      `({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle })`,
    );
    expect(focused).toEqual({ text: 'Bỏ qua, đến nội dung chính', outline: 'solid' });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('title');
  });

  it('switches to English and back with the language link', async () => {
    await page.goto(`${server.url}/thong-bao/gui`);
    await page.getByRole('link', { name: 'English' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Send an announcement');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Gửi thông báo');
  });
});
