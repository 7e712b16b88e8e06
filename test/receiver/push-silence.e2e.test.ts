import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/in-process-bus.js';
import { PUSH_KEEP_ALIVE_MS } from '../../src/domain/receiver/protocol.js';
import { PUSH_SILENCE_MS } from '../../src/receiver/backoff.js';
import { createReceiverHub } from '../../src/services/receiver-hub.js';
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

const EVENTS = '/api/v1/receiver/events';

interface LinkChannel {
  /** What reached the box on this channel. */
  readonly forwarded: () => string;
  /** Writes a keep-alive comment to the box, as its server does. */
  ping(): void;
  /** From now on nothing reaches the box and nothing closes: its server vanished, or the NAT forgot it. */
  cut(): void;
}

/**
 * The network between a box and its server: forwards every request to `upstream`, and lets the test make
 * a push channel go silent with its socket left open, or leave the next one unanswered.
 */
async function startLink(upstream: string) {
  const target = new URL(upstream);
  const channels: LinkChannel[] = [];
  const unanswered: ServerResponse[] = [];
  let requested = 0;
  let answerNext = true;
  const server = createServer((req, res) => {
    const push = req.url?.startsWith(EVENTS) ?? false;
    if (push) requested += 1;
    if (push && !answerNext) {
      answerNext = true;
      unanswered.push(res);
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!push) return void answer.pipe(res);
        let live = true;
        let forwarded = '';
        channels.push({
          forwarded: () => forwarded,
          ping: () => res.write(': ping\n\n'),
          cut: () => (live = false),
        });
        answer.on('data', (chunk: Buffer) => {
          if (!live) return;
          forwarded += chunk.toString();
          res.write(chunk);
        });
        answer.on('end', () => live && res.end());
      },
    );
    forward.on('error', () => res.destroy());
    // The box gave the channel up: its server sees the connection go, as it would see a reset.
    if (push) res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    channels,
    /** Push channels the box asked for through the link. */
    requested: () => requested,
    /** The next push channel is taken and never answered, not even with headers. */
    leaveNextUnanswered: () => void (answerNext = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of unanswered) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A real agent whose push channel's server vanishes without closing it: nothing arrives, nothing errors.
 * Its watchdog leaves the channel once no byte came for two keep-alives and a margin, and connects again.
 * The box's time is the test's; the keep-alives on it are written by the test, as the server would.
 */
describe('a push channel gone silent', () => {
  let h: Harness;
  let server: RealServer;
  let link: Awaited<ReturnType<typeof startLink>>;
  let time: FakeTime;
  let box: TestAgent;
  let flood: FixtureAnnouncement;
  let draw = 0.2;
  const settle = () => box.agent.whenIdle({ audio: false });
  const connected = () => box.agent.status().pushConnected;
  const connections = () => h.runtime.services.receiverHub.stats().connections;
  /** A keep-alive from the server, once the box has read it. */
  const keepAlive = async (channel: LinkChannel) => {
    const before = box.pushBytes();
    channel.ping();
    await eventually(() => box.pushBytes() > before, 'the keep-alive to reach the box');
    await new Promise((resolve) => setImmediate(resolve));
  };

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    link = await startLink(server.url);
    time = createFakeTime(h.clock);
    flood = await createReadyAnnouncement(h, 'Lũ quét', [{ language: 'vi', seconds: 1 }]);
    const device = await createDevice(h, 'un-ta');
    box = createTestAgent({
      server: link.url,
      token: device.token,
      clock: h.clock,
      time,
      random: () => draw,
      pushSilenceMs: PUSH_SILENCE_MS,
    });
    box.agent.start();
    await settle();
    await eventually(() => connected() && connections() === 1, 'the push channel');
  });

  afterAll(async () => {
    await box?.agent.stop();
    await link?.close();
    await server?.stop();
    await h?.close();
  });

  it('waits for two of the server’s keep-alives and a margin, the server’s own interval', () => {
    const intervals: number[] = [];
    const hub = createReceiverHub({
      bus: createEventBus(),
      emergencyItems: async () => [],
      recheck: () => new Promise<never>(() => {}),
      timers: { setInterval: (_, ms) => intervals.push(ms), clearInterval: () => {}, defer: () => {} },
    });
    hub.connect(
      { hamletId: 'un-ta' },
      { receiverId: 'r', tokenHash: 't', deliver: () => {}, close: () => {} },
    );
    expect(intervals).toEqual([PUSH_KEEP_ALIVE_MS]);
    expect(PUSH_SILENCE_MS).toBeGreaterThan(2 * PUSH_KEEP_ALIVE_MS);
    expect(PUSH_SILENCE_MS).toBeLessThan(3 * PUSH_KEEP_ALIVE_MS);
  });

  it('keeps a channel that hears the server’s keep-alives, however long nothing else comes', async () => {
    const channel = link.channels.at(-1)!;
    // Half an hour of keep-alives alone, then one coming as late as the watchdog allows.
    for (let i = 0; i < 72; i++) {
      await time.advance(PUSH_KEEP_ALIVE_MS, settle);
      await keepAlive(channel);
    }
    await time.advance(PUSH_SILENCE_MS - 1, settle);
    await keepAlive(channel);
    await time.advance(PUSH_SILENCE_MS - 1, settle);
    expect(connected()).toBe(true);
    expect(link.requested()).toBe(1);
    expect(connections()).toBe(1);
  });

  it('leaves a channel silent for the bound, connects again, fetches its schedule and plays an emergency pushed on the new channel', async () => {
    const silent = link.channels.at(-1)!;
    await keepAlive(silent);
    silent.cut();
    const schedules = () => box.calls.filter((c) => c.path === '/api/v1/receiver/schedule').length;
    const fetched = schedules();

    await time.advance(PUSH_SILENCE_MS - 1, settle);
    expect(connected()).toBe(true);
    await time.advance(1, settle);
    await eventually(() => !connected(), 'the silent channel to be left');
    draw = 0.2; // a dropped channel comes back after 500 + 2,500 × 0.2 = 1,000 ms
    await time.advance(999, settle);
    expect(link.requested()).toBe(1);
    await time.advance(1, settle);
    await eventually(() => connected() && link.channels.length === 2, 'a new channel');
    await settle();
    expect(link.requested()).toBe(2);
    expect(schedules()).toBe(fetched + 1);
    // The server let the old one go once the box gave it up.
    await eventually(() => connections() === 1, 'the server to hold the new channel only');

    h.clock.set(new Date(h.clock.now().getTime() + 1000));
    const alarm = await scheduleBroadcast(h, {
      announcementId: flood.id,
      hamletIds: ['un-ta'],
      at: h.clock.now().toISOString(),
      priority: 'emergency',
    });
    const occurrenceId = alarm.occurrences[0]!.id;
    const file = box.cache.pathOf({ sha256: flood.variants[0]!.sha256, format: 'mp3', bytes: 0, url: '' });
    await eventually(
      () => box.record().some((r) => r.event === 'play' && r.target === file),
      'the emergency',
    );
    const pushed = link.channels[1]!.forwarded();
    expect(pushed).toContain('event: play');
    expect(pushed).toContain(occurrenceId);
    expect(silent.forwarded()).not.toContain(occurrenceId);
  });

  it('leaves a server that takes the request and never answers, then backs off as after any failure', async () => {
    const current = link.channels.at(-1)!;
    await keepAlive(current);
    current.cut();
    link.leaveNextUnanswered();
    await time.advance(PUSH_SILENCE_MS, settle);
    await eventually(() => !connected(), 'the silent channel to be left');
    // `whenIdle` waits for the request left unanswered too: from here the box only gets a moment.
    const moment = () => new Promise((resolve) => setTimeout(resolve, 10));
    await time.advance(1000, moment);
    await eventually(() => link.requested() === 3, 'the attempt left unanswered');

    await time.advance(PUSH_SILENCE_MS - 1, moment);
    expect(link.requested()).toBe(3);
    await time.advance(1, moment);
    await eventually(
      () => box.calls.some((c) => c.path === EVENTS && c.status === 0),
      'the attempt to be given up',
    );
    // The first failure in a row backs off min(1 s, 60 s) × 0.2, at least its floor of 500 ms.
    await time.advance(499, settle);
    expect(link.requested()).toBe(3);
    await time.advance(1, settle);
    await eventually(() => connected() && link.channels.length === 3, 'the channel back');
    expect(link.requested()).toBe(4);
  });
});
