import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BRIEF_CHANNEL_MS } from '../../src/receiver/backoff.js';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

/**
 * A real agent's push channel against a real server that closes it: on purpose with a `retry:` hint (a
 * graceful shutdown), or all at once with none (a killed instance). Time and the agent's random source are
 * the test's: the delays are asserted to the millisecond, nothing sleeps.
 */
describe('push channel reconnection', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  let device: { id: string; token: string };
  let draw = 0.2;
  const settle = () => box.agent.whenIdle();
  const opens = () => box.calls.filter((c) => c.path === '/api/v1/receiver/events').length;
  const connections = () => h.runtime.services.receiverHub.stats().connections;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    device = await createDevice(h, 'un-ta');
    box = createTestAgent({
      server: server.url,
      token: device.token,
      clock: h.clock,
      time,
      random: () => draw,
    });
    box.agent.start();
    await settle();
    await eventually(() => box.agent.status().pushConnected && connections() === 1, 'the push channel');
  });

  afterAll(async () => {
    await box?.agent.stop();
    await server?.stop();
    await h?.close();
  });

  it('waits the `retry:` the server closed the channel with, however long, then connects again', async () => {
    const before = opens();
    // The hub spreads its hint over [¼, 1] of the spread; its top here: exactly 20 s.
    const spread = vi.spyOn(Math, 'random').mockReturnValue(1);
    h.runtime.services.receiverHub.closeAll(20_000);
    spread.mockRestore();
    await eventually(() => !box.agent.status().pushConnected, 'the channel to end');
    await time.advance(19_999, settle);
    expect(opens()).toBe(before);
    expect(connections()).toBe(0);
    await time.advance(1, settle);
    await eventually(() => box.agent.status().pushConnected && connections() === 1, 'the channel back');
    expect(opens()).toBe(before + 1);
  });

  it('comes back within 0.5–3 s of a channel dropped without a hint, then backs off while it fails', async () => {
    // A channel that lived a normal time (one closed sooner counts as a failed attempt, push-churn.e2e).
    await time.advance(BRIEF_CHANNEL_MS, settle);
    const before = opens();
    draw = 0.2; // → 500 + 2,500 × 0.2 = 1,000 ms
    await server.stop();
    await eventually(() => !box.agent.status().pushConnected, 'the channel to drop');
    await time.advance(999, settle);
    expect(opens()).toBe(before);
    // The server is still down: the attempt at 1 s fails.
    await time.advance(1, settle);
    await eventually(() => opens() === before + 1, 'the first attempt');
    expect(box.calls.at(-1)).toMatchObject({ path: '/api/v1/receiver/events', status: 0 });
    // Failures back off exponentially with full jitter: min(1 s × 2⁰, 60 s) × 0.2 → its floor, 500 ms.
    await server.restart();
    await time.advance(499, settle);
    expect(opens()).toBe(before + 1);
    await time.advance(1, settle);
    await eventually(() => box.agent.status().pushConnected && connections() === 1, 'the channel back');
    expect(opens()).toBe(before + 2);
  });

  it('plays its new hamlet’s schedule as soon as it is moved there, whose version may equal the old one’s', async () => {
    // One booking for both hamlets: their schedules now have the same version number.
    const ann = await createReadyAnnouncement(h, 'Họp hai thôn', [{ language: 'vi', seconds: 1 }]);
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-11-27T10:00:00+07:00',
    });
    await box.agent.sync();
    const versions = await h.runtime.db.kysely
      .selectFrom('hamlets')
      .select('schedule_version')
      .where('id', 'in', ['un-ta', 'thon-2'])
      .execute();
    expect(new Set(versions.map((v) => v.schedule_version)).size).toBe(1);
    expect(box.agent.status().etag).toContain('h-un-ta-');

    await time.advance(BRIEF_CHANNEL_MS, settle);
    const before = opens();
    draw = 0.2;
    const moved = await h.request(`/api/v1/receivers/${device.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-2' },
    });
    expect(moved.status).toBe(200);
    await eventually(() => !box.agent.status().pushConnected, 'the channel to be closed by the move');
    await time.advance(1_000, settle);
    await eventually(() => box.agent.status().pushConnected && opens() === before + 1, 'the channel back');
    await settle();
    expect(box.agent.status().etag).toContain('h-thon-2-');
  });
});
