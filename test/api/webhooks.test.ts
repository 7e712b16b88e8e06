import { statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { createNodeRuntime, type NodeRuntime } from '../../src/node.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { device, heartbeat } from '../support/province-scenario.js';
import { readmeVerifier, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

type Verify = Awaited<ReturnType<typeof readmeVerifier>>;

interface Delivery {
  id: string;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  attemptLog: {
    attempt: number;
    statusCode: number | null;
    error: string | null;
    finishedAt: string | null;
    durationMs: number | null;
  }[];
}

/** Names only tests know, as a DNS server we cannot reach would answer them (`RuntimeOverrides.resolveHost`). */
function fakeDns(answers: Record<string, string[]>) {
  const asked: string[] = [];
  return {
    answers,
    asked,
    resolveHost: async (name: string) => {
      asked.push(name);
      const found = answers[name];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return found;
    },
  };
}

/**
 * Signed webhooks end to end: the real service delivers to a real HTTP server standing in for the
 * province's operations centre, on the loopback address (so this service runs with
 * `WEBHOOK_ALLOW_PRIVATE=1`, as one on the province's own network would). The signature is checked with
 * the README's own snippet; the clock is fake and drives the back-off; the dispatcher's tick notices
 * boxes gone offline.
 */
describe.each(dialects)('webhooks to the operations centre on %s', (dialect) => {
  let h: Harness;
  let second: NodeRuntime;
  let province: ProvinceFixture;
  let receiver: WebhookReceiver;
  let verify: Verify;
  let secret = '';
  let endpointId = '';
  let crashNextRecord = false;
  const dns = fakeDns({ 'hooks.test': ['127.0.0.1'] });

  // A crash between sending an attempt and recording it: the recording's unit of work fails.
  const decorateRepositories = (r: Repositories): Repositories => ({
    ...r,
    webhooks: {
      ...r.webhooks,
      finishAttempt: async (...args) => {
        if (crashNextRecord) {
          crashNextRecord = false;
          throw new Error('simulated crash between sending and recording');
        }
        return r.webhooks.finishAttempt(...args);
      },
    },
  });

  const nowS = () => h.clock.now().getTime() / 1000;
  const deliveries = async (id = endpointId) => {
    const res = await h.request(`/api/v1/province/webhooks/${id}/deliveries`, {
      token: province.tokens.provinceAdmin,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { items: Delivery[] }).items;
  };
  /** A new box that sends one heartbeat now and is silent from then on. */
  const boxGoingSilent = async (name: string) => {
    const box = await device(h, h.tokens.admin, 'thon-4', name);
    await heartbeat(h, box.token);
    return box;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    verify = await readmeVerifier();
    h = await createHarness(
      dialect,
      { WEBHOOK_ALLOW_PRIVATE: '1' },
      { decorateRepositories, resolveHost: dns.resolveHost },
    );
    province = await provinceFixture(h);
    second = await createNodeRuntime(h.runtime.config, {
      clock: h.clock,
      logger: pino({ level: 'silent' }),
      resolveHost: dns.resolveHost,
    });
  });
  afterAll(async () => {
    await second.close();
    await h.close();
    await receiver.close();
  });

  it('registers an endpoint for the province admin; its secret is shown once and kept sealed', async () => {
    const refused = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: province.tokens.provinceOfficer,
      json: { url: receiver.url(), events: ['emergency.sent'] },
    });
    expect(refused.status).toBe(403);

    const res = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: province.tokens.provinceAdmin,
      json: {
        url: receiver.url(),
        events: ['receiver.offline', 'emergency.sent'],
        description: 'Trung tâm điều hành tỉnh',
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { endpoint: { id: string; events: string[] }; secret: string };
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(body.endpoint.events).toEqual(['emergency.sent', 'receiver.offline']);
    secret = body.secret;
    endpointId = body.endpoint.id;

    const rows = await h.runtime.db.kysely.selectFrom('webhook_endpoints').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(rows)).not.toContain(secret.slice(6));
    // Sealed with a key kept beside the database, readable by the service's user only.
    expect(statSync(join(h.runtime.config.DATA_DIR, 'secret.key')).mode & 0o777).toBe(0o600);
    const list = await h.request('/api/v1/province/webhooks', { token: province.tokens.provinceAdmin });
    expect(JSON.stringify(await list.json())).not.toContain(secret.slice(6));
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'webhook.create')
      .execute();
    expect(audit).toEqual([expect.objectContaining({ target_id: endpointId })]);
  });

  it("signs an emergency's webhook so that the README's check accepts it, and nothing else", async () => {
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 120 },
        hamletIds: ['un-ta', 'thon-2'],
        priority: 'emergency',
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const broadcastId = ((await res.json()) as { id: string }).id;

    expect(await h.runtime.webhookSender.drain()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const hook = receiver.received[0]!;
    expect(hook.headers['content-type']).toBe('application/json');
    expect(verify(secret, hook.headers, hook.body, nowS())).toBe(true);
    // What an attacker or a broken proxy could change makes the check fail.
    expect(verify(secret, hook.headers, hook.body.replace('Xã Cốc San', 'Xã Khác'), nowS())).toBe(false);
    expect(verify(`whsec_${Buffer.alloc(24, 7).toString('base64')}`, hook.headers, hook.body, nowS())).toBe(
      false,
    );
    expect(verify(secret, hook.headers, hook.body, nowS() + 600)).toBe(false);

    expect(JSON.parse(hook.body)).toEqual({
      type: 'emergency.sent',
      timestamp: h.clock.now().toISOString(),
      data: {
        broadcastId,
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        hamletIds: ['un-ta', 'thon-2'],
        startsAt: h.clock.now().toISOString(),
        title: 'Tiếp sóng https://radio.example.vn/vov1',
        sentBy: 'officer',
      },
    });
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ type: 'emergency.sent', status: 'delivered', attempts: 1 });
    expect(hook.headers['webhook-id']).toBe(delivery!.eventId);
    expect(delivery!.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, error: null, finishedAt: expect.any(String) }),
    ]);
  });

  it('retries after a failing receiver, as the clock says, with the same id and body each time', async () => {
    receiver.received.length = 0;
    receiver.answer(500);
    const box = await boxGoingSilent('Cụm loa chợ');
    const lastHeartbeat = h.clock.now().toISOString();
    h.clock.advance(3 * 60_000);
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ leader: true, offline: 1 });

    expect(await h.runtime.webhookSender.drain()).toBe(1);
    let [delivery] = await deliveries();
    expect(delivery).toMatchObject({
      type: 'receiver.offline',
      status: 'pending',
      attempts: 1,
      nextAttemptAt: new Date(h.clock.now().getTime() + 30_000).toISOString(),
    });
    expect(delivery!.attemptLog[0]).toMatchObject({
      statusCode: 500,
      error: 'HTTP 500: trung tâm đang bảo trì',
    });
    expect(delivery!.attemptLog[0]!.durationMs).toBeGreaterThanOrEqual(0);

    // Not before its time.
    expect(await h.runtime.webhookSender.drain()).toBe(0);
    h.clock.advance(29_000);
    expect(await h.runtime.webhookSender.drain()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.runtime.webhookSender.drain()).toBe(1);

    [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, nextAttemptAt: null });
    expect(delivery!.attemptLog.map((a) => a.statusCode)).toEqual([500, 200]);
    const [first, retry] = receiver.received;
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(retry!.body).toBe(first!.body);
    expect(Number(retry!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBe(
      30,
    );
    expect(verify(secret, retry!.headers, retry!.body, nowS())).toBe(true);
    expect(JSON.parse(first!.body)).toEqual({
      type: 'receiver.offline',
      timestamp: new Date(Date.parse(lastHeartbeat) + 120_000).toISOString(),
      data: {
        receiverId: box.id,
        receiverName: 'Cụm loa chợ',
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        hamletId: 'thon-4',
        hamletName: 'Thôn số 4 (dữ liệu mẫu)',
        lastHeartbeatAt: lastHeartbeat,
        offlineSince: new Date(Date.parse(lastHeartbeat) + 120_000).toISOString(),
      },
    });
  });

  it('announces a box gone offline once, however many dispatchers notice it', async () => {
    receiver.received.length = 0;
    const box = await boxGoingSilent('Cụm loa trường học');
    h.clock.advance(3 * 60_000);
    const span = [h.clock.now().getTime() - 10 * 60_000, h.clock.now().getTime()] as const;
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ offline: 1 });
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ offline: 0 });
    // Another instance taking over as leader looks back over the same span and announces it again.
    expect(await second.services.receivers.announceOffline(...span)).toBeGreaterThanOrEqual(1);
    await second.webhookSender.drain();
    await h.runtime.webhookSender.drain();
    const mine = receiver.received.filter((r) => JSON.parse(r.body).data.receiverId === box.id);
    expect(mine).toHaveLength(1);
    const events = await h.runtime.db.kysely
      .selectFrom('webhook_events')
      .select('id')
      .where('dedupe_key', 'like', `receiver.offline:${box.id}:%`)
      .execute();
    expect(events).toHaveLength(1);
    const sent = await h.runtime.db.kysely
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_id', '=', events[0]!.id)
      .execute();
    expect(sent).toHaveLength(1);
  });

  it('sends each attempt once when two instances work the deliveries at the same time', async () => {
    receiver.received.length = 0;
    receiver.delay(20);
    for (let i = 0; i < 12; i++) await boxGoingSilent(`Cụm loa đua ${i}`);
    h.clock.advance(3 * 60_000);
    expect(await h.runtime.dispatcher.tick()).toMatchObject({ offline: 12 });
    // Both read the same twelve due deliveries before either leases one.
    const [a, b] = await Promise.all([
      h.runtime.services.webhooks.deliverDue('instance-a', 12),
      second.services.webhooks.deliverDue('instance-b', 12),
    ]);
    receiver.delay(0);
    expect(a + b).toBe(12);
    expect(receiver.received).toHaveLength(12);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(12);
    const attempts = await h.runtime.db.kysely
      .selectFrom('webhook_attempts')
      .select(['delivery_id', 'attempt'])
      .where('started_at', '=', h.clock.now().toISOString())
      .execute();
    expect(attempts).toHaveLength(12);
    expect(attempts.every((x) => Number(x.attempt) === 1)).toBe(true);
  });

  it('after a crash between sending and recording, the next attempt waits for the lease and carries the same id', async () => {
    receiver.received.length = 0;
    const box = await boxGoingSilent('Cụm loa nhà văn hóa');
    h.clock.advance(3 * 60_000);
    await h.runtime.dispatcher.tick();
    crashNextRecord = true;
    expect(await h.runtime.webhookSender.drain()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    let [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery!.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: null, finishedAt: null }),
    ]);

    // Its lease still holds: nobody sends it again yet.
    expect(await h.runtime.webhookSender.drain()).toBe(0);
    expect(await second.webhookSender.drain()).toBe(0);
    h.clock.advance(61_000);
    expect(await second.webhookSender.drain()).toBe(1);

    [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delivery!.attemptLog.map((x) => x.statusCode)).toEqual([null, 200]);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
    expect(JSON.parse(receiver.received[1]!.body).data.receiverId).toBe(box.id);
  });

  it('fails a delivery whose last attempt never settled (its sender died), instead of a thirteenth send', async () => {
    receiver.received.length = 0;
    await boxGoingSilent('Cụm loa trạm y tế');
    h.clock.advance(3 * 60_000);
    await h.runtime.dispatcher.tick();
    const [pending] = await deliveries();
    // Its twelfth attempt was leased by a sender that died before it settled; the lease has run out.
    await h.runtime.db.kysely
      .updateTable('webhook_deliveries')
      .set({
        attempts: 12,
        leased_by: 'sender-killed',
        lease_until: new Date(h.clock.now().getTime() - 1000).toISOString(),
      })
      .where('id', '=', pending!.id)
      .execute();
    await h.runtime.webhookSender.drain();
    expect(receiver.received).toEqual([]);
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ id: pending!.id, status: 'failed' });
  });

  it('connects to the address it checked, resolving the name once per attempt', async () => {
    const res = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: province.tokens.provinceAdmin,
      json: { url: `http://hooks.test:${receiver.port}/pinned`, events: ['receiver.offline'] },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const pinnedId = ((await res.json()) as { endpoint: { id: string } }).endpoint.id;
    receiver.received.length = 0;
    dns.asked.length = 0;
    await boxGoingSilent('Cụm loa đầu bản');
    h.clock.advance(3 * 60_000);
    await h.runtime.dispatcher.tick();
    await h.runtime.webhookSender.drain();
    // No resolver of this machine knows hooks.test: the request reached the checked 127.0.0.1.
    const pinned = receiver.received.filter((r) => r.path === '/pinned');
    expect(pinned).toHaveLength(1);
    expect(pinned[0]!.headers.host).toBe(`hooks.test:${receiver.port}`);
    expect(dns.asked).toEqual(['hooks.test']);
    expect((await deliveries(pinnedId))[0]).toMatchObject({ status: 'delivered' });
  });

  it('stops sending to a disabled endpoint, and counts none of its deliveries as waiting for a retry', async () => {
    type Listed = { id: string; url: string; pending: number };
    const listed = async () => {
      const res = await h.request('/api/v1/province/webhooks', { token: province.tokens.provinceAdmin });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Listed[] }).items;
    };
    const pending = (items: Listed[], id: string) => items.find((e) => e.id === id)!.pending;
    const pinnedId = (await listed()).find((e) => e.url.endsWith('/pinned'))!.id;
    // Both endpoints answer 503 to the next event: each has a delivery waiting for a retry.
    receiver.received.length = 0;
    receiver.answer(503, 503);
    await boxGoingSilent('Cụm loa giữa bản');
    h.clock.advance(3 * 60_000);
    await h.runtime.dispatcher.tick();
    expect(await h.runtime.webhookSender.drain()).toBe(2);
    const before = await listed();
    expect(pending(before, endpointId)).toBe(1);
    expect(pending(before, pinnedId)).toBe(1);

    const off = await h.request(`/api/v1/province/webhooks/${endpointId}`, {
      method: 'DELETE',
      token: province.tokens.provinceAdmin,
    });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ disabledAt: h.clock.now().toISOString() });
    const again = await h.request(`/api/v1/province/webhooks/${endpointId}`, {
      method: 'DELETE',
      token: province.tokens.provinceAdmin,
    });
    expect(again.status).toBe(409);
    const after = await listed();
    expect(pending(after, endpointId)).toBe(0);
    expect(pending(after, pinnedId)).toBe(1);
    const [waiting] = await deliveries();
    expect(waiting).toMatchObject({ status: 'pending', nextAttemptAt: null });

    // Past the retry and a new event: only the endpoint still on is called, for both.
    receiver.received.length = 0;
    await boxGoingSilent('Cụm loa cuối bản');
    h.clock.advance(3 * 60_000);
    await h.runtime.dispatcher.tick();
    await h.runtime.webhookSender.drain();
    expect(receiver.received.map((r) => r.path)).toEqual(['/pinned', '/pinned']);
    expect(pending(await listed(), endpointId)).toBe(0);
  });
});

