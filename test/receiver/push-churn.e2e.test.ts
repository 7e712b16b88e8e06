import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

/**
 * A push channel the server closes as soon as it is open: here two clones of the box's token, whose
 * channels the server's cap of two per receiver keeps in place of the box's. Time and the agent's random
 * source are the test's (always 1: the top of each jitter), so the delays are asserted to the millisecond.
 */
describe('push channel closed as soon as it opens', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  let device: { id: string; token: string };
  const settle = () => box.agent.whenIdle();
  const opens = () => box.calls.filter((c) => c.path === '/api/v1/receiver/events').length;
  const connected = () => box.agent.status().pushConnected;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    device = await createDevice(h, 'un-ta');
    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time, random: () => 1 });
    box.agent.start();
    await settle();
    await eventually(connected, 'the push channel');
  });

  afterAll(async () => {
    await box?.agent.stop();
    await server?.stop();
    await h?.close();
  });

  /** Two clones connect with the box's token: the server closes the box's channel, the oldest. */
  async function clonesTakeOver(): Promise<() => Promise<void>> {
    const clones: ReturnType<typeof sseClient>[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/api/v1/receiver/events`, {
        headers: { authorization: `Bearer ${device.token}` },
      });
      expect(res.status).toBe(200);
      const sse = sseClient(res);
      await sse.next('schedule');
      clones.push(sse);
    }
    await eventually(() => !connected(), 'the box’s channel to be closed');
    return async () => {
      for (const sse of clones) await sse.cancel();
    };
  }

  /** The box does not connect before `delayMs`, then does. */
  async function reconnectsAfter(delayMs: number): Promise<void> {
    const before = opens();
    await time.advance(delayMs - 1, settle);
    expect(opens(), `no attempt before ${delayMs} ms`).toBe(before);
    await time.advance(1, settle);
    await eventually(() => connected() && opens() === before + 1, `the channel back after ${delayMs} ms`);
    await settle();
  }

  it('backs off exponentially while its channels live only briefly, and comes back at once after a normal one', async () => {
    // The channel lived a normal time: a drop is a killed instance, the box is back within 0.5–3 s.
    await time.advance(60_000, settle);
    let release = await clonesTakeOver();
    await reconnectsAfter(3_000);
    await release();

    // Each channel now lives no time at all: the box backs off as after failed attempts, 1 s × 2ⁿ.
    for (const delayMs of [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]) {
      release = await clonesTakeOver();
      await reconnectsAfter(delayMs);
      await release();
    }

    // A channel that lived a normal time again: the next drop is followed within 0.5–3 s.
    await time.advance(60_000, settle);
    release = await clonesTakeOver();
    await reconnectsAfter(3_000);
    await release();
  });
});
