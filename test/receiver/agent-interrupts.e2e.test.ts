import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTION_DETAILS } from '../../src/domain/receiver/protocol.js';
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
 * What stops or holds back what a box plays, with a real agent against a real server on fake time: an
 * emergency repeat that only the manifest carries, content the commune takes off the air while it plays,
 * an emergency pushed while the item due is still downloading, and a power cut during a download.
 */
describe('a receiver agent interrupted', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let a: TestAgent;
  let device: { id: string; token: string };
  const ann: Record<string, FixtureAnnouncement> = {};
  const settle = () => a.agent.whenIdle({ audio: false });
  const fileOf = (t: TestAgent, name: string, part = 0) =>
    t.cache.pathOf({ sha256: ann[name]!.variants[part]!.sha256, format: 'mp3', bytes: 0, url: '' });
  const events = async (occurrenceId: string) =>
    (
      await h.runtime.db.kysely
        .selectFrom('playback_events')
        .select(['type', 'detail'])
        .where('occurrence_id', '=', occurrenceId)
        .orderBy('at')
        .orderBy('type', 'desc')
        .execute()
    ).map((e) => [e.type, e.detail]);
  const book = async (body: Record<string, unknown>) =>
    (await scheduleBroadcast(h, { hamletIds: ['un-ta'], ...body })).occurrences[0]!.id;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    ann.talk = await createReadyAnnouncement(h, 'Nói chuyện chuyên đề', [{ language: 'vi', seconds: 1 }]);
    ann.warning = await createReadyAnnouncement(h, 'Cảnh báo sạt lở', [{ language: 'vi', seconds: 1 }]);
    ann.meeting = await createReadyAnnouncement(h, 'Họp thôn', [
      { language: 'vi', seconds: 2 },
      { language: 'giay', seconds: 1 },
    ]);
    ann.market = await createReadyAnnouncement(h, 'Phiên chợ', [{ language: 'vi', seconds: 1 }]);
    ann.flood = await createReadyAnnouncement(h, 'Lũ quét', [{ language: 'vi', seconds: 1 }]);
    ann.vaccine = await createReadyAnnouncement(h, 'Tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    device = await createDevice(h, 'un-ta');
  });
  afterAll(async () => {
    await a?.agent.stop();
    await server.stop();
    await h.close();
  });

  it('stops an item still playing for an emergency repeat that only its manifest carries', async () => {
    const talk = await book({ announcementId: ann.talk!.id, at: '2026-11-27T09:00:00+07:00' });
    const warning = await book({
      announcementId: ann.warning!.id,
      at: '2026-11-27T09:05:00+07:00',
      priority: 'emergency',
      repeat: { count: 1, intervalMin: 10 },
    });
    a = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time });
    a.agent.start();
    // A long talk: the held player plays on until it is stopped.
    a.holdOn(ann.talk!.variants[0]!.sha256);
    await time.advanceTo('2026-11-27T02:00:30.000Z', settle);
    await eventually(() => a.record().at(-1)?.target === fileOf(a, 'talk'), 'the talk to play');

    await time.advanceTo('2026-11-27T02:05:30.000Z', settle);
    await eventually(() => a.record().at(-1)?.target === fileOf(a, 'warning'), 'the emergency to play');
    a.holdOn('');
    expect(a.record().slice(-3)).toEqual([
      { event: 'play', target: fileOf(a, 'talk') },
      { event: 'stop', target: fileOf(a, 'talk') },
      { event: 'play', target: fileOf(a, 'warning') },
    ]);
    await time.advance(60_000, () => a.agent.whenIdle());
    expect(await events(talk)).toEqual([
      ['started', null],
      ['failed', INTERRUPTION_DETAILS.preempted],
    ]);
    expect(await events(warning)).toEqual([
      ['started', null],
      ['completed', null],
    ]);
  });

  it('stops content the office rejects while it plays, and plays none of its other parts', async () => {
    const meeting = await book({ announcementId: ann.meeting!.id, at: '2026-11-27T10:00:00+07:00' });
    a.holdOn(ann.meeting!.variants[0]!.sha256);
    // Rejected a second into its three: on the air, by the server's reckoning too.
    await time.advanceTo('2026-11-27T03:00:01.000Z', settle);
    await eventually(() => a.record().at(-1)?.target === fileOf(a, 'meeting'), 'the meeting to play');

    const rejected = await h.request(`/api/v1/announcements/${ann.meeting!.id}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Sai giờ họp' },
    });
    expect(rejected.status).toBe(200);
    await eventually(() => a.record().at(-1)?.event === 'stop', 'the meeting to stop');
    a.holdOn('');
    await time.advance(5 * 60_000, () => a.agent.whenIdle());
    expect(a.record().slice(-2)).toEqual([
      { event: 'play', target: fileOf(a, 'meeting') },
      { event: 'stop', target: fileOf(a, 'meeting') },
    ]);
    expect(a.record().some((r) => r.target === fileOf(a, 'meeting', 1))).toBe(false);
    expect(await events(meeting)).toEqual([
      ['started', null],
      ['failed', INTERRUPTION_DETAILS.offAir],
    ]);
  });

  it('plays a pushed emergency at once while the item due is still downloading over a slow link', async () => {
    const market = await book({ announcementId: ann.market!.id, at: '2026-11-27T11:00:00+07:00' });
    await time.advanceTo('2026-11-27T03:59:00.000Z', () => a.agent.whenIdle());
    // Its cached copy is gone, and fetching it again takes longer than the emergency may wait.
    rmSync(fileOf(a, 'market'));
    const release = a.holdDownloads(ann.market!.variants[0]!.sha256);
    // Timers run without waiting for the agent's work: the download never ends by itself.
    await time.advanceTo('2026-11-27T04:00:10.000Z', async () => {});
    await eventually(() => a.agent.status().playing === market, 'the market item to be taken up');

    const flood = await book({
      announcementId: ann.flood!.id,
      at: h.clock.now().toISOString(),
      priority: 'emergency',
      repeat: { count: 1, intervalMin: 10 },
    });
    await eventually(() => a.record().at(-1)?.target === fileOf(a, 'flood'), 'the emergency to play');
    release();
    await time.advance(5 * 60_000, () => a.agent.whenIdle());
    expect(a.record().some((r) => r.target === fileOf(a, 'market'))).toBe(false);
    expect(await events(market)).toEqual([['failed', INTERRUPTION_DETAILS.preempted]]);
    expect(await events(flood)).toEqual([
      ['started', null],
      ['completed', null],
    ]);
  });

  it('plays after a power cut an item it was downloading when the power went', async () => {
    // In thôn 2, where nothing else is booked.
    const vaccine = await book({
      announcementId: ann.vaccine!.id,
      hamletIds: ['thon-2'],
      at: '2026-11-27T12:00:00+07:00',
    });
    const box = await createDevice(h, 'thon-2', 'Cụm loa thôn 2');
    // A box of its own on a clock of its own: once the power is cut, nothing of it runs any more.
    const ownTime = createFakeTime(h.clock);
    const before = createTestAgent({ server: server.url, token: box.token, clock: h.clock, time: ownTime });
    before.holdDownloads(ann.vaccine!.variants[0]!.sha256);
    before.agent.start();
    await eventually(() => before.agent.status().scheduleVersion !== null, 'the first sync');
    await ownTime.advanceTo('2026-11-27T05:00:05.000Z', async () => {});
    await eventually(() => before.agent.status().playing === vaccine, 'the download to begin');
    before.close();

    const after = createTestAgent({
      server: server.url,
      token: box.token,
      clock: h.clock,
      time,
      dir: before.dir,
    });
    after.agent.start();
    await time.advanceTo('2026-11-27T05:02:00.000Z', () =>
      Promise.all([after.agent.whenIdle(), a.agent.whenIdle()]),
    );
    expect(after.record().map((r) => r.target)).toEqual([fileOf(after, 'vaccine')]);
    await after.agent.stop();
    const stored = await h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['type', 'detail'])
      .where('receiver_id', '=', box.id)
      .where('occurrence_id', '=', vaccine)
      .orderBy('type', 'desc')
      .execute();
    expect(stored.map((e) => [e.type, e.detail])).toEqual([
      ['started', null],
      ['completed', null],
    ]);
  });
});
