import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice } from '../support/receiver-fixtures.js';

function openPush(port: number, token: string): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.write(`GET /api/v1/receiver/events HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  return socket;
}

describe('a push client that never reads', () => {
  let h: Harness;
  let server: RealServer;
  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server.stop();
    await h.close();
  });

  it('is cut off once its queue is full, while a reading client gets every event', async () => {
    const stalled = await createDevice(h, 'un-ta');
    const reading = await createDevice(h, 'un-ta');
    const stuck = openPush(server.port, stalled.token);
    stuck.on('error', () => undefined);
    stuck.pause();
    const healthy = openPush(server.port, reading.token);
    let received = 0;
    healthy.on('data', (chunk: Buffer) => (received += chunk.toString().split('event: stop').length - 1));
    await eventually(() => h.runtime.services.receiverHub.stats().connections === 2, 'both channels open');

    // 400 events of 50 KB: 20 MB, far more than the kernel's socket buffers hold.
    const occurrenceId = 'x'.repeat(50_000);
    for (let i = 0; i < 400; i++) {
      h.runtime.bus.publish({ type: 'stop', hamletIds: ['un-ta'], occurrenceId });
      await new Promise((r) => setImmediate(r));
    }
    await eventually(() => received === 400, 'the reading client to get all 400 events', 20_000);
    expect(h.runtime.services.receiverHub.stats()).toEqual({ connections: 1, hamlets: { 'un-ta': 1 } });
    stuck.destroy();
    healthy.destroy();
  });
});

describe('a push client that stops reading, with the byte bound out of reach', () => {
  let h: Harness;
  let server: RealServer;
  beforeAll(async () => {
    // The time bound small, the byte bound far above what is sent: only the time can cut the client off.
    h = await createHarness('sqlite', {}, { push: { maxQueuedBytes: 256 * 1024 * 1024, maxStallMs: 300 } });
    server = await startRealServer(h);
  });
  afterAll(async () => {
    await server?.stop();
    await h?.close();
  });

  it('is cut off once what waits for it has not moved for the time bound', async () => {
    const stalled = await createDevice(h, 'un-ta');
    const reading = await createDevice(h, 'un-ta');
    const stuck = openPush(server.port, stalled.token);
    stuck.on('error', () => undefined);
    stuck.pause();
    const healthy = openPush(server.port, reading.token);
    let received = 0;
    healthy.on('data', (chunk: Buffer) => (received += chunk.toString().split('event: stop').length - 1));
    await eventually(() => h.runtime.services.receiverHub.stats().connections === 2, 'both channels open');

    // 20 MB fill the kernel's socket buffers between server and client; what is left waits in the server.
    const occurrenceId = 'x'.repeat(50_000);
    for (let i = 0; i < 400; i++) {
      h.runtime.bus.publish({ type: 'stop', hamletIds: ['un-ta'], occurrenceId });
      await new Promise((r) => setImmediate(r));
    }
    await eventually(() => received === 400, 'the reading client to get all 400 events', 20_000);
    await eventually(
      () => h.runtime.services.receiverHub.stats().connections === 1,
      'the stalled client to be cut off',
      10_000,
    );
    expect(h.runtime.services.receiverHub.stats()).toEqual({ connections: 1, hamlets: { 'un-ta': 1 } });
    stuck.destroy();
    healthy.destroy();
  });
});
