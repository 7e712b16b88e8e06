import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { sseClient } from '../support/sse-client.js';

const token = 'metrics-token-for-the-tests';

/** The value of one sample of the exposition text, 0 when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('/metrics and /readyz', () => {
  let h: Harness;
  let open: Harness;
  let server: RealServer;
  beforeAll(async () => {
    h = await createHarness('sqlite', { METRICS_TOKEN: token });
    open = await createHarness('sqlite');
    server = await startRealServer(open);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
    await open?.close();
  });

  const scrape = async () => {
    const res = await h.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it("counts a request in its route's latency histogram, by route pattern, not by path", async () => {
    const labels = { method: 'GET', route: '/api/v1/announcements/:id', status: '404' };
    const before = sample(await scrape(), 'loa_http_request_duration_seconds_count', labels);
    await h.request('/api/v1/announcements/khong-co', { token: h.tokens.admin });
    await h.request('/api/v1/announcements/cung-khong-co', { token: h.tokens.admin });
    const text = await scrape();
    expect(sample(text, 'loa_http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(text).not.toContain('khong-co');
    // Receivers' requests count too, though their lane runs before the people's middleware.
    await h.request('/api/v1/receiver/schedule');
    expect(
      sample(await scrape(), 'loa_http_request_duration_seconds_count', {
        route: '/api/v1/receiver/schedule',
        status: '401',
      }),
    ).toBe(1);
  });

  it('counts jobs, their durations and the audio processing ratio', async () => {
    const form = new FormData();
    form.set('title', 'Đo');
    form.set('language', 'vi');
    form.set('file', new Blob([speechWav()]), 'a.wav');
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: form,
    });
    expect(res.status).toBe(202);
    expect(sample(await scrape(), 'loa_jobs', { status: 'queued' })).toBe(1);
    await h.runtime.jobs.drain();
    const text = await scrape();
    expect(sample(text, 'loa_jobs', { status: 'queued' })).toBe(0);
    expect(sample(text, 'loa_job_duration_seconds_count', { name: 'process-variant', outcome: 'done' })).toBe(
      1,
    );
    expect(sample(text, 'loa_audio_processing_ratio_count', {})).toBe(1);
    expect(sample(text, 'loa_audio_processing_ratio_sum', {})).toBeGreaterThan(0);
    await h.runtime.dispatcher.tick();
    expect(sample(await scrape(), 'loa_dispatcher_tick_seconds_count', { leader: 'true' })).toBe(1);
    expect(text).toContain('loa_process_resident_memory_bytes');
    expect(text).toContain('loa_sse_channels_open');
    expect(text).toContain('loa_receivers_online');
  });

  it('times an emergency from hearing it to the last push written on this process', async () => {
    const device = await createDevice(h, 'un-ta');
    const sse = sseClient(await h.request('/api/v1/receiver/events', { token: device.token }));
    await sse.next('schedule');
    const alarm = await createReadyAnnouncement(h, 'Lũ quét', [{ language: 'vi', seconds: 1 }]);
    await scheduleBroadcast(h, { announcementId: alarm.id, hamletIds: ['un-ta'], priority: 'emergency' });
    await sse.next('play');
    await sse.cancel();
    const text = await scrape();
    expect(sample(text, 'loa_emergency_push_seconds_count', { phase: 'lookup' })).toBe(1);
    expect(sample(text, 'loa_emergency_push_seconds_count', { phase: 'pushed' })).toBe(1);
    expect(sample(text, 'loa_emergency_push_seconds_sum', { phase: 'pushed' })).toBeGreaterThan(0);
  });

  it('wants the token when one is set, and answers only on loopback without one', async () => {
    const refused = await h.request('/metrics', { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    // No token configured: the machine itself may read them, a request forwarded by a proxy may not.
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status,
    ).toBe(403);
    expect((await open.request('/metrics')).status).toBe(403);
  });

  it('says ready when database, schema and media store answer, and not while stopping', async () => {
    const ready = await h.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, migrations: true, media: true });
    h.runtime.beginStopping();
    const stopping = await h.request('/readyz');
    expect(stopping.status).toBe(503);
    expect(((await stopping.json()) as { status: string }).status).toBe('stopping');
  });
});
