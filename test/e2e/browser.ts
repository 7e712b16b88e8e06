import { serve, type ServerType } from '@hono/node-server';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Harness } from '../support/harness.js';
import { passwordOf } from './support.js';
import { chromiumPath } from '../support/tools.js';
import type { FixtureUser } from '../support/harness.js';

export const screenshotDir = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** `expect.poll` with room for a loaded CI machine (its default gives up after one second). */
export const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** Debian's Chromium, headless, with nothing that would reach the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath() ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** The harness's app on a real HTTP server on an ephemeral port of the loopback address. */
export function serveHarness(h: Harness): Promise<Served> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: h.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A phone-sized browser window (360×640, as a cheap Android phone). */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 640 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
}

/** Signs in through the sign-in page and waits for the role's page. */
export async function signIn(page: Page, base: string, user: FixtureUser): Promise<void> {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(passwordOf(user));
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
}

/**
 * Saves the page at 360×640 and 1280×800 (full page) for a reviewer, and checks on the way that neither
 * width scrolls sideways.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  for (const [width, height] of [
    [360, 640],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width, height });
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    await page.screenshot({ path: `${screenshotDir}${name}-${width}x${height}.png`, fullPage: true });
    expect(overflow, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 360, height: 640 });
}

/** A file the page sent with XMLHttpRequest: where, its name, size and first four bytes (as text). */
export interface SentFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly head: string;
}

/**
 * Notes the files the page's script sends (the request body of a multipart upload is not visible to
 * Playwright), kept in the session's storage across the page's move to the announcement.
 */
export async function recordUploads(page: Page): Promise<() => Promise<SentFile[]>> {
  await page.addInitScript(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
    const scope = globalThis as any;
    const proto = scope.XMLHttpRequest.prototype;
    const open = proto.open;
    const send = proto.send;
    proto.open = function (method: string, url: string, ...rest: unknown[]) {
      this.loaPath = new URL(url, scope.location.href).pathname;
      return open.call(this, method, url, ...rest);
    };
    proto.send = function (body: unknown) {
      if (body instanceof scope.FormData) {
        const file = (body as { get(n: string): unknown }).get('file') as {
          name: string;
          size: number;
          slice(a: number, b: number): { text(): Promise<string> };
        } | null;
        if (file) {
          const list = JSON.parse(scope.sessionStorage.getItem('loaSent') ?? '[]');
          const at = list.length;
          list.push({ path: this.loaPath, name: file.name, size: file.size, head: '' });
          scope.sessionStorage.setItem('loaSent', JSON.stringify(list));
          void file
            .slice(0, 4)
            .text()
            .then((head) => {
              const now = JSON.parse(scope.sessionStorage.getItem('loaSent'));
              now[at].head = head;
              scope.sessionStorage.setItem('loaSent', JSON.stringify(now));
            });
        }
      }
      return send.call(this, body);
    };
  });
  return () =>
    page.evaluate(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's DOM, typed nowhere here
      () => JSON.parse((globalThis as any).sessionStorage.getItem('loaSent') ?? '[]') as SentFile[],
    );
}
