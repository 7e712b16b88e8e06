import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { capFeedEntries } from '../../src/domain/cap/feed.js';
import { webhookAddressProblem } from '../../src/domain/webhook.js';
import { createFeedFetcher } from '../../src/events/feed-fetcher.node.js';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const CAP = 'urn:oasis:names:tc:emergency:cap:1.2';

/** A province's alerting server: an Atom feed with one alert inline and one linked, counting requests. */
function alertingServer() {
  const hits = new Map<string, number>();
  const inline = capXml({
    identifier: 'FEED-1',
    headline: 'Mưa lớn diện rộng',
    event: 'Mưa lớn',
    area: geocodeCocSan,
  })
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replaceAll('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">', '<cap:alert>')
    .replace('</alert>', '</cap:alert>')
    .replace(
      /<(\/?)(identifier|sender|sent|status|msgType|scope|info|language|category|event|urgency|severity|certainty|expires|senderName|headline|description|instruction|area|areaDesc|geocode|valueName|value)>/g,
      '<$1cap:$2>',
    );
  const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="${CAP}">
  <title>Cảnh báo thiên tai tỉnh Lào Cai</title>
  <entry><title>Mưa lớn diện rộng</title><id>FEED-1</id>${inline}</entry>
  <entry><title>Lũ quét</title><id>FEED-2</id><link rel="alternate" type="application/cap+xml" href="/alerts/2.xml"/></entry>
</feed>`;
  const linked = capXml({
    identifier: 'FEED-2',
    headline: 'Lũ quét suối Ún Tà (tin từ nguồn)',
    area: geocodeCocSan,
  });
  let body = feed;
  const server: Server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (req.url === '/feed.atom') res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(body);
    else if (req.url === '/alerts/2.xml')
      res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(linked);
    else res.writeHead(404).end();
  });
  return {
    hits,
    start: () =>
      new Promise<string>((done) =>
        server.listen(0, '127.0.0.1', () =>
          done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    serve: (xml: string) => {
      body = xml;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe('CAP feeds polled on the dispatcher tick', () => {
  const server = alertingServer();
  let base = '';
  let h: Harness;
  beforeAll(async () => {
    base = await server.start();
    // The province's own network: a feed on a private address is allowed only by this setting.
    h = await createHarness('sqlite', {
      CAP_FEEDS: `15:${base}/feed.atom`,
      CAP_FEED_ALLOW_PRIVATE: '1',
      CAP_FEED_INTERVAL_S: '60',
    });
  });
  afterAll(async () => {
    await h.close();
    await server.close();
  });

  it('takes the alerts a feed carries inline and links to, once, on its interval', async () => {
    const first = await h.runtime.dispatcher.tick();
    expect(first.alertsPolled).toBe(2);
    const items = async () =>
      (
        (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
          items: { headline: string; state: string }[];
        }
      ).items;
    expect((await items()).map((i) => [i.headline, i.state]).sort()).toEqual([
      ['Lũ quét suối Ún Tà (tin từ nguồn)', 'aired'],
      ['Mưa lớn diện rộng', 'aired'],
    ]);
    // Within the interval: not read again.
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(0);
    expect(server.hits.get('/feed.atom')).toBe(1);
    // After it: the feed is read again, the linked document is not fetched again, nothing new.
    h.clock.advance(61_000);
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(0);
    expect(server.hits.get('/feed.atom')).toBe(2);
    expect(server.hits.get('/alerts/2.xml')).toBe(1);
    expect((await items()).length).toBe(2);
  });

  it('refuses a feed that declares entities, airing nothing', async () => {
    server.serve(
      `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">]><feed xmlns="http://www.w3.org/2005/Atom"><title>&a;</title></feed>`,
    );
    h.clock.advance(61_000);
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(0);
    expect(capFeedEntries('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY y "z">]><x/>', base)).toMatchObject({
      ok: false,
    });
  });

  it('refuses a document it cannot read and still takes the alert after it', async () => {
    const inline = (xml: string) => xml.replace(/^<\?xml[^>]*>\s*/, '');
    server.serve(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cảnh báo thiên tai tỉnh Lào Cai</title>
  <entry><title>Hỏng</title><id>FEED-BAD</id>${inline(capXml({ identifier: 'FEED-BAD', headline: 'Lũ &#x110000;' }))}</entry>
  <entry><title>Rét hại</title><id>FEED-3</id>${inline(capXml({ identifier: 'FEED-3', headline: 'Rét hại ở vùng cao', event: 'Rét hại', area: geocodeCocSan }))}</entry>
</feed>`);
    h.clock.advance(61_000);
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(1);
    const items = (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: { headline: string; state: string }[];
      }
    ).items;
    expect(items.find((i) => i.headline === 'Rét hại ở vùng cao')?.state).toBe('aired');
  });

  it('takes a feed listed newest first in the order the alerts were sent: a cancelled or updated alert is not left on the air', async () => {
    const inline = (xml: string) => xml.replace(/^<\?xml[^>]*>\s*/, '');
    const sent = (minute: number) => `2026-11-27T07:${minute}:00+07:00`;
    const entry = (xml: string) => `<entry><title>CAP</title>${inline(xml)}</entry>`;
    server.serve(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cảnh báo thiên tai tỉnh Lào Cai</title>
  ${entry(capXml({ identifier: 'FEED-11', msgType: 'Cancel', references: `kttv-laocai@nchmf.gov.vn,FEED-10,${sent(52)}`, sent: sent(56) }))}
  ${entry(capXml({ identifier: 'FEED-21', msgType: 'Update', references: `kttv-laocai@nchmf.gov.vn,FEED-20,${sent(50)}`, sent: sent(54), headline: 'Cập nhật: sạt lở lan rộng', event: 'Sạt lở đất', area: geocodeCocSan }))}
  ${entry(capXml({ identifier: 'FEED-10', sent: sent(52), headline: 'Lốc xoáy đã qua', event: 'Lốc', area: geocodeCocSan }))}
  ${entry(capXml({ identifier: 'FEED-20', sent: sent(50), headline: 'Sạt lở đất', event: 'Sạt lở đất', area: geocodeCocSan }))}
</feed>`);
    h.clock.advance(61_000);
    await h.runtime.dispatcher.tick();
    const items = (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: { headline: string; state: string; eventId: string }[];
      }
    ).items;
    const state = (headline: string) => items.find((i) => i.headline === headline)?.state;
    expect(state('Lốc xoáy đã qua')).toBe('cancelled');
    expect(state('Sạt lở đất')).toBe('replaced');
    expect(state('Cập nhật: sạt lở lan rộng')).toBe('aired');
    const active = (
      (await (
        await h.request('/api/v1/disaster/events?status=active', { token: h.tokens.officer })
      ).json()) as {
        items: { name: string; bulletins: { title: string; endedAt: string | null }[] }[];
      }
    ).items;
    const onAir = active.flatMap((e) => e.bulletins.filter((b) => b.endedAt === null).map((b) => b.title));
    expect(onAir).toContain('Cập nhật: sạt lở lan rộng');
    expect(onAir).not.toContain('Sạt lở đất');
    expect(onAir).not.toContain('Lốc xoáy đã qua');
  });
});

