import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { createSqliteStore } from '../../src/receiver/sqlite-store.node.js';

/**
 * A queue with one event the server's schema refuses (400), as an agent of an older version left it: the
 * proof of playback queued beside it must still reach the server.
 */
describe('a receiver agent delivering a queue with an event the server cannot read', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let box: TestAgent;
  let device: { id: string; token: string };
  let occurrenceId: string;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    const ann = await createReadyAnnouncement(h, 'Tin 09:00', [{ language: 'vi', seconds: 1 }]);
    const booked = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T09:00:00+07:00',
    });
    occurrenceId = booked.occurrences[0]!.id;
    device = await createDevice(h, 'un-ta');
    h.clock.set('2026-11-27T02:05:00.000Z');
  });
  afterAll(async () => {
    await box?.agent.stop();
    await server.stop();
    await h.close();
  });

  it('drops only the event the server named, and delivers the rest of its batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-agent-'));
    const older = createSqliteStore(join(dir, 'agent.sqlite'));
    const event = (id: string, type: 'started' | 'completed' | 'failed', at: string, detail: string | null) =>
      older.enqueue({ id, occurrenceId, type, at, detail });
    event('e-started', 'started', '2026-11-27T02:00:00.000Z', null);
    // Longer than the 500 characters the server takes.
    event('e-unreadable', 'failed', '2026-11-27T02:00:00.500Z', `player exited: ${'x'.repeat(600)}`);
    event('e-completed', 'completed', '2026-11-27T02:00:01.000Z', null);
    // It played the item: the agent of the new version does not play it again.
    older.markDone(`${occurrenceId}#0`, '2026-11-27T02:00:00.000Z');
    older.close();

    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time, dir });
    box.agent.start();
    await time.advance(5 * 60_000, () => box.agent.whenIdle());
    const stored = await h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['event_id', 'type'])
      .where('receiver_id', '=', device.id)
      .orderBy('at')
      .execute();
    expect(stored).toEqual([
      { event_id: 'e-started', type: 'started' },
      { event_id: 'e-completed', type: 'completed' },
    ]);
    expect(box.agent.status().pendingEvents).toBe(0);
  });

  it('sends smaller batches after a 413, and drops an event the server refuses as too large on its own', async () => {
    await box?.agent.stop();
    box?.close();
    const dir = mkdtempSync(join(tmpdir(), 'loa-agent-'));
    const older = createSqliteStore(join(dir, 'agent.sqlite'));
    const event = (id: string, type: 'started' | 'completed' | 'failed', at: string, detail: string | null) =>
      older.enqueue({ id, occurrenceId, type, at, detail });
    event('big-started', 'started', '2026-11-27T02:00:00.000Z', null);
    // An older agent's failure with a player's whole output: alone larger than the server's 1 MB body limit.
    event('big-failed', 'failed', '2026-11-27T02:00:00.500Z', `player exited: ${'x'.repeat(1_100_000)}`);
    event('big-completed', 'completed', '2026-11-27T02:00:01.000Z', null);
    older.markDone(`${occurrenceId}#0`, '2026-11-27T02:00:00.000Z');
    older.close();

    // The same receiver with a new disk: a device made now would be refused reports of what aired before it.
    box = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time, dir });
    box.agent.start();
    await time.advance(5 * 60_000, () => box.agent.whenIdle());
    const stored = await h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['event_id', 'type'])
      .where('receiver_id', '=', device.id)
      .where('event_id', 'like', 'big-%')
      .orderBy('at')
      .execute();
    expect(stored).toEqual([
      { event_id: 'big-started', type: 'started' },
      { event_id: 'big-completed', type: 'completed' },
    ]);
    expect(box.agent.status().pendingEvents).toBe(0);
    // Halved from the three queued: two, then the first alone (stored), the large one alone (dropped), the
    // last. The server closes the link a 413 came on, so a request after one may fail (0) and be retried.
    const statuses = box.calls.filter((c) => c.path.endsWith('/logs')).map((c) => c.status);
    expect(statuses.filter((s) => s !== 0)).toEqual([413, 413, 200, 413, 200]);
  });
});
