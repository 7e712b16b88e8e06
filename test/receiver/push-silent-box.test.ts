import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlineWindowMs } from '../../src/domain/receiver/health.js';
import { eventually } from '../support/agent-harness.js';
import { dialects } from '../support/databases.js';
import { fakeIntervals } from '../support/fake-intervals.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

/**
 * A box that lost power or its link never closes its push channel, and never writes on it: the server
 * closes the channel once the box's heartbeats have stopped for an online window, not when the kernel
 * gives up on the socket a quarter of an hour later.
 */
describe.each(dialects)('the push channel of a box gone silent, on %s', (dialect) => {
  let h: Harness;
  let server: RealServer;
  const intervals = fakeIntervals();
  beforeAll(async () => {
    h = await createHarness(dialect, {}, { pushTimers: intervals.timers });
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const hub = () => h.runtime.services.receiverHub;
  const heartbeat = async (token: string) => {
    const res = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token,
      json: { volume: 80, uptimeS: 600, freeBytes: 1_000_000, signal: -85, appVersion: '0.2.0' },
    });
    expect(res.status, await res.text()).toBe(200);
  };
  const open = async (token: string) => {
    const res = await fetch(`${server.url}/api/v1/receiver/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const channel = sseClient(res);
    await channel.next('schedule');
    return channel;
  };
  /** One silence check, as the hub's timer runs it: how many channels it closed. */
  const check = () => hub().closeSilent();

  it('closes the channel of the box whose heartbeats stopped, keeps the one still heard, and lets it come back', async () => {
    const alive = await createDevice(h, 'un-ta');
    const dead = await createDevice(h, 'un-ta');
    await heartbeat(alive.token);
    await heartbeat(dead.token);
    const kept = await open(alive.token);
    const silent = await open(dead.token);
    await eventually(() => hub().stats().connections === 2, 'both channels held');

    // A minute on: only one box still beats. Both channels are new to the check.
    h.clock.advance(60_000);
    await heartbeat(alive.token);
    expect(await check()).toBe(0);

    // A whole online window since the dead box was last heard: still online by the monitor's rule.
    h.clock.advance(onlineWindowMs() - 60_000);
    await heartbeat(alive.token);
    expect(await check()).toBe(0);

    // One second past it, the box counts as offline, and its channel goes when the timer next fires.
    h.clock.advance(1000);
    await heartbeat(alive.token);
    intervals.tick();
    expect(await silent.ended()).toBe(true);
    await eventually(() => hub().stats().connections === 1, 'the silent box’s channel released');

    // The box that was only asleep comes back with a heartbeat and a new channel, and it is held.
    await heartbeat(dead.token);
    const back = await open(dead.token);
    h.clock.advance(onlineWindowMs());
    await heartbeat(alive.token);
    await heartbeat(dead.token);
    expect(await check()).toBe(0);
    expect(await check()).toBe(0);
    expect(hub().stats().connections).toBe(2);
    await kept.cancel();
    await back.cancel();
    await eventually(() => hub().stats().connections === 0, 'channels released');
  });

  it('does not close a channel opened since the last check, before its box could beat', async () => {
    const early = await createDevice(h, 'thon-2');
    await heartbeat(early.token);
    h.clock.advance(10 * onlineWindowMs());
    // Its last heartbeat is long past, but the channel is newer than the last check.
    const channel = await open(early.token);
    await eventually(() => hub().stats().connections === 1, 'channel held');
    expect(await check()).toBe(0);
    // Held through a whole period without a heartbeat: gone at the next check.
    expect(await check()).toBe(1);
    expect(await channel.ended()).toBe(true);
  });
});