describe('one feed polled for two provinces', () => {
  const server = alertingServer();
  let h: Harness;
  beforeAll(async () => {
    const base = await server.start();
    // A national feed the installation polls for each province it serves.
    h = await createHarness('sqlite', {
      CAP_FEEDS: `15:${base}/feed.atom 02:${base}/feed.atom`,
      CAP_FEED_ALLOW_PRIVATE: '1',
    });
    await h.runtime.repos.provinces.upsertProvince(
      { id: 'ha-giang', code: '02', name: 'Tỉnh Hà Giang' },
      h.clock.now().toISOString(),
    );
  });
  afterAll(async () => {
    await h.close();
    await server.close();
  });

  it('takes the linked alert for each province, not only for the first one that fetched it', async () => {
    await h.runtime.dispatcher.tick();
    const key = `kttv-laocai@nchmf.gov.vn,FEED-2,2026-11-27T00:45:00.000Z`;
    const province = await h.runtime.repos.provinces.findProvinceByCode('15');
    expect(await h.runtime.repos.capAlerts.findAlertByKey(province!.id, key)).toBeDefined();
    expect(await h.runtime.repos.capAlerts.findAlertByKey('ha-giang', key)).toBeDefined();
  });
});

/** The system's espeak-ng, which a wrapper first on PATH can make fail as a broken install would. */
const systemEspeak = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'espeak-ng'))
  .find((file) => existsSync(file));
if (!systemEspeak)
  console.log('Skipped: a CAP feed retried after speech failed (needs the system espeak-ng)');

