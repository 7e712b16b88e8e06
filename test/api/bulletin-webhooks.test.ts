import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBulletin } from '../support/bulletins.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { device, report } from '../support/province-scenario.js';
import { readmeVerifier, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The `bulletin.aired` webhook: the first box of a commune that reports starting a province bulletin
 * tells the operations centre once for that commune, signed like every delivery; later reports of the
 * same bulletin in the same commune (another box, another airing, the same report again) add nothing.
 */
describe.each(dialects)('bulletin.aired webhook on %s', (dialect) => {
  let h: Harness;
  let p: ProvinceFixture;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await createHarness(
      dialect,
      { WEBHOOK_ALLOW_PRIVATE: '1' },
      { resolveHost: async (name) => (name === 'hooks.test' ? ['127.0.0.1'] : []) },
    );
    p = await provinceFixture(h);
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  it('is sent once per bulletin and commune, when a box first reports starting it', async () => {
    const registered = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: p.tokens.provinceAdmin,
      json: { url: receiver.url(), events: ['bulletin.aired'] },
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };

    const { id } = await sendBulletin(h, p.tokens.provinceOfficer, 'normal', ['coc-san', otherCommune]);
    const booked = await h.request(`/api/v1/bulletins/${id}/schedule`, {
      method: 'POST',
      token: h.tokens.officer,
      json: {
        hamletIds: ['un-ta'],
        recurrence: { cron: '0 9 * * *', from: '2026-11-28T00:00:00+07:00', count: 2 },
      },
    });
    expect(booked.status, await booked.clone().text()).toBe(201);
    const [first, second] = ((await booked.json()) as { occurrences: { id: string; at: string }[] })
      .occurrences;
    const a = await device(h, h.tokens.admin, 'un-ta', 'Cụm loa A');
    const b = await device(h, h.tokens.admin, 'un-ta', 'Cụm loa B');

    h.clock.set('2026-11-28T02:00:05.000Z');
    // Nothing aired yet: nothing to send.
    expect(await h.runtime.webhookSender.drain()).toBe(0);
    await report(h, a.token, [{ id: 'a1', occurrenceId: first!.id, type: 'started', at: first!.at }]);
    await report(h, b.token, [{ id: 'b1', occurrenceId: first!.id, type: 'started', at: first!.at }]);
    await report(h, a.token, [{ id: 'a1', occurrenceId: first!.id, type: 'started', at: first!.at }]);
    expect(await h.runtime.webhookSender.drain()).toBe(1);
    h.clock.set('2026-11-29T02:00:05.000Z');
    await report(h, b.token, [{ id: 'b2', occurrenceId: second!.id, type: 'started', at: second!.at }]);
    expect(await h.runtime.webhookSender.drain()).toBe(0);

    expect(receiver.received).toHaveLength(1);
    const hook = receiver.received[0]!;
    const verify = await readmeVerifier();
    expect(verify(secret, hook.headers, hook.body, Date.parse('2026-11-28T02:00:05.000Z') / 1000)).toBe(true);
    expect(JSON.parse(hook.body)).toEqual({
      type: 'bulletin.aired',
      timestamp: first!.at,
      data: {
        bulletinId: id,
        title: expect.stringMatching(/^Bản tin normal số \d+$/),
        level: 'normal',
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        receiverId: a.id,
        startedAt: first!.at,
      },
    });
    const events = await h.runtime.db.kysely.selectFrom('webhook_events').selectAll().execute();
    expect(events.map((e) => e.dedupe_key)).toEqual([`bulletin.aired:${id}:coc-san`]);
  });
});
