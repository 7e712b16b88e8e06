import { describe, expect, it } from 'vitest';
import { encodePush, openSseChannel } from '../../src/http/sse.js';

describe('SSE channel', () => {
  it('encodes a message once however many channels it goes to', () => {
    const message = { type: 'schedule', version: 3 } as const;
    expect(new TextDecoder().decode(encodePush(message))).toBe('event: schedule\ndata: {"version":3}\n\n');
    expect(encodePush(message)).toBe(encodePush(message));
    expect(new TextDecoder().decode(encodePush({ type: 'ping' }))).toBe(': ping\n\n');
  });

  it('encodes a list of messages as their events in order, once', () => {
    const list = [
      { type: 'stop', occurrenceId: 'o1' },
      { type: 'schedule', version: 4 },
    ] as const;
    expect(new TextDecoder().decode(encodePush(list))).toBe(
      'event: stop\ndata: {"occurrenceId":"o1"}\n\nevent: schedule\ndata: {"version":4}\n\n',
    );
    expect(encodePush(list)).toBe(encodePush(list));
  });

  it('delivers everything to a client that reads', async () => {
    let closed = 0;
    const channel = openSseChannel({ maxQueuedBytes: 1024, onClose: () => closed++ });
    const reader = channel.stream.getReader();
    let received = 0;
    for (let i = 0; i < 100; i++) {
      channel.send(new Uint8Array(500));
      received += (await reader.read()).value!.byteLength;
    }
    expect(received).toBe(50_000);
    channel.close();
    expect((await reader.read()).done).toBe(true);
    expect(closed).toBe(1);
  });

  it('cuts off a client that stops reading once its queue is full, instead of queueing without bound', async () => {
    let closed = 0;
    const channel = openSseChannel({ maxQueuedBytes: 4096, onClose: () => closed++ });
    for (let i = 0; i < 10_000; i++) channel.send(new Uint8Array(100));
    expect(closed).toBe(1);
    const reader = channel.stream.getReader();
    // What was queued before the limit is readable; then the stream fails, which makes the server drop the socket.
    let queued = 0;
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          queued += value.byteLength;
        }
      })(),
    ).rejects.toThrow(/stopped reading/);
    expect(queued).toBeLessThanOrEqual(4096);
  });

  it('cuts off a client that leaves a few small messages unread past the time bound', async () => {
    let closed = 0;
    const channel = openSseChannel({ maxQueuedBytes: 64 * 1024, maxStallMs: 300, onClose: () => closed++ });
    const started = performance.now();
    for (let i = 0; i < 3; i++) channel.send(new Uint8Array(20));
    expect(closed).toBe(0);
    await expect.poll(() => closed, { timeout: 5000, interval: 20 }).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await expect(channel.stream.getReader().read()).rejects.toThrow(/stopped reading/);
  });

  it('keeps a client that reads, for many times the time bound', async () => {
    let closed = 0;
    const channel = openSseChannel({ maxQueuedBytes: 1024, maxStallMs: 200, onClose: () => closed++ });
    const reader = channel.stream.getReader();
    let received = 0;
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.byteLength;
        // A slow reader: each message waits a little before it is taken, so some always wait in the queue.
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    for (let i = 0; i < 60; i++) {
      channel.send(new Uint8Array(10));
      channel.send(new Uint8Array(10));
      await new Promise((r) => setTimeout(r, 15));
    }
    await expect.poll(() => received, { timeout: 5000, interval: 20 }).toBe(1200);
    expect(closed).toBe(0);
    channel.close();
    await reading;
  });

  it('tells the hub when the client goes away', async () => {
    let closed = 0;
    const channel = openSseChannel({ maxQueuedBytes: 1024, onClose: () => closed++ });
    await channel.stream.cancel();
    channel.send(new Uint8Array(10));
    expect(closed).toBe(1);
  });
});
