import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { page, signInPage } from './support.js';

describe('the tab icon and names instead of ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('serves a small SVG icon from this origin, linked from every page and at /favicon.ico', async () => {
    const html = await (await page(h, '/dang-nhap')).text();
    const href = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml"\/?>/.exec(html)?.[1];
    expect(href).toMatch(/^\/tai-nguyen\/favicon\.svg\?v=\w+$/);
    for (const path of [href!, '/favicon.ico']) {
      const res = await h.runtime.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      const body = await res.text();
      expect(body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(body.length).toBeLessThan(1024);
    }
  });

  it("names the hamlet, not its id, when a hamlet head opens another hamlet's schedule", async () => {
    const head = await signInPage(h, 'head');
    const res = await page(h, '/lich-phat/thon-3', head);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('thôn ngoài phạm vi phụ trách của bạn: Thôn số 3 (dữ liệu mẫu).');
    const api = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['thon-3'],
        at: '2026-12-01T08:00:00+07:00',
      },
    });
    expect(api.status).toBe(403);
    expect(((await api.json()) as { detailVi: string }).detailVi).toContain('Thôn số 3 (dữ liệu mẫu)');
  });
});
