import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/** The real agent keeping its manifest in step with a real server when pushes and syncs cross. */
describe('a receiver agent syncing its schedule', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let a: TestAgent;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    const device = await createDevice(h, 'un-ta');
    a = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time });
    a.agent.start();
    await a.agent.whenIdle();
    await eventually(() => a.agent.status().pushConnected, 'the push channel');
    await a.agent.whenIdle();
  });
  afterAll(async () => {
    await a?.agent.stop();
    a?.close();
    await server?.stop();
    await h.close();
  });

  it('fetches again after a sync in flight when a newer version is pushed meanwhile, not at the next heartbeat', async () => {
    const before = a.agent.status().scheduleVersion;
    // The answer to a sync the box started is slow: the server read the schedule before the change below.
    const release = a.holdAnswers('/api/v1/receiver/schedule');
    const syncs = () => a.calls.filter((c) => c.path === '/api/v1/receiver/schedule').length;
    const asked = syncs();
    const inFlight = a.agent.sync();
    await eventually(() => syncs() > asked, 'the sync to reach the server');

    const ann = await createReadyAnnouncement(h, 'Tin mới', [{ language: 'vi', seconds: 1 }]);
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T10:00:00+07:00',
    });
    const { schedule_version: version } = await h.runtime.db.kysely
      .selectFrom('hamlets')
      .select('schedule_version')
      .where('id', '=', 'un-ta')
      .executeTakeFirstOrThrow();
    expect(version).toBeGreaterThan(before ?? 0);
    await eventually(
      () => a.pushText().includes(`data: {"version":${version}}`),
      'the push of the new version',
    );

    release();
    await inFlight;
    // No timer ran: neither a poll nor a heartbeat could have brought it.
    await a.agent.whenIdle();
    expect(a.agent.status().scheduleVersion).toBe(version);
    expect(syncs()).toBe(asked + 2);
  });
});
