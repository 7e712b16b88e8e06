import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

describe('push channels per receiver', () => {
  let h: Harness;
  let server: RealServer;
  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  const open = async (token: string) => {
    const res = await fetch(`${server.url}/api/v1/receiver/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const sse = sseClient(res);
    await sse.next('schedule');
    return sse;
  };

  it('keeps the two newest of one token: a third channel closes the oldest, and the newest gets events', async () => {
    const box = await createDevice(h, 'un-ta');
    const neighbour = await createDevice(h, 'un-ta');
    const other = await open(neighbour.token);
    const first = await open(box.token);
    const second = await open(box.token);
    expect(h.runtime.services.receiverHub.stats().connections).toBe(3);

    const third = await open(box.token);
    const firstEnded = await Promise.race([
      first.ended(),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000)),
    ]);
    expect(firstEnded, 'the server closed the oldest channel').toBe(true);
    await eventually(() => h.runtime.services.receiverHub.stats().connections === 3, 'three channels open');

    h.runtime.bus.publish({ type: 'stop', hamletIds: ['un-ta'], occurrenceId: 'occ-cap' });
    for (const sse of [third, second, other]) {
      expect(JSON.parse((await sse.next('stop')).data)).toEqual({ occurrenceId: 'occ-cap' });
    }
    expect(first.pending().some((e) => e.event === 'stop')).toBe(false);
    for (const sse of [other, second, third]) await sse.cancel();
    await eventually(() => h.runtime.services.receiverHub.stats().connections === 0, 'every channel closed');
  });
});
