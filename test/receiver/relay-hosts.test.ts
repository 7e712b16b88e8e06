import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, eventually, PUBLIC_ADDRESS, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, scheduleBroadcast } from '../support/receiver-fixtures.js';

// Names the server accepts (they look public); what they resolve to is the box's network's answer.
const relays = {
  public: 'http://radio.example.vn/vov1',
  private: 'http://radio-xa.example.vn/live',
  mixed: 'http://mixed.example.vn/live',
  unknown: 'http://gone.example.vn/live',
} as const;
const hosts = {
  // An IPv4 answer and the DNS64 answer of an IPv6-only network for a public address.
  'radio.example.vn': [PUBLIC_ADDRESS, '64:ff9b::e0e:a00'],
  // A DNS answer that sends the boxes to a machine of the commune office's own network.
  'radio-xa.example.vn': ['10.0.0.5'],
  'mixed.example.vn': [PUBLIC_ADDRESS, 'fd00::5'],
};

/** A real agent against a real server, whose resolver answers from `hosts`, on fake time. */
describe('the box checks where a relay host resolves before it plays', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  const occurrence: Record<string, string> = {};
  const settle = () => box.agent.whenIdle();
  const serverEvents = async (occurrenceId: string) =>
    h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['type', 'at', 'detail'])
      .where('occurrence_id', '=', occurrenceId)
      .orderBy('at')
      .orderBy('type', 'desc')
      .execute();

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    const times = ['09:00', '09:10', '09:20', '09:30'];
    for (const [i, [name, url]] of Object.entries(relays).entries()) {
      const booked = await scheduleBroadcast(h, {
        relay: { url, durationS: 60 },
        hamletIds: ['un-ta'],
        at: `2026-11-27T${times[i]}:00+07:00`,
      });
      occurrence[name] = booked.occurrences[0]!.id;
    }
    const device = await createDevice(h, 'un-ta');
    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time, hosts });
    box.agent.start();
    await settle();
  });

  afterAll(async () => {
    await box?.agent.stop();
    await server?.stop();
    await h.close();
  });

  it('plays a relay whose host resolves to public addresses', async () => {
    await time.advanceTo('2026-11-27T02:00:30.000Z', settle);
    await eventually(() => box.record().at(-1)?.target === relays.public, 'the relay to start');
    await time.advanceTo('2026-11-27T02:01:30.000Z', settle);
    await box.agent.whenIdle({ relays: true });
    expect(box.record()).toEqual([
      { event: 'play', target: relays.public },
      { event: 'stop', target: relays.public },
    ]);
    expect((await serverEvents(occurrence.public!)).map((e) => [e.type, e.at, e.detail])).toEqual([
      ['started', '2026-11-27T02:00:00.000Z', null],
      ['completed', '2026-11-27T02:01:00.000Z', null],
    ]);
  });

  it('refuses, without starting the player, a relay whose host resolves to any private address', async () => {
    await time.advanceTo('2026-11-27T02:31:30.000Z', settle);
    await box.agent.whenIdle({ relays: true });
    expect(box.agent.status().pendingEvents).toBe(0);
    // Only the public relay ever reached the player.
    expect(box.record().map((r) => r.target)).toEqual([relays.public, relays.public]);
    expect(await serverEvents(occurrence.private!)).toEqual([
      {
        type: 'failed',
        at: '2026-11-27T02:10:00.000Z',
        detail: 'relay host resolves to a private address: radio-xa.example.vn → 10.0.0.5',
      },
    ]);
    expect(await serverEvents(occurrence.mixed!)).toEqual([
      {
        type: 'failed',
        at: '2026-11-27T02:20:00.000Z',
        detail: 'relay host resolves to a private address: mixed.example.vn → fd00::5',
      },
    ]);
    const unknown = await serverEvents(occurrence.unknown!);
    expect(unknown.map((e) => e.type)).toEqual(['failed']);
    expect(unknown[0]!.detail).toMatch(/^relay host could not be resolved: gone\.example\.vn .*ENOTFOUND/);
  });
});

/**
 * A relay URL as written, not as the server now stores it (`url.href`): a booking kept from before, or a
 * server that does not normalise. The box's check reads the host as WHATWG does; the player must get the
 * URL in that same reading, or it connects where the check never looked.
 */
describe('the box plays a relay at the address it checked', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  // WHATWG takes the backslash for a slash (host radio.example.vn); ffmpeg's parser reads `radio.example.vn\`
  // as a user name and connects to 10.0.0.5.
  const written = 'http://radio.example.vn\\@10.0.0.5/live';

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    const booked = await scheduleBroadcast(h, {
      relay: { url: 'http://radio.example.vn/live', durationS: 60 },
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    await h.runtime.db.kysely
      .updateTable('broadcasts')
      .set({ relay_url: written })
      .where('id', '=', booked.id)
      .execute();
    const device = await createDevice(h, 'un-ta');
    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time, hosts });
    box.agent.start();
    await box.agent.whenIdle();
  });

  afterAll(async () => {
    await box?.agent.stop();
    await server?.stop();
    await h.close();
  });

  it('hands the player the URL as the check read it', async () => {
    await time.advanceTo('2026-11-27T02:00:30.000Z', () => box.agent.whenIdle());
    await eventually(() => box.record().length > 0, 'the relay to start');
    expect(box.record()[0]).toEqual({ event: 'play', target: 'http://radio.example.vn/@10.0.0.5/live' });
    await time.advanceTo('2026-11-27T02:01:30.000Z', () => box.agent.whenIdle());
    await box.agent.whenIdle({ relays: true });
  });
});
