import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createDevice,
  createReadyAnnouncement,
  scheduleBroadcast,
  type FixtureAnnouncement,
} from '../support/receiver-fixtures.js';
import { launchChromium, phoneContext, screenshots, serveHarness, type Served } from './browser.js';
import { page, signInPage } from './support.js';

interface FeedItem {
  title: string;
  description: string;
  link: string;
  guid: { '#text': string; '@_isPermaLink': string };
  pubDate: string;
  category: string;
  enclosure: { '@_url': string; '@_length': string; '@_type': string };
}

/**
 * Listen again (nghe lại) for anyone: the public page and podcast feed of Cốc San (code 02746) and of
 * Ún Tà, from what the boxes reported playing; plain HTTP for content, real Chromium at 360 px.
 */
describe('listen again', () => {
  let h: Harness;
  let served: Served;
  let browser: Browser;
  let unTa: { id: string; token: string };
  const ann: Record<string, FixtureAnnouncement> = {};
  let n = 0;

  /** The box of Ún Tà reports playing (started and completed) each part of an occurrence. */
  const played = async (occurrenceId: string, parts: readonly { sha256: string }[]) => {
    const at = h.clock.now().toISOString();
    const events = parts.flatMap((p) => [
      { id: `ev-${++n}`, occurrenceId, type: 'started', at, sha256: p.sha256 },
      { id: `ev-${++n}`, occurrenceId, type: 'completed', at },
    ]);
    const res = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: unTa.token,
      json: { events },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const get = (path: string) => h.runtime.app.request(path, { headers: { accept: 'text/html' } });
  const feedOf = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      isArray: (name) => name === 'item',
    }).parse(xml) as {
      rss: {
        '@_version': string;
        channel: { title: string; link: string; language: string; item?: FeedItem[] };
      };
    };
    return parsed.rss;
  };
  const setListenAgain = (listenAgain: unknown) =>
    h.request('/api/v1/commune', { method: 'PATCH', token: h.tokens.admin, json: { listenAgain } });

  beforeAll(async () => {
    h = await createHarness();
    unTa = await createDevice(h, 'un-ta', 'Loa nhà văn hóa');
    ann.vaccine = await createReadyAnnouncement(
      h,
      'Tiêm phòng cho trâu bò',
      [
        { language: 'vi', seconds: 1 },
        { language: 'giay', seconds: 1 },
      ],
      { category: 'y-te' },
    );
    ann.unaired = await createReadyAnnouncement(h, 'Họp dân chưa phát', [{ language: 'vi', seconds: 1 }]);
    ann.rejected = await createReadyAnnouncement(h, 'Tin bị từ chối sau khi phát', [
      { language: 'vi', seconds: 1 },
    ]);
    ann.flood = await createReadyAnnouncement(h, 'Cảnh báo lũ quét', [{ language: 'vi', seconds: 1 }]);

    // 08:10 in Vietnam: a flood warning, then the day's ordinary items.
    h.clock.set('2026-11-27T01:10:00.000Z');
    const flood = await scheduleBroadcast(h, {
      announcementId: ann.flood.id,
      hamletIds: ['un-ta'],
      at: h.clock.now().toISOString(),
      priority: 'emergency',
      repeat: { count: 1, intervalMin: 10 },
    });
    await played(flood.occurrences[0]!.id, ann.flood.variants);
    const vaccine = await scheduleBroadcast(h, {
      announcementId: ann.vaccine.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-11-27T09:00:00+07:00',
    });
    await scheduleBroadcast(h, {
      announcementId: ann.unaired.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:30:00+07:00',
    });
    const rejected = await scheduleBroadcast(h, {
      announcementId: ann.rejected.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T10:00:00+07:00',
    });
    h.clock.set('2026-11-27T02:00:05.000Z');
    await played(vaccine.occurrences.find((o) => o.hamletId === 'un-ta')!.id, ann.vaccine.variants);
    h.clock.set('2026-11-27T03:00:05.000Z');
    await played(rejected.occurrences[0]!.id, ann.rejected.variants);
    const res = await h.request(`/api/v1/announcements/${ann.rejected.id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Nội dung chưa chính xác' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    h.clock.set('2026-11-27T04:00:00.000Z');
    served = await serveHarness(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await h.close();
  });

  it('lists what aired in the commune, active emergencies first, with a player per language, and nothing unaired or unapproved', async () => {
    const res = await get('/nghe-lai/02746');
    expect(res.status).toBe(200);
    const html = await res.text();
    const titles = [...html.matchAll(/<span class="entry-name">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(titles).toEqual(['Cảnh báo lũ quét', 'Tiêm phòng cho trâu bò']);
    expect(html).not.toContain('Họp dân chưa phát');
    expect(html).not.toContain('Tin bị từ chối');
    for (const v of [...ann.vaccine!.variants, ...ann.flood!.variants])
      expect(html).toContain(`/media/${v.sha256}.mp3`);
    expect(html).toContain('Khẩn cấp');
    expect(html).toContain('Phát lúc 09:00 ngày 27/11/2026 · Y tế');
    expect(html).toContain('<span>Tiếng Giáy</span>');
    // What Zalo and Facebook read when the link is shared.
    expect(html).toContain('<meta property="og:title" content="Nghe lại — Xã Cốc San"');
    expect(html).toContain('<meta property="og:url" content="http://localhost/nghe-lai/02746"');
    expect(html).toMatch(/<meta property="og:description" content="[^"]+"/);
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    // The media it points to is served to anyone.
    const audio = await h.runtime.app.request(`/media/${ann.vaccine!.variants[1]!.sha256}.mp3`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
  });

  it('lists a hamlet’s own airings only', async () => {
    const unTaPage = await (await get('/nghe-lai/02746/un-ta')).text();
    expect(unTaPage).toContain('Nghe lại — Thôn Ún Tà, Xã Cốc San');
    expect(unTaPage).toContain('Tiêm phòng cho trâu bò');
    // Thôn 2 was scheduled the same item, but no box there reported playing it.
    const thon2 = await (await get('/nghe-lai/02746/thon-2')).text();
    expect(thon2).not.toContain('Tiêm phòng cho trâu bò');
    expect(thon2).toContain('Chưa có thông báo nào được phát trong 30 ngày qua.');
  });

  it('serves a valid RSS 2.0 podcast feed with an enclosure per language version', async () => {
    const rss = await feedOf('/nghe-lai/02746/un-ta/rss.xml');
    expect(rss['@_version']).toBe('2.0');
    expect(rss.channel).toMatchObject({
      title: 'Nghe lại — Thôn Ún Tà, Xã Cốc San',
      link: 'http://localhost/nghe-lai/02746/un-ta',
      language: 'vi',
    });
    const items = rss.channel.item!;
    expect(items.map((i) => i.title)).toEqual([
      'Cảnh báo lũ quét',
      'Tiêm phòng cho trâu bò (Tiếng Việt)',
      'Tiêm phòng cho trâu bò (Tiếng Giáy)',
    ]);
    const giay = ann.vaccine!.variants[1]!;
    expect(items[2]!.enclosure).toEqual({
      '@_url': `http://localhost/media/${giay.sha256}.mp3`,
      '@_length': String(giay.bytes),
      '@_type': 'audio/mpeg',
    });
    expect(items[2]!.pubDate).toBe('Fri, 27 Nov 2026 02:00:00 GMT');
    expect(items[2]!.category).toBe('Y tế');
    expect(items[2]!.description).toBe('Phát lúc 09:00 ngày 27/11/2026 · Y tế');
    expect(new Set(items.map((i) => i.guid['#text'])).size).toBe(3);
    expect(JSON.stringify(items)).not.toContain('chưa phát');
  });

  it('puts an emergency back in date order once it is no longer active', async () => {
    h.clock.set('2026-11-28T04:00:00.000Z');
    const rss = await feedOf('/nghe-lai/02746/rss.xml');
    expect(rss.channel.item!.map((i) => i.title)[0]).toBe('Tiêm phòng cho trâu bò (Tiếng Việt)');
    h.clock.set('2026-11-27T04:00:00.000Z');
  });

  it('answers 404 for an unknown commune or hamlet, another commune’s hamlet, and a commune that turned it off', async () => {
    for (const path of [
      '/nghe-lai/99999',
      '/nghe-lai/abc',
      '/nghe-lai/02746/khong-co',
      '/nghe-lai/99999/rss.xml',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
    expect((await setListenAgain({ enabled: true, categories: ['khan-cap'] })).status).toBe(200);
    expect(await (await get('/nghe-lai/02746')).text()).toContain('Chưa có thông báo nào');
    expect((await setListenAgain({ enabled: false, categories: null })).status).toBe(200);
    for (const path of ['/nghe-lai/02746', '/nghe-lai/02746/un-ta', '/nghe-lai/02746/rss.xml']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).not.toContain('Tiêm phòng');
    }
    expect((await setListenAgain({ enabled: true, categories: null })).status).toBe(200);
    expect((await get('/nghe-lai/02746')).status).toBe(200);
  });

  it('is turned off and limited by the admin on the settings page, and links to it', async () => {
    const admin = await signInPage(h, 'admin');
    expect(await (await page(h, '/quan-tri', admin)).text()).toContain('href="/nghe-lai/02746"');
    const { settings } = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as {
      settings: {
        quietHours: { start: string; end: string };
        audio: { integratedLufs: number; truePeakDbtp: number; maxLraLu: number };
        emergency: { repeatCount: number; repeatIntervalMin: number };
        slots: { name: string; label: string; start: string; end: string; maxAirTimeMin: number }[];
      };
    };
    const form = (listenAgain: string, categories: string) => ({
      quietStart: settings.quietHours.start,
      quietEnd: settings.quietHours.end,
      approvalRequired: 'yes',
      integratedLufs: String(settings.audio.integratedLufs),
      truePeakDbtp: String(settings.audio.truePeakDbtp),
      maxLraLu: String(settings.audio.maxLraLu),
      opus: 'no',
      repeatCount: String(settings.emergency.repeatCount),
      repeatIntervalMin: String(settings.emergency.repeatIntervalMin),
      ...Object.fromEntries(
        settings.slots.flatMap((slot) => [
          [`slot-${slot.name}-label`, slot.label],
          [`slot-${slot.name}-start`, slot.start],
          [`slot-${slot.name}-end`, slot.end],
          [`slot-${slot.name}-maxAirTimeMin`, String(slot.maxAirTimeMin)],
        ]),
      ),
      listenAgain,
      listenAgainCategories: categories,
    });
    const save = async (listenAgain: string, categories: string) => {
      const res = await page(h, '/quan-tri', admin, form(listenAgain, categories));
      expect(res.status, (await res.clone().text()).slice(0, 300)).toBe(303);
    };
    await save('yes', 'khan-cap');
    expect(await (await get('/nghe-lai/02746')).text()).not.toContain('Tiêm phòng cho trâu bò');
    // The category as the page names it, which the form then shows the same way.
    await save('yes', 'Thông báo chung, y tế');
    expect(await (await get('/nghe-lai/02746')).text()).toContain('Tiêm phòng cho trâu bò');
    expect(await (await page(h, '/quan-tri', admin)).text()).toMatch(
      /name="listenAgainCategories"[^>]*value="Thông báo chung, Y tế"|value="Thông báo chung, Y tế"[^>]*name="listenAgainCategories"/,
    );
    await save('no', '');
    expect((await get('/nghe-lai/02746')).status).toBe(404);
    await save('yes', '');
    expect(await (await get('/nghe-lai/02746')).text()).toContain('Tiêm phòng cho trâu bò');
  });

  it('works on a 360 px phone in Chromium: no sideways scroll, players visible', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${served.url}/nghe-lai/02746`);
    await expect.poll(() => page.locator('audio').count()).toBe(3);
    const first = page.locator('audio').first();
    expect(await first.isVisible()).toBe(true);
    const box = (await first.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    // On the first screen of the phone, not below the list of hamlets.
    expect(box.y + box.height).toBeLessThanOrEqual(640);
    expect(await page.title()).toBe('Nghe lại — Xã Cốc San · Loa');
    await screenshots(page, 'listen-again');
    await context.close();
  });
});
