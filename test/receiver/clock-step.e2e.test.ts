import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

const SIX_HOURS_MS = 6 * 3_600_000;

/**
 * A box without a battery clock boots six hours behind; the server's first answer corrects it, then NTP
 * sets the box's clock forward between two of the server's answers.
 */
describe('a receiver agent whose clock is set while it runs', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  let skewMs = SIX_HOURS_MS;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    for (const [name, at] of [
      ['nine', '09:00'],
      ['fifteen', '15:00'],
    ] as const) {
      const ann = await createReadyAnnouncement(h, `Tin ${at}`, [{ language: 'vi', seconds: 1 }]);
      sha[name] = ann.variants[0]!.sha256;
      await scheduleBroadcast(h, {
        announcementId: ann.id,
        hamletIds: ['un-ta'],
        at: `2026-11-27T${at}:00+07:00`,
      });
    }
    const device = await createDevice(h, 'un-ta');
    // Heartbeats at half past each minute, so that the step and the item due fall between two of them.
    h.clock.set('2026-11-27T01:00:30.000Z');
    box = createTestAgent({
      server: server.url,
      token: device.token,
      clock: h.clock,
      time,
      skewMs: () => skewMs,
    });
    box.agent.start();
    await box.agent.whenIdle();
  });
  afterAll(async () => {
    await box?.agent.stop();
    await server.stop();
    await h.close();
  });

  it('plays what is due when it is due, not what comes six hours later', async () => {
    expect(box.agent.status().clockOffsetMs).toBe(SIX_HOURS_MS);
    await time.advanceTo('2026-11-27T01:59:40.000Z', () => box.agent.whenIdle());
    skewMs = 0;
    await time.advanceTo('2026-11-27T02:05:00.000Z', () => box.agent.whenIdle());
    const path = (name: string) => box.cache.pathOf({ sha256: sha[name]!, format: 'mp3', bytes: 0, url: '' });
    expect(box.record().map((r) => r.target)).toEqual([path('nine')]);
    expect(box.queued.filter((e) => e.type === 'skipped')).toEqual([]);
    expect(box.agent.status().clockOffsetMs).toBe(0);
  });
});
