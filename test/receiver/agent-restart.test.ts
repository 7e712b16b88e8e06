import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAgent, eventually, type TestAgent } from '../support/agent-harness.js';
import { createFakeTime, type FakeTime } from '../support/fake-time.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

describe('a receiver agent restarted without a network', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let first: TestAgent;
  let again: TestAgent;
  let device: { id: string; token: string };
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    for (const [name, at] of [
      ['nine', '09:00'],
      ['ten', '10:00'],
    ] as const) {
      const ann = await createReadyAnnouncement(h, `Tin ${at}`, [{ language: 'vi', seconds: 1 }]);
      sha[name] = ann.variants[0]!.sha256;
      await scheduleBroadcast(h, {
        announcementId: ann.id,
        hamletIds: ['un-ta'],
        at: `2026-11-27T${at}:00+07:00`,
      });
    }
    device = await createDevice(h, 'un-ta');
  });
  afterAll(async () => {
    await again?.agent.stop();
    await server.stop();
    await h.close();
  });

  it('plays on from its cached manifest and audio, never replays, and delivers both lives’ events once', async () => {
    first = createTestAgent({ server: server.url, token: device.token, clock: h.clock, time });
    first.agent.start();
    await first.agent.whenIdle();
    // The link drops after the first sync; nine o'clock plays offline and its events wait in the queue.
    await server.stop();
    await time.advanceTo('2026-11-27T02:00:30.000Z', () => first.agent.whenIdle());
    expect(first.record().map((r) => r.target)).toEqual([
      first.cache.pathOf({ sha256: sha.nine!, format: 'mp3', bytes: 0, url: '' }),
    ]);
    expect(first.agent.status().pendingEvents).toBe(2);

    // Power cut: the box goes down and comes back, still without a link.
    await first.agent.stop();
    first.close();
    again = createTestAgent({
      server: server.url,
      token: device.token,
      clock: h.clock,
      time,
      dir: first.dir,
    });
    again.agent.start();
    await time.advanceTo('2026-11-27T03:00:30.000Z', () => again.agent.whenIdle());
    const played = again.record().map((r) => r.target);
    expect(played.filter((t) => t.includes(sha.nine!))).toHaveLength(1);
    expect(played.at(-1)).toBe(again.cache.pathOf({ sha256: sha.ten!, format: 'mp3', bytes: 0, url: '' }));
    expect(again.agent.status().online).toBe(false);

    await server.restart();
    await time.advance(5 * 60_000, () => again.agent.whenIdle());
    const stored = await h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['event_id', 'type'])
      .where('receiver_id', '=', device.id)
      .execute();
    const queued = [...first.queued, ...again.queued].map((e) => e.id);
    expect(stored.map((e) => e.event_id).sort()).toEqual([...new Set(queued)].sort());
    expect(stored.filter((e) => e.type === 'started')).toHaveLength(2);
  });

  it('delivers its waiting events after a restart ordered while a delivery waited to be tried again', async () => {
    const box = await createDevice(h, 'un-ta', 'Cụm loa khởi động lại');
    const ann = await createReadyAnnouncement(h, 'Tin 11:00', [{ language: 'vi', seconds: 1 }]);
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T11:00:00+07:00',
    });
    const a = createTestAgent({ server: server.url, token: box.token, clock: h.clock, time });
    const settle = () => a.agent.whenIdle();
    try {
      a.agent.start();
      // The link drops as 11:00 begins: its reports fail to go, and are tried again later and later.
      await time.advanceTo('2026-11-27T03:59:59.900Z', settle);
      await server.stop();
      await time.advanceTo('2026-11-27T04:30:00.000Z', settle);
      expect(a.agent.status().pendingEvents).toBeGreaterThan(0);
      // Back on the network just after a delivery failed: the next try is minutes away.
      const tries = () => a.calls.filter((c) => c.path === '/api/v1/receiver/logs').length;
      const before = tries();
      for (let i = 0; i < 300 && tries() === before; i++) await time.advance(1_000, settle);
      expect(tries()).toBe(before + 1);
      await server.restart();
      const ordered = await h.request(`/api/v1/receivers/${box.id}/commands`, {
        method: 'POST',
        token: h.tokens.officer,
        json: { kind: 'restart' },
      });
      expect(ordered.status).toBe(202);
      for (let i = 0; i < 24 && a.agent.status().restarts === 0; i++) await time.advance(5_000, settle);
      expect(a.agent.status().restarts).toBe(1);
      // The restart came before the next try (minutes away), which it cancelled: the events go after it.
      await time.advance(2 * 60_000, settle);
      expect(a.agent.status().pendingEvents).toBe(0);
      const stored = await h.runtime.db.kysely
        .selectFrom('playback_events')
        .select('event_id')
        .where('receiver_id', '=', box.id)
        .execute();
      expect(stored.map((e) => e.event_id).sort()).toEqual(a.queued.map((e) => e.id).sort());
    } finally {
      await a.agent.stop();
      a.close();
    }
  });

  it('plays an item whose audio was still downloading when the commune restarted it, and reports it played', async () => {
    const box = await createDevice(h, 'un-ta', 'Cụm loa tải chậm');
    const ann = await createReadyAnnouncement(h, 'Tin 13:00', [{ language: 'vi', seconds: 1 }]);
    const booked = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta'],
      at: '2026-11-27T13:00:00+07:00',
    });
    const occurrenceId = booked.occurrences[0]!.id;
    const a = createTestAgent({ server: server.url, token: box.token, clock: h.clock, time });
    // The link is slow for this file: its download hangs until released.
    const release = a.holdDownloads(ann.variants[0]!.sha256);
    const quick = () => Promise.resolve();
    try {
      a.agent.start();
      await eventually(() => a.agent.status().pushConnected, 'the push channel');
      await time.advanceTo('2026-11-27T06:00:00.500Z', quick);
      const ordered = await h.request(`/api/v1/receivers/${box.id}/commands`, {
        method: 'POST',
        token: h.tokens.officer,
        json: { kind: 'restart' },
      });
      expect(ordered.status).toBe(202);
      await eventually(() => a.agent.status().restarts === 1, 'the restart');
      release();
      await eventually(
        () => a.queued.some((e) => e.occurrenceId === occurrenceId && e.type === 'completed'),
        'the airing',
      );
      await a.agent.whenIdle();
      expect(a.queued.filter((e) => e.occurrenceId === occurrenceId).map((e) => e.type)).toEqual([
        'started',
        'completed',
      ]);
    } finally {
      release();
      await a.agent.stop();
      a.close();
    }
  });
});
