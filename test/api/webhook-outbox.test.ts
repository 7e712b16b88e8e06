import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaEvent } from '../../src/domain/ports/events.js';
import type { Repositories } from '../../src/domain/ports/repositories.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { device, report } from '../support/province-scenario.js';
import { readmeVerifier, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const MB = 1_048_576;
type Hook = { type: string; data: Record<string, unknown> };

/**
 * The webhook outbox is written in the unit of work of the change that makes the fact: a process that
 * dies right after that unit commits (before anything reaches the event bus) still sends the webhook,
 * once and signed; a unit that rolls back leaves no webhook behind. The death is the bus throwing at the
 * first event published after the unit that called one step (`dieAfter`) committed.
 */
describe.each(dialects)('webhook facts written with their change on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let hooks: WebhookReceiver;
  let secret = '';
  /** The step whose unit of work the process dies right after; `armed` once that step ran. */
  const dying: { after?: string; armed?: boolean; failing?: string } = {};

  const watched = (r: Repositories, repo: keyof Repositories, method: string): Repositories => {
    const inner = r[repo] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = inner[method]!;
    return {
      ...r,
      [repo]: {
        ...inner,
        [method]: async (...args: unknown[]) => {
          if (dying.failing === `${repo}.${method}`) {
            dying.failing = undefined;
            throw new Error(`simulated failure of ${repo}.${method}`);
          }
          const result = await original(...args);
          if (dying.after === `${repo}.${method}`) dying.armed = true;
          return result;
        },
      },
    };
  };
  const decorateRepositories = (r: Repositories): Repositories =>
    [
      ['broadcasts', 'insertBroadcast'],
      ['bulletins', 'placeAll'],
      ['receiverAlarms', 'insertAlarms'],
      ['receiverSync', 'insertPlaybackEvents'],
      ['webhooks', 'insertDeliveries'],
    ].reduce((acc, [repo, method]) => watched(acc, repo as keyof Repositories, method!), r);

  /** What the operations centre received since `from`, each checked with the README's snippet. */
  const receivedSince = async (from: number): Promise<Hook[]> => {
    const verify = await readmeVerifier();
    const nowS = h.clock.now().getTime() / 1000;
    return hooks.received.slice(from).map((hook) => {
      expect(verify(secret, hook.headers, hook.body, nowS)).toBe(true);
      return JSON.parse(hook.body) as Hook;
    });
  };
  /** Delivers what is due, as the sender of the instance started again would. */
  const deliverAll = async (from: number) => {
    await h.runtime.webhookSender.drain();
    // Nothing is sent twice.
    expect(await h.runtime.webhookSender.drain()).toBe(0);
    return receivedSince(from);
  };
  const beat = async (token: string, freeBytes: number) => {
    const res = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token,
      json: { volume: 80, uptimeS: 600, freeBytes, signal: -85, appVersion: '0.2.0' },
    });
    expect(res.status).toBe(200);
  };
  const eventKeys = async () =>
    (await h.runtime.db.kysely.selectFrom('webhook_events').select('dedupe_key').execute()).map(
      (e) => e.dedupe_key,
    );

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    h = await createHarness(
      dialect,
      { WEBHOOK_ALLOW_PRIVATE: '1', ALARM_LOW_STORAGE_MB: '100' },
      { decorateRepositories, resolveHost: async () => ['127.0.0.1'] },
    );
    p = await provinceFixture(h);
    const registered = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: p.tokens.provinceAdmin,
      json: {
        url: hooks.url(),
        events: [
          'emergency.sent',
          'receiver.alarm',
          'receiver.alarm_cleared',
          'bulletin.aired',
          'receiver.offline',
        ],
      },
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    secret = ((await registered.json()) as { secret: string }).secret;
    const bus = h.runtime.bus;
    const publish = bus.publish.bind(bus);
    bus.publish = (event: LoaEvent) => {
      if (dying.armed) {
        dying.armed = false;
        dying.after = undefined;
        throw new Error('simulated crash right after the commit');
      }
      publish(event);
    };
  });
  afterAll(async () => {
    await h.close();
    await hooks.close();
  });

  it("sends a commune's emergency whose process died right after the booking committed", async () => {
    const from = hooks.received.length;
    dying.after = 'broadcasts.insertBroadcast';
    const res = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
        hamletIds: ['un-ta'],
        priority: 'emergency',
      },
    });
    expect(res.status).toBe(500);
    expect(dying.after).toBeUndefined();
    const [booked] = await h.runtime.db.kysely
      .selectFrom('broadcasts')
      .select('id')
      .where('priority', '=', 'emergency')
      .execute();
    expect(await deliverAll(from)).toEqual([
      expect.objectContaining({
        type: 'emergency.sent',
        data: expect.objectContaining({ broadcastId: booked!.id, communeName: 'Xã Cốc San' }),
      }),
    ]);
  });

  it("sends every commune's emergency of a province bulletin whose process died right after it was booked", async () => {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Cảnh báo lũ quét',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh cảnh báo lũ quét.',
        level: 'emergency',
        communeIds: ['coc-san', otherCommune],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const from = hooks.received.length;
    dying.after = 'bulletins.placeAll';
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status).toBe(500);
    expect(dying.after).toBeUndefined();
    const delivered = await deliverAll(from);
    expect(delivered.map((d) => [d.type, d.data.communeId, d.data.communeName]).sort()).toEqual([
      ['emergency.sent', 'coc-san', 'Xã Cốc San'],
      ['emergency.sent', otherCommune, 'Xã Quang Kim (dữ liệu mẫu)'],
    ]);
  });

  it('leaves no webhook event when the unit of work that wrote it rolls back', async () => {
    const before = await eventKeys();
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Cảnh báo sạt lở',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh cảnh báo sạt lở đất.',
        level: 'emergency',
        communeIds: ['coc-san'],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    // The bulletin's placement fails after its emergencies and their webhooks were written.
    dying.failing = 'bulletins.placeAll';
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status).toBe(500);
    expect(dying.failing).toBeUndefined();
    expect(await eventKeys()).toEqual(before);
    expect(await h.runtime.webhookSender.drain()).toBe(0);
  });

  it('sends an alarm whose process died right after it was raised', async () => {
    const box = await device(h, h.tokens.admin, 'un-ta', 'Loa nhà văn hóa');
    await beat(box.token, 40 * MB);
    const from = hooks.received.length;
    dying.after = 'receiverAlarms.insertAlarms';
    await expect(h.runtime.services.receiverAlarms.evaluate()).rejects.toThrow(/simulated crash/);
    // The next pass finds the alarm raised: nothing more to tell.
    expect(await h.runtime.services.receiverAlarms.evaluate()).toEqual({ raised: 0, cleared: 0 });
    expect((await deliverAll(from)).map((d) => [d.type, d.data.receiverId, d.data.kind])).toEqual([
      ['receiver.alarm', box.id, 'low_storage'],
    ]);
  });

  it('clears no alarm whose webhook could not be written: the next pass clears it and tells it', async () => {
    const box = await device(h, h.tokens.admin, 'thon-2', 'Loa trạm y tế');
    await beat(box.token, 40 * MB);
    expect((await h.runtime.services.receiverAlarms.evaluate()).raised).toBe(1);
    await h.runtime.webhookSender.drain();
    const from = hooks.received.length;
    h.clock.advance(30_000);
    await beat(box.token, 900 * MB);
    dying.failing = 'webhooks.insertDeliveries';
    await expect(h.runtime.services.receiverAlarms.evaluate()).rejects.toThrow(/simulated failure/);
    expect(await h.runtime.services.receiverAlarms.evaluate()).toEqual({ raised: 0, cleared: 1 });
    expect((await deliverAll(from)).map((d) => [d.type, d.data.receiverId])).toEqual([
      ['receiver.alarm_cleared', box.id],
    ]);
  });

  it('sends a bulletin aired whose process died right after the report committed', async () => {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title: 'Lịch tiêm phòng',
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo lịch tiêm phòng cho gia súc.',
        level: 'normal',
        communeIds: ['coc-san'],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const at = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
    const booked = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { hamletIds: ['thon-2'], at },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const [airing] = ((await booked.json()) as { occurrences: { id: string; at: string }[] }).occurrences;
    const box = await device(h, h.tokens.admin, 'thon-2', 'Loa chợ');
    h.clock.set(new Date(Date.parse(airing!.at) + 5_000).toISOString());

    const from = hooks.received.length;
    const started = [{ id: 's1', occurrenceId: airing!.id, type: 'started', at: airing!.at }];
    dying.after = 'receiverSync.insertPlaybackEvents';
    const res = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: box.token,
      json: { events: started },
    });
    expect(res.status).toBe(500);
    // The box sends its batch again: stored already, a duplicate.
    await report(h, box.token, started);
    expect(await deliverAll(from)).toEqual([
      {
        type: 'bulletin.aired',
        timestamp: airing!.at,
        data: expect.objectContaining({ bulletinId: id, communeId: 'coc-san', receiverId: box.id }),
      },
    ]);
  });

  it('looks again at a box gone offline whose webhook could not be written, and sends it once', async () => {
    const box = await device(h, h.tokens.admin, 'thon-4', 'Cụm loa đầu bản');
    await beat(box.token, 2_000 * MB);
    h.clock.advance(3 * 60_000);
    const from = hooks.received.length;
    dying.failing = 'webhooks.insertDeliveries';
    await h.runtime.dispatcher.tick();
    expect(dying.failing).toBeUndefined();
    await h.runtime.dispatcher.tick();
    const offline = (await deliverAll(from)).filter((d) => d.type === 'receiver.offline');
    expect(offline.map((d) => d.data.receiverId)).toEqual([box.id]);
  });
});
