import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement } from '../support/receiver-fixtures.js';

/**
 * A disaster bulletin on a real agent of protocol v1 (unchanged): each airing plays the spoken header
 * with the issue time, then the bulletin, and the next airing two hours later does the same.
 */
describe('a disaster bulletin on a real receiver agent', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    const device = await createDevice(h, 'un-ta');
    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time });
    box.agent.start();
    await box.agent.whenIdle();
  });
  afterAll(async () => {
    await box?.agent.stop();
    await server?.stop();
    await h?.close();
  });

  it('plays the header, then the bulletin, at once and again on the next repeat', async () => {
    await eventually(() => box.agent.status().pushConnected, 'the push channel');
    const content = await createReadyAnnouncement(h, 'Bão số 3, tin số 1', [{ language: 'vi', seconds: 2 }], {
      category: 'thien-tai',
    });
    const post = (path: string, json: unknown) =>
      h.request(path, { method: 'POST', token: h.tokens.officer, json });
    const event = (await (
      await post('/api/v1/disaster/events', { name: 'Bão số 3', hazardType: 'storm' })
    ).json()) as {
      id: string;
    };
    const res = await post(`/api/v1/disaster/events/${event.id}/bulletins`, {
      announcementId: content.id,
      riskLevel: 4,
      agency: 'Đài KTTV tỉnh Lào Cai',
      issuedAt: '2026-11-27T07:30:00+07:00',
      hamletIds: ['un-ta'],
    });
    expect(res.status).toBe(201);
    const manifest = (await (
      await h.request('/api/v1/receiver/schedule', { token: (await createDevice(h, 'un-ta')).token })
    ).json()) as Manifest;
    const header = manifest.items.find((i) => i.part === 0 && i.title === 'Bão số 3, tin số 1')!.audio!;
    const pathOf = (sha256: string) => box.cache.pathOf({ sha256, format: 'mp3', bytes: 0, url: '' });
    const played = () =>
      box
        .record()
        .filter((r) => r.event === 'play')
        .map((r) => r.target);

    // Pushed as an emergency: header first, then the bulletin.
    await eventually(() => played().includes(pathOf(content.variants[0]!.sha256)), 'the bulletin to play');
    await box.agent.whenIdle();
    expect(played()).toEqual([pathOf(header.sha256), pathOf(content.variants[0]!.sha256)]);

    // 10:00 local, the next repeat on the hour: the same header says 07:30 again.
    await time.advanceTo('2026-11-27T03:00:30.000Z', () => box.agent.whenIdle());
    expect(played()).toEqual([
      pathOf(header.sha256),
      pathOf(content.variants[0]!.sha256),
      pathOf(header.sha256),
      pathOf(content.variants[0]!.sha256),
    ]);
  });
});
