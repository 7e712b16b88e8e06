import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { createFetchFeedFetcher } from '../../src/edge/feed-fetcher.js';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
import { createHarness, provinceAdminPassword, type Harness } from './support/harness.js';
import { speakAll } from './support/processing-node.js';

const PROCESSING_TOKEN = 'processing-token-for-tests';
const FEED = 'https://kttv.example.vn/cap.atom';

/** Public names of the fake alerting authority, and one that resolves inside a network. */
const resolveHost = async (host: string): Promise<readonly string[]> =>
  host === 'noi-bo.example.vn' ? ['10.20.0.5'] : ['14.225.0.10'];

/**
 * The province's alerting server, a third party: faked as the `fetch` the Worker's feed fetcher calls,
 * serving an Atom feed that links to one CAP document, and counting what was asked of it.
 */
function alertingServer() {
  const asked: string[] = [];
  const alert = capXml({
    identifier: 'EDGE-FEED-1',
    headline: 'Lũ quét suối Ún Tà',
    event: 'Lũ quét',
    area: geocodeCocSan,
  });
  const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cảnh báo thiên tai tỉnh Lào Cai</title>
  <entry><title>Lũ quét</title><id>EDGE-FEED-1</id>
    <link rel="alternate" type="application/cap+xml" href="https://kttv.example.vn/alerts/1.xml"/></entry>
</feed>`;
  const fetch = (async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    if (url === FEED) return new Response(feed, { headers: { 'content-type': 'application/atom+xml' } });
    if (url === 'https://kttv.example.vn/alerts/1.xml')
      return new Response(alert, { headers: { 'content-type': 'application/cap+xml' } });
    return new Response('not here', { status: 404 });
  }) as typeof globalThis.fetch;
  return { asked, fetch };
}

describe('CAP feeds polled by the Cron Trigger on the edge', () => {
  const server = alertingServer();
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness(
      'd1',
      { LOA_PROCESSING_TOKEN: PROCESSING_TOKEN, CAP_FEEDS: `15:${FEED}`, CAP_FEED_INTERVAL_S: '60' },
      { feedFetcher: createFetchFeedFetcher({ fetch: server.fetch, resolveHost }) },
    );
  });
  afterAll(() => h.close());

  const items = async () =>
    (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: { id: string; state: string; bulletinId: string | null; headline: string }[];
      }
    ).items;

  it('turns a valid alert of the feed into a disaster bulletin once a node has spoken it and its header', async () => {
    await h.runtime.dispatcher.tick();
    expect(server.asked).toEqual([FEED, 'https://kttv.example.vn/alerts/1.xml']);
    // Received and waiting for its words: the Worker speaks nothing itself.
    expect((await items()).map((i) => [i.headline, i.state])).toEqual([['Lũ quét suối Ún Tà', 'speaking']]);

    const [words] = await speakAll(h, PROCESSING_TOKEN, audio.processedMp3);
    expect(words).toMatch(/Lũ quét suối Ún Tà/);
    // The next tick airs it as it would have aired on arrival; its header is the next job.
    await h.runtime.dispatcher.tick();
    const header = await speakAll(h, PROCESSING_TOKEN, audio.processedMp3);
    // The alert's `sent` (07:45 +07:00), as every airing will say it.
    expect(header).toEqual(['Bản tin phát lúc 7 giờ 45 ngày 27 tháng 11 năm 2026.']);

    const [item] = await items();
    expect(item!.state).toBe('aired');
    expect(item!.bulletinId).not.toBeNull();
    const booked = await h.runtime.db.kysely
      .selectFrom('disaster_bulletins as b')
      .innerJoin('broadcasts as r', 'r.id', 'b.broadcast_id')
      .innerJoin('occurrences as o', 'o.broadcast_id', 'r.id')
      .select(['r.priority', 'r.lead_audio_sha256', 'o.hamlet_id', 'o.starts_at'])
      .where('b.id', '=', item!.bulletinId!)
      .orderBy('o.starts_at')
      .execute();
    expect(booked.length).toBeGreaterThan(0);
    expect(booked.every((o) => o.priority === 'emergency' && o.lead_audio_sha256)).toBe(true);
    expect(new Set(booked.map((o) => o.hamlet_id))).toContain('un-ta');
    expect(booked[0]!.starts_at).toBe(h.clock.now().toISOString());

    // The feed read again after its interval: the same alert is not taken twice.
    h.clock.advance(61_000);
    await h.runtime.dispatcher.tick();
    expect(server.asked.filter((u) => u === FEED)).toHaveLength(2);
    expect(await items()).toHaveLength(1);
  });

  it('takes an alert pushed with a machine token the same way (POST /api/v1/alerts/cap)', async () => {
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    const province = ((await login.json()) as { token: string }).token;
    const made = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province,
      json: { name: 'Hệ thống cảnh báo tỉnh', scopes: ['alerts:write'] },
    });
    const { secret } = (await made.json()) as { secret: string };
    const res = await h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: secret,
      headers: { 'content-type': 'application/cap+xml' },
      body: capXml({ identifier: 'EDGE-PUSH-1', headline: 'Sạt lở đất Nậm Lúc', area: geocodeCocSan }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const intake = (await res.json()) as { level: string; communes: { state: string }[] };
    expect(intake.level).toBe('emergency');
    expect(intake.communes.map((c) => c.state)).toEqual(['speaking']);
    const malformed = await h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: secret,
      headers: { 'content-type': 'application/cap+xml' },
      body: '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('a priority CAP alert on the edge', () => {
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness('d1', { LOA_PROCESSING_TOKEN: PROCESSING_TOKEN });
  });
  afterAll(() => h.close());

  const drain = () => speakAll(h, PROCESSING_TOKEN, audio.processedMp3);

  it('goes first into the next standing slot once a node has spoken its words and its header', async () => {
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    const province = ((await login.json()) as { token: string }).token;
    const made = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province,
      json: { name: 'Hệ thống cảnh báo tỉnh', scopes: ['alerts:write'] },
    });
    const { secret } = (await made.json()) as { secret: string };
    const res = await h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: secret,
      headers: { 'content-type': 'application/cap+xml' },
      body: capXml({
        identifier: 'EDGE-PRIORITY-1',
        headline: 'Mưa lớn chiều tối nay',
        severity: 'Moderate',
        area: geocodeCocSan,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(((await res.json()) as { level: string }).level).toBe('priority');
    expect(await drain()).toEqual([expect.stringMatching(/Mưa lớn chiều tối nay/)]);
    await h.runtime.dispatcher.tick();
    expect(await drain()).toEqual(['Bản tin phát lúc 7 giờ 45 ngày 27 tháng 11 năm 2026.']);
    const item = await h.runtime.db.kysely
      .selectFrom('cap_alert_communes as i')
      .innerJoin('broadcasts as b', 'b.id', 'i.broadcast_id')
      .select(['i.state', 'b.priority', 'b.lead_audio_sha256', 'b.id'])
      .executeTakeFirstOrThrow();
    expect(item).toMatchObject({ state: 'aired', priority: 'priority' });
    expect(item.lead_audio_sha256).toMatch(/^[0-9a-f]{64}$/);
    const airings = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select(['slot_name', 'starts_at'])
      .where('broadcast_id', '=', item.id)
      .execute();
    // 08:00 now: the evening slot of today is the next one.
    expect(airings.length).toBeGreaterThan(0);
    expect(new Set(airings.map((a) => a.slot_name))).toEqual(new Set(['evening']));
  });
});

describe('the Worker’s feed fetcher refuses what it must not read', () => {
  const feed = '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>';
  function counting(answer: (url: string, init?: RequestInit) => Response | Promise<Response>) {
    const asked: string[] = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      asked.push(String(input));
      return answer(String(input), init);
    }) as typeof globalThis.fetch;
    return { asked, fetch };
  }

  it('refuses private and local addresses as written, and names that resolve inside a network, before asking', async () => {
    const server = counting(() => new Response(feed));
    const fetcher = createFetchFeedFetcher({ fetch: server.fetch, resolveHost });
    for (const url of [
      'http://10.0.0.5/cap.atom',
      'http://192.168.1.1/cap.atom',
      'http://127.0.0.1:8787/cap.atom',
      'http://[::1]/cap.atom',
      'http://[::ffff:10.0.0.5]/cap.atom',
      'http://localhost/cap.atom',
      'http://kttv.local/cap.atom',
      'http://intranet/cap.atom',
      'https://noi-bo.example.vn/cap.atom',
      'ftp://kttv.example.vn/cap.atom',
      'https://user:pw@kttv.example.vn/cap.atom',
    ]) {
      const got = await fetcher.get(url, 1024);
      expect(got, url).toHaveProperty('error');
      expect((got as { error: string }).error, url).toMatch(/^refused/);
    }
    expect(server.asked).toEqual([]);
    expect(await fetcher.get('https://kttv.example.vn/cap.atom', 1024)).toEqual({ body: feed });
  });

  it('follows no redirect, reads no more than the limit from the stream, and gives up at the timeout', async () => {
    let pulled = 0;
    const server = counting((url, init) => {
      if (url.endsWith('/moved')) {
        expect(init?.redirect).toBe('manual');
        return new Response(null, { status: 302, headers: { location: 'http://10.0.0.5/' } });
      }
      if (url.endsWith('/huge'))
        return new Response(
          new ReadableStream({
            pull(controller) {
              pulled++;
              controller.enqueue(new Uint8Array(64 * 1024));
            },
          }),
        );
      // Never answers until the request is aborted.
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    });
    const fetcher = createFetchFeedFetcher({ fetch: server.fetch, resolveHost, timeoutMs: 200 });
    expect(await fetcher.get('https://kttv.example.vn/moved', 1024)).toEqual({
      error: 'redirect not followed (HTTP 302 to http://10.0.0.5/)',
    });
    expect(await fetcher.get('https://kttv.example.vn/huge', 1_048_576)).toEqual({
      error: 'larger than 1024 KB',
    });
    // Stopped just past the limit: 1 MB is 16 chunks of 64 KB, the 17th passes it.
    expect(pulled).toBeLessThanOrEqual(20);
    expect(await fetcher.get('https://kttv.example.vn/slow', 1024)).toEqual({
      error: 'no complete answer within 0.2 s',
    });
  });

  it('refuses to start with a private feed in CAP_FEEDS, naming the variable', async () => {
    await expect(
      createEdgeRuntime({ ...(env as unknown as Env), CAP_FEEDS: '15:http://192.168.1.10/cap.atom' }),
    ).rejects.toThrow(ConfigError);
    await expect(
      createEdgeRuntime({ ...(env as unknown as Env), CAP_FEEDS: '15:http://localhost/cap.atom' }),
    ).rejects.toThrow(/CAP_FEEDS/);
  });
});