describe.runIf(systemEspeak)('a CAP feed whose alert could not be spoken', () => {
  const server = alertingServer();
  let h: Harness;
  let bin: string;
  beforeAll(async () => {
    const base = await server.start();
    bin = mkdtempSync(join(tmpdir(), 'loa-espeak-'));
    writeFileSync(
      join(bin, 'espeak-ng'),
      `#!/bin/sh\n[ -e "$0.broken" ] && { echo "espeak-ng: cannot open voice data" >&2; exit 1; }\nexec "${systemEspeak}" "$@"\n`,
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path}`;
    try {
      h = await createHarness('sqlite', {
        CAP_FEEDS: `15:${base}/feed.atom`,
        CAP_FEED_ALLOW_PRIVATE: '1',
        CAP_FEED_INTERVAL_S: '60',
      });
    } finally {
      process.env.PATH = path;
    }
  });
  afterAll(async () => {
    await h?.close();
    await server.close();
    rmSync(bin, { recursive: true, force: true });
  });

  it('fetches the linked alert again on the next poll, and airs it then', async () => {
    writeFileSync(join(bin, 'espeak-ng.broken'), '');
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(0);
    const items = async () =>
      (
        (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
          items: { headline: string; state: string }[];
        }
      ).items;
    expect(await items()).toEqual([]);

    rmSync(join(bin, 'espeak-ng.broken'));
    h.clock.advance(61_000);
    expect((await h.runtime.dispatcher.tick()).alertsPolled).toBe(2);
    expect(server.hits.get('/alerts/2.xml')).toBe(2);
    expect((await items()).map((i) => [i.headline, i.state]).sort()).toEqual([
      ['Lũ quét suối Ún Tà (tin từ nguồn)', 'aired'],
      ['Mưa lớn diện rộng', 'aired'],
    ]);
    // Taken now: not fetched again.
    h.clock.advance(61_000);
    await h.runtime.dispatcher.tick();
    expect(server.hits.get('/alerts/2.xml')).toBe(2);
  });
});

describe('CAP feed addresses', () => {
  it('refuses a private or local feed URL in CAP_FEEDS at start, naming it', () => {
    for (const url of [
      'http://10.0.0.5/cap.atom',
      'http://localhost:8080/feed',
      'http://192.168.1.10/feed',
      'ftp://kttv.example.vn/feed',
    ]) {
      expect(() => loadConfig({ CAP_FEEDS: `15:${url}` })).toThrow(ConfigError);
      expect(() => loadConfig({ CAP_FEEDS: `15:${url}` })).toThrow(/CAP_FEEDS/);
    }
    expect(() => loadConfig({ CAP_FEEDS: 'https://kttv.example.vn/feed' })).toThrow(/PROVINCECODE:URL/);
    expect(
      loadConfig({ CAP_FEEDS: '15:https://kttv.example.vn/cap.atom, 15:https://nchmf.example.vn/rss' })
        .capFeeds,
    ).toEqual([
      { provinceCode: '15', url: 'https://kttv.example.vn/cap.atom' },
      { provinceCode: '15', url: 'https://nchmf.example.vn/rss' },
    ]);
  });

  it('refuses a public name that resolves to a private address, before connecting', async () => {
    const server = alertingServer();
    const base = await server.start();
    const port = new URL(base).port;
    const fetcher = createFeedFetcher({ allowPrivate: false, resolveHost: async () => ['127.0.0.1'] });
    const answer = await fetcher.get(`http://cap.example.vn:${port}/feed.atom`, 1024 * 1024);
    expect(answer).toMatchObject({ error: expect.stringMatching(/refused/) });
    expect(server.hits.size).toBe(0);
    // Allowed on the province's own network, the same request reads the feed.
    const own = createFeedFetcher({ allowPrivate: true, resolveHost: async () => ['127.0.0.1'] });
    expect(await own.get(`http://cap.example.vn:${port}/feed.atom`, 1024 * 1024)).toMatchObject({
      body: expect.stringContaining('<feed'),
    });
    // A body past the limit is an error, never a cut document.
    expect(await own.get(`http://cap.example.vn:${port}/feed.atom`, 100)).toMatchObject({
      error: expect.stringMatching(/larger than/),
    });
    await server.close();
  });
});

describe('CAP feeds over plain http', () => {
  it('reads a public feed over http, where a webhook to the same address is refused', async () => {
    // A feed is only read and nothing secret goes with the request, so the start-up check takes http too.
    expect(loadConfig({ CAP_FEEDS: '15:http://kttv.example.vn/cap.atom' }).capFeeds).toHaveLength(1);
    const fetcher = createFeedFetcher({
      allowPrivate: false,
      resolveHost: async () => ['14.225.0.10'],
      timeoutMs: 500,
    });
    const answer = await fetcher.get('http://kttv.example.vn/cap.atom', 1024 * 1024);
    // No public network here: the request is tried and fails on the way, not refused before it.
    expect(answer).toMatchObject({ error: expect.any(String) });
    expect((answer as { error: string }).error).not.toMatch(/refused/);
    expect(
      webhookAddressProblem('http://kttv.example.vn/hook', ['14.225.0.10'], { allowPrivate: false })?.en,
    ).toMatch(/plain http/);
  });
});
