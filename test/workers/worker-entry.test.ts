import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker, { type Env } from '../../src/worker.js';
import { sseClient } from '../support/sse-client.js';
import { adminPassword } from './support/harness.js';

/**
 * The Worker as deployed: requests go through its fetch handler (real clock), push channels are held by
 * the commune's Durable Object, the dispatcher runs from the Cron Trigger. Protocol v1 as the agent
 * speaks it.
 */
const fetchWorker = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
  const { token, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (json !== undefined) headers.set('content-type', 'application/json');
  return (exports as { default: { fetch: typeof fetch } }).default.fetch(`http://loa.test${path}`, {
    ...rest,
    headers,
    ...(json !== undefined && { body: JSON.stringify(json) }),
  });
};

/** The Cron Trigger's controller for a run at `scheduledTime` (ms). */
const cron = (scheduledTime: number) =>
  createScheduledController({ cron: '* * * * *', scheduledTime }) as { readonly scheduledTime: number };

describe('the Worker entry', () => {
  let admin: string;
  let device: string;
  beforeAll(async () => {
    const login = await fetchWorker('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'admin', password: adminPassword },
    });
    expect(login.status).toBe(200);
    admin = ((await login.json()) as { token: string }).token;
    const made = await fetchWorker('/api/v1/receivers', {
      method: 'POST',
      token: admin,
      json: { hamletId: 'un-ta', name: 'Cụm loa chợ' },
    });
    expect(made.status).toBe(201);
    device = ((await made.json()) as { token: string }).token;
  });

  it('serves the manifest with an ETag and 304, and takes heartbeats', async () => {
    const first = await fetchWorker('/api/v1/receiver/schedule', { token: device });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"h-un-ta-v\d+-w\d+"$/);
    expect(((await first.json()) as { hamletId: string }).hamletId).toBe('un-ta');
    const again = await fetchWorker('/api/v1/receiver/schedule', {
      token: device,
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const beat = await fetchWorker('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: device,
      json: { volume: 80, uptimeS: 100, freeBytes: 1e9, signal: -80, appVersion: 'test' },
    });
    expect(beat.status).toBe(200);
    expect(await fetchWorker('/api/v1/receiver/schedule', { token: 'x'.repeat(40) })).toHaveProperty(
      'status',
      401,
    );
  });

  it('pushes an emergency from the commune office to a connected receiver within 2 s, and takes its logs once', async () => {
    const stream = await fetchWorker('/api/v1/receiver/events', { token: device });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseClient(stream);
    await events.next('schedule');

    const sent = performance.now();
    const posted = await fetchWorker('/api/v1/broadcasts', {
      method: 'POST',
      token: admin,
      json: {
        relay: { url: 'https://radio.example.vn/khan-cap', durationS: 60 },
        hamletIds: ['un-ta'],
        priority: 'emergency',
      },
    });
    expect(posted.status).toBe(201);
    const play = JSON.parse((await events.next('play', 2000)).data) as { occurrenceId: string };
    const elapsed = performance.now() - sent;
    expect(elapsed).toBeLessThan(2000);
    const created = (await posted.json()) as { occurrences: { id: string; hamletId: string }[] };
    expect(created.occurrences.map((o) => o.id)).toContain(play.occurrenceId);

    const batch = {
      events: [
        { id: 'ev-1', occurrenceId: play.occurrenceId, type: 'started', at: new Date().toISOString() },
      ],
    };
    const logs = await fetchWorker('/api/v1/receiver/logs', { method: 'POST', token: device, json: batch });
    expect(await logs.json()).toEqual({ accepted: 1, duplicates: 0 });
    const twice = await fetchWorker('/api/v1/receiver/logs', { method: 'POST', token: device, json: batch });
    expect(await twice.json()).toEqual({ accepted: 0, duplicates: 1 });

    // A disabled receiver's channel is closed by its Durable Object.
    const receivers = (await (
      await fetchWorker('/api/v1/receivers?hamletId=un-ta', { token: admin })
    ).json()) as {
      items: { id: string; name: string }[];
    };
    const mine = receivers.items.find((r) => r.name === 'Cụm loa chợ')!;
    await fetchWorker(`/api/v1/receivers/${mine.id}`, {
      method: 'PATCH',
      token: admin,
      json: { disabled: true },
    });
    expect(await events.ended()).toBe(true);
  });

  it('runs the dispatcher from the Cron Trigger: an airing nobody reported is marked missed', async () => {
    // An emergency, since it books "now" whatever the hour of the real clock (quiet hours included).
    const booked = await fetchWorker('/api/v1/broadcasts', {
      method: 'POST',
      token: admin,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['thon-3'],
        priority: 'emergency',
      },
    });
    expect(booked.status).toBe(201);
    const { occurrences } = (await booked.json()) as { occurrences: { id: string }[] };
    // The airing is moved an hour into the past, as if the Worker had slept through it.
    const past = new Date(Date.now() - 3600_000).toISOString();
    await (env as Env).DB.prepare('update occurrences set starts_at = ? where id = ?')
      .bind(past, occurrences[0]!.id)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(cron(Date.now()), env as Env, ctx);
    await waitOnExecutionContext(ctx);
    const row = await (env as Env).DB.prepare('select status from occurrences where id = ?')
      .bind(occurrences[0]!.id)
      .all<{ status: string }>();
    expect(row.results[0]?.status).toBe('missed');
  });

  it('sweeps at the top of the hour the originals no version took', async () => {
    const bucket = (env as Env).MEDIA;
    const orphan = `src/${crypto.randomUUID()}`;
    await bucket.put(orphan, new Uint8Array([1, 2, 3]));
    // R2 dates the object now: the bucket answers as if it had been stored two hours ago.
    const aged = {
      head: bucket.head.bind(bucket),
      get: bucket.get.bind(bucket),
      put: bucket.put.bind(bucket),
      delete: bucket.delete.bind(bucket),
      createMultipartUpload: bucket.createMultipartUpload.bind(bucket),
      list: async (options: Parameters<typeof bucket.list>[0]) => {
        const page = await bucket.list(options);
        const uploaded = new Date(Date.now() - 2 * 3600_000);
        return { ...page, objects: page.objects.map((o) => ({ ...o, key: o.key, uploaded })) };
      },
    } as unknown as Env['MEDIA'];
    const tick = async (at: string) => {
      const ctx = createExecutionContext();
      await worker.scheduled(cron(Date.parse(at)), { ...(env as Env), MEDIA: aged }, ctx);
      await waitOnExecutionContext(ctx);
    };
    await tick('2026-11-27T03:07:00Z');
    expect(await bucket.head(orphan)).not.toBeNull();
    await tick('2026-11-27T04:00:00Z');
    expect(await bucket.head(orphan)).toBeNull();
  });
});
