import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { page, signInPage, type CookieSession } from './support.js';

/**
 * The commune office's monitor on a busy day, over HTTP: today's airings are listed 200 at a time, and
 * "Xem các lượt phát sau" goes on from the last one shown, so the evening's are reachable too.
 */
describe('the monitor on a day of more than 200 airings', () => {
  let h: Harness;
  let officer: CookieSession;

  beforeAll(async () => {
    h = await createHarness();
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  const airingIds = (html: string) => [...html.matchAll(/<li data-occurrence="([^"]+)">/g)].map((m) => m[1]!);

  it('lists every airing of the day over its pages, each once, in order of time', async () => {
    // Every quarter hour from 09:00 to 20:45 in the nine hamlets: 9 × 48 airings today.
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: 'all',
        recurrence: {
          cron: '*/15 9-20 * * *',
          from: '2026-11-27T00:00:00+07:00',
          until: '2026-11-28T00:00:00+07:00',
        },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);

    const seen: string[] = [];
    const times: string[] = [];
    let next: string | undefined = '/giam-sat';
    for (let pages = 0; next; pages++) {
      expect(pages).toBeLessThan(5);
      const html = await (await page(h, next, officer)).text();
      const ids = airingIds(html);
      expect(ids.length).toBeLessThanOrEqual(200);
      seen.push(...ids);
      times.push(...[...html.matchAll(/<strong>(\d\d:\d\d) · /g)].map((m) => m[1]!));
      if (pages > 0) expect(html).toContain('<a href="/giam-sat#airings">← Từ đầu ngày</a>');
      next = /<a href="(\/giam-sat\?sau=[^"#]+)#airings">Xem các lượt phát sau →<\/a>/
        .exec(html)?.[1]
        ?.replaceAll('&amp;', '&');
    }
    expect(seen).toHaveLength(432);
    expect(new Set(seen).size).toBe(432);
    expect(times[0]).toBe('09:00');
    expect(times.at(-1)).toBe('20:45');
    expect([...times].sort()).toEqual(times);
  });
});

/** A broadcast's page as a hamlet head reads it: her hamlets by name, the others counted, never their ids. */
describe('a broadcast of several hamlets on a hamlet head’s page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('names her hamlet and counts the others', async () => {
    const booked = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta', 'thon-2', 'thon-4'],
        at: '2026-11-27T19:00:00+07:00',
      },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const { id } = (await booked.json()) as { id: string };
    const head = await signInPage(h, 'head');
    const html = await (await page(h, `/giam-sat/phat/${id}`, head)).text();
    const hamlets = /<dt>Các thôn<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(html)?.[1];
    expect(hamlets).toBe('Thôn Ún Tà, 2 thôn khác');
    expect(html).not.toContain('thon-2');
  });
});
