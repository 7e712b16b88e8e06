import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/node.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { device, report } from '../support/province-scenario.js';
import { createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const MB = 1_048_576;

interface AlarmHook {
  type: string;
  timestamp: string;
  data: {
    alarmId: string;
    kind: string;
    receiverId: string;
    receiverName: string;
    startedAt: string;
    clearedAt: string | null;
  };
}

/**
 * Alarms of the boxes on the fake clock: a box that misses 3 heartbeats, reports low storage or fails
 * two playbacks in a row is flagged from the time it started, the province's operations centre is
 * called through a signed webhook, and the alarm clears itself (with a second webhook) when the cause
 * is gone.
 */
describe.each(dialects)('receiver alarms on %s', (dialect) => {
  let h: Harness;
  let province: ProvinceFixture;
  let hooks: WebhookReceiver;
  const boxes: Record<'silent' | 'full' | 'failing', { id: string; token: string }> = {} as never;

  const beat = async (token: string, freeBytes = 2_000 * MB) => {
    const res = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token,
      json: { volume: 80, uptimeS: 600, freeBytes, signal: -85, appVersion: '0.2.0' },
    });
    expect(res.status).toBe(200);
  };
  const openAlarms = () =>
    h.runtime.db.kysely
      .selectFrom('receiver_alarms')
      .select(['receiver_id', 'kind', 'started_at'])
      .where('cleared_at', 'is', null)
      .orderBy('receiver_id')
      .execute();
  const delivered = async (): Promise<AlarmHook[]> => {
    const from = hooks.received.length;
    await h.runtime.webhookSender.drain();
    return hooks.received.slice(from).map((r) => JSON.parse(r.body) as AlarmHook);
  };

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    h = await createHarness(
      dialect,
      { WEBHOOK_ALLOW_PRIVATE: '1', ALARM_MISSED_HEARTBEATS: '3', ALARM_LOW_STORAGE_MB: '100' },
      { resolveHost: async () => ['127.0.0.1'] },
    );
    province = await provinceFixture(h);
    const res = await h.request('/api/v1/province/webhooks', {
      method: 'POST',
      token: province.tokens.provinceAdmin,
      json: { url: hooks.url(), events: ['receiver.alarm', 'receiver.alarm_cleared'] },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    boxes.silent = await device(h, h.tokens.admin, 'un-ta', 'Loa đầu thôn');
    boxes.full = await device(h, h.tokens.admin, 'un-ta', 'Loa nhà văn hóa');
    boxes.failing = await device(h, h.tokens.admin, 'thon-2', 'Loa chợ');
    for (const box of Object.values(boxes)) await beat(box.token);
  });
  afterAll(async () => {
    await h.close();
    await hooks.close();
  });

  it('flags a box that missed 3 heartbeats from the moment the third was due, and clears it when it is back', async () => {
    const lastBeat = h.clock.now().getTime();
    h.clock.advance(2 * 60_000 + 59_000);
    await beat(boxes.full.token);
    await beat(boxes.failing.token);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 0 });
    h.clock.advance(2_000);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 1, cleared: 0 });
    const since = new Date(lastBeat + 3 * 60_000).toISOString();
    expect(await openAlarms()).toEqual([
      { receiver_id: boxes.silent.id, kind: 'missed_heartbeats', started_at: since },
    ]);
    // Raised once, however many ticks see it.
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 0 });
    const [raised, ...more] = await delivered();
    expect(more).toEqual([]);
    expect(raised).toMatchObject({
      type: 'receiver.alarm',
      timestamp: since,
      data: {
        kind: 'missed_heartbeats',
        receiverId: boxes.silent.id,
        receiverName: 'Loa đầu thôn',
        startedAt: since,
        clearedAt: null,
      },
    });

    h.clock.advance(60_000);
    for (const box of Object.values(boxes)) await beat(box.token);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 1 });
    expect(await openAlarms()).toEqual([]);
    const [cleared] = await delivered();
    expect(cleared).toMatchObject({
      type: 'receiver.alarm_cleared',
      timestamp: h.clock.now().toISOString(),
      data: { alarmId: raised!.data.alarmId, startedAt: since, clearedAt: h.clock.now().toISOString() },
    });
  });

  it('flags low storage from the heartbeat that reported it, and clears it when space is freed', async () => {
    await beat(boxes.full.token, 40 * MB);
    const reportedAt = h.clock.now().toISOString();
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 1, cleared: 0 });
    expect(await openAlarms()).toEqual([
      { receiver_id: boxes.full.id, kind: 'low_storage', started_at: reportedAt },
    ]);
    expect((await delivered()).map((d) => [d.type, d.data.kind])).toEqual([
      ['receiver.alarm', 'low_storage'],
    ]);
    h.clock.advance(30_000);
    await beat(boxes.full.token, 900 * MB);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 1 });
    expect((await delivered()).map((d) => d.type)).toEqual(['receiver.alarm_cleared']);
  });

  it('raises and clears an alarm once when two instances evaluate at the same moment', async () => {
    const second = await createNodeRuntime(h.runtime.config, {
      clock: h.clock,
      logger: pino({ level: 'silent' }),
      resolveHost: async () => ['127.0.0.1'],
    });
    try {
      await beat(boxes.full.token, 10 * MB);
      const [a, b] = [h.runtime.services.receiverAlarms, second.services.receiverAlarms];
      // On PostgreSQL (the scale-out profile) truly at once. SQLite serves one process: two runtimes in
      // this one would wait on each other's write lock inside one event loop, so there they take turns.
      const both = async () =>
        dialect === 'postgres'
          ? Promise.all([a.evaluate(), b.evaluate()])
          : [await a.evaluate(), await b.evaluate()];
      const raised = await both();
      expect(raised.reduce((n, r) => n + r.raised, 0)).toBe(1);
      expect((await openAlarms()).filter((a) => a.kind === 'low_storage')).toHaveLength(1);
      expect((await delivered()).map((d) => d.type)).toEqual(['receiver.alarm']);
      h.clock.advance(30_000);
      await beat(boxes.full.token, 900 * MB);
      const cleared = await both();
      expect(cleared.reduce((n, r) => n + r.cleared, 0)).toBe(1);
      expect((await delivered()).map((d) => d.type)).toEqual(['receiver.alarm_cleared']);
    } finally {
      await second.close();
    }
  });

  it('flags a box whose playbacks failed twice in a row (not when stopped for an emergency), until one plays', async () => {
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng', [{ language: 'vi', seconds: 1 }]);
    const at = new Date(h.clock.now().getTime() + 60_000).toISOString();
    const { occurrences } = await scheduleBroadcast(h, { announcementId: ann.id, hamletIds: ['thon-2'], at });
    const occurrenceId = occurrences[0]!.id;
    h.clock.advance(90_000);
    for (const box of Object.values(boxes)) await beat(box.token);
    const now = h.clock.now().toISOString();
    const event = (id: string, type: string, detail: string | null = null) => ({
      id,
      occurrenceId,
      type,
      at: now,
      detail,
    });

    await report(h, boxes.failing.token, [
      event('e1', 'failed', 'player exited with code 1'),
      event('e2', 'failed', 'interrupted by an emergency broadcast'),
    ]);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 0 });
    await report(h, boxes.failing.token, [event('e3', 'failed', 'audio not available')]);
    // The same batch again (a lost answer) counts once.
    await report(h, boxes.failing.token, [event('e3', 'failed', 'audio not available')]);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 1, cleared: 0 });
    expect((await openAlarms()).map((a) => [a.receiver_id, a.kind])).toEqual([
      [boxes.failing.id, 'playback_failing'],
    ]);
    expect((await delivered()).map((d) => [d.type, d.data.kind])).toEqual([
      ['receiver.alarm', 'playback_failing'],
    ]);

    await report(h, boxes.failing.token, [event('e4', 'started'), event('e5', 'completed')]);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 1 });
    expect(await openAlarms()).toEqual([]);

    // One failure; its answer is lost, and the box sends it again with the next playback's start: still one.
    await report(h, boxes.failing.token, [event('e6', 'failed', 'player exited with code 1')]);
    await report(h, boxes.failing.token, [
      event('e6', 'failed', 'player exited with code 1'),
      event('e7', 'started'),
    ]);
    const failures = await h.runtime.db.kysely
      .selectFrom('receivers')
      .select('playback_failures')
      .where('id', '=', boxes.failing.id)
      .executeTakeFirstOrThrow();
    expect(failures.playback_failures).toBe(1);
    expect((await h.runtime.dispatcher.tick()).alarms).toEqual({ raised: 0, cleared: 0 });
  });

  it('counts a box switched on again from that moment, not from what it said before it was switched off', async () => {
    const box = await device(h, h.tokens.admin, 'thon-2', 'Loa cuối thôn');
    const set = (disabled: boolean) =>
      h.request(`/api/v1/receivers/${box.id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { disabled },
      });
    const alarmsOf = async () => (await openAlarms()).filter((a) => a.receiver_id === box.id);
    await beat(box.token, 40 * MB);
    await h.runtime.dispatcher.tick();
    expect((await alarmsOf()).map((a) => a.kind)).toEqual(['low_storage']);
    expect((await set(true)).status).toBe(200);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([]);

    // A day off; switched on again, its next heartbeat is up to a minute away.
    h.clock.advance(86_400_000);
    for (const other of Object.values(boxes)) await beat(other.token);
    expect((await set(false)).status).toBe(200);
    const backAt = h.clock.now().getTime();
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([]);

    // Silent for three heartbeats from then: flagged from the third that was due after it came back.
    h.clock.advance(3 * 60_000 + 1_000);
    for (const other of Object.values(boxes)) await beat(other.token);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([
      {
        receiver_id: box.id,
        kind: 'missed_heartbeats',
        started_at: new Date(backAt + 3 * 60_000).toISOString(),
      },
    ]);
    await beat(box.token);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([]);
    await delivered();
  });

  it('does not flag failing playback again when a box is switched on, for the failures before it was off', async () => {
    const box = await device(h, h.tokens.admin, 'thon-2', 'Loa bến đò');
    const set = (disabled: boolean) =>
      h.request(`/api/v1/receivers/${box.id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { disabled },
      });
    const alarmsOf = async () =>
      (await openAlarms()).filter((a) => a.receiver_id === box.id).map((a) => a.kind);
    const ann = await createReadyAnnouncement(h, 'Lịch cắt điện', [{ language: 'vi', seconds: 1 }]);
    const at = new Date(h.clock.now().getTime() + 60_000).toISOString();
    const { occurrences } = await scheduleBroadcast(h, { announcementId: ann.id, hamletIds: ['thon-2'], at });
    h.clock.advance(90_000);
    for (const b of [...Object.values(boxes), box]) await beat(b.token);
    const now = h.clock.now().toISOString();
    await report(h, box.token, [
      { id: 'f1', occurrenceId: occurrences[0]!.id, type: 'failed', at: now, detail: 'no sound card' },
      { id: 'f2', occurrenceId: occurrences[0]!.id, type: 'failed', at: now, detail: 'no sound card' },
    ]);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual(['playback_failing']);
    // The technician switches it off, replaces the sound card, and switches it on again.
    expect((await set(true)).status).toBe(200);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([]);
    h.clock.advance(3_600_000);
    for (const b of Object.values(boxes)) await beat(b.token);
    expect((await set(false)).status).toBe(200);
    await beat(box.token);
    await h.runtime.dispatcher.tick();
    expect(await alarmsOf()).toEqual([]);
    await delivered();
  });
});
