import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import {
  createDevice,
  createReadyAnnouncement,
  scheduleBroadcast,
  type FixtureAnnouncement,
} from '../support/receiver-fixtures.js';

/**
 * A box of this version against a server that knows more: a priority and an audio format this agent does
 * not (written in the database as a newer server sharing it would), in its manifest and in a pushed
 * emergency. The box plays what it can read and passes over the rest.
 */
describe('a receiver agent reading items of a newer server', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let a: TestAgent;
  let device: { id: string; token: string };
  const ann: Record<string, FixtureAnnouncement> = {};
  const settle = () => a.agent.whenIdle({ audio: false });
  const fileOf = (name: string, part = 0) =>
    a.cache.pathOf({ sha256: ann[name]!.variants[part]!.sha256, format: 'mp3', bytes: 0, url: '' });
  const played = () => a.record().flatMap((r) => (r.event === 'play' ? [r.target] : []));
  const book = async (body: Record<string, unknown>) =>
    (await scheduleBroadcast(h, { hamletIds: ['un-ta'], ...body })).occurrences[0]!.id;
  /** The format of a recording, as a newer server would have made it. */
  const newerFormat = (name: string, part: number) =>
    h.runtime.db.kysely
      .updateTable('audio_assets')
      .set({ format: 'aac' as never })
      .where('sha256', '=', ann[name]!.variants[part]!.sha256)
      .execute();

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    ann.meeting = await createReadyAnnouncement(h, 'Họp thôn', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    ann.market = await createReadyAnnouncement(h, 'Phiên chợ', [{ language: 'vi', seconds: 1 }]);
    ann.news = await createReadyAnnouncement(h, 'Bản tin', [{ language: 'vi', seconds: 1 }]);
    ann.flood = await createReadyAnnouncement(h, 'Lũ quét', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    const hashes = Object.values(ann).flatMap((x) => x.variants.map((v) => v.sha256));
    expect(new Set(hashes).size).toBe(hashes.length);
    device = await createDevice(h, 'un-ta');
  });
  afterAll(async () => {
    await a?.agent.stop();
    await server.stop();
    await h.close();
  });

  it('plays the items of its manifest it can read, passing over a new priority and a new audio format', async () => {
    await book({ announcementId: ann.meeting!.id, at: '2026-11-27T09:00:00+07:00' });
    const market = await book({ announcementId: ann.market!.id, at: '2026-11-27T09:10:00+07:00' });
    await book({ announcementId: ann.news!.id, at: '2026-11-27T09:20:00+07:00' });
    await newerFormat('meeting', 1);
    await h.runtime.db.kysely
      .updateTable('occurrences')
      .set({ priority: 'urgent' as never })
      .where('id', '=', market)
      .execute();

    a = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time });
    a.agent.start();
    await settle();
    expect(a.agent.status().scheduleVersion, 'the manifest was taken').not.toBeNull();
    await time.advanceTo('2026-11-27T02:00:30.000Z', settle);
    await eventually(() => played().includes(fileOf('meeting')), 'the meeting to play');
    await time.advanceTo('2026-11-27T02:30:00.000Z', settle);
    await eventually(() => played().includes(fileOf('news')), 'the news to play');
    expect(played()).toEqual([fileOf('meeting'), fileOf('news')]);
  });

  it('plays a pushed emergency without the part it cannot read', async () => {
    await eventually(() => a.agent.status().pushConnected, 'the push channel');
    await newerFormat('flood', 1);
    await book({
      announcementId: ann.flood!.id,
      at: h.clock.now().toISOString(),
      priority: 'emergency',
    });
    await eventually(() => played().includes(fileOf('flood')), 'the emergency to play');
    await time.advance(60_000, settle);
    expect(played().filter((f) => f === fileOf('flood', 1))).toEqual([]);
  });
});