/** The default: endpoints must be public https addresses, checked as written and after DNS. */
describe.each(dialects)('webhook URLs into a local network on %s', (dialect) => {
  let h: Harness;
  let province: ProvinceFixture;
  const dns = fakeDns({
    'ops.example.vn': ['127.0.0.1'],
    'mixed.example.vn': ['93.184.216.34', '10.1.2.3'],
    'hooks.example.vn': ['93.184.216.34'],
  });
  const register = (url: string) =>
    h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: province.tokens.provinceAdmin,
      json: { url, events: ['emergency.sent'] },
    });

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { resolveHost: dns.resolveHost });
    province = await provinceFixture(h);
  });
  afterAll(() => h.close());

  it.each([
    ['https://127.0.0.1/hooks', 'nội bộ'],
    ['https://10.0.0.1/hooks', 'nội bộ'],
    ['https://[::1]/hooks', 'nội bộ'],
    ['https://169.254.169.254/latest/meta-data', 'nội bộ'],
    ['https://localhost/hooks', 'nội bộ'],
    ['https://2130706433/hooks', 'nội bộ'],
    ['https://ops.example.vn/hooks', 'ops.example.vn → 127.0.0.1'],
    ['https://mixed.example.vn/hooks', '10.1.2.3'],
    ['http://hooks.example.vn/hooks', 'https://'],
    ['https://user:pass@hooks.example.vn/hooks', 'mật khẩu'],
    ['https://nowhere.example.vn/hooks', 'không phân giải được'],
  ])('refuses %s with a message next to the URL, keeping nothing', async (url, words) => {
    const res = await register(url);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { errors: { field: string; messageVi: string }[] };
    expect(body.errors[0]!.field).toBe('url');
    expect(body.errors[0]!.messageVi).toContain(words);
    const rows = await h.runtime.db.kysely.selectFrom('webhook_endpoints').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('checks the address again at delivery: a name that now resolves inside is not connected to', async () => {
    const res = await register('https://hooks.example.vn/hooks');
    expect(res.status, await res.clone().text()).toBe(201);
    const id = ((await res.json()) as { endpoint: { id: string } }).endpoint.id;
    dns.answers['hooks.example.vn'] = ['127.0.0.1'];
    const sent = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta'],
        priority: 'emergency',
      },
    });
    expect(sent.status).toBe(201);
    expect(await h.runtime.webhookSender.drain()).toBe(1);
    const list = await h.request(`/api/v1/province/webhooks/${id}/deliveries`, {
      token: province.tokens.provinceAdmin,
    });
    const [delivery] = ((await list.json()) as { items: Delivery[] }).items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery!.attemptLog[0]).toMatchObject({
      statusCode: null,
      error:
        "refused: the URL resolves to a private or local address (hooks.example.vn → 127.0.0.1); give the operations centre's public https address",
    });
  });
});
