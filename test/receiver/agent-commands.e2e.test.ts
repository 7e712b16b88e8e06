import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface CommandDto {
  id: string;
  state: string;
  result: string | null;
}

/**
 * The real agent (`loa receiver`: SQLite queue, file cache, a player process) obeying the commune's
 * commands against a real server on fake time: each command acknowledged and its effect visible.
 */
describe('a receiver agent obeys remote control', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let a: TestAgent;
  let polling: TestAgent;
  let device: { id: string; token: string };
  let pollingDevice: { id: string; token: string };
  const ann: Record<string, FixtureAnnouncement> = {};
  const occ: Record<string, string> = {};
  const settle = () => Promise.all([a.agent.whenIdle(), polling.agent.whenIdle()]);

  const pathOf = (sha: string) => a.cache.pathOf({ sha256: sha, format: 'mp3', bytes: 0, url: '' });
  const send = async (receiverId: string, json: unknown): Promise<string> => {
    const res = await h.request(`/api/v1/receivers/${receiverId}/commands`, {
      method: 'POST',
      token: h.tokens.officer,
      json,
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { items: CommandDto[] }).items[0]!.id;
  };
  const commandOf = async (receiverId: string, id: string): Promise<CommandDto> => {
    const res = await h.request(`/api/v1/receivers/${receiverId}/commands`, { token: h.tokens.officer });
    return ((await res.json()) as { items: CommandDto[] }).items.find((c) => c.id === id)!;
  };
  /** Waits (real time, bounded) for the box's answer to travel back over the network. */
  const answered = async (receiverId: string, id: string): Promise<CommandDto> => {
    await eventually(
      async () =>
        (await commandOf(receiverId, id)).state !== 'pending' &&
        (await commandOf(receiverId, id)).state !== 'delivered',
      `an answer to ${id}`,
    );
    await settle();
    return commandOf(receiverId, id);
  };
  const eventsOf = (occurrenceId: string) =>
    h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['type', 'detail'])
      .where('occurrence_id', '=', occurrenceId)
      .orderBy('at')
      .orderBy('type', 'desc')
      .execute();
  const reportedVolume = async (receiverId: string) =>
    (
      (await (await h.request(`/api/v1/receivers/${receiverId}`, { token: h.tokens.officer })).json()) as {
        volume: number;
      }
    ).volume;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    for (const [name, at, priority] of [
      ['nine', '09:00', 'normal'],
      ['halfPast', '09:30', 'normal'],
      ['evening', '10:00', 'normal'],
      ['late', '10:15', 'emergency'],
    ] as const) {
      ann[name] = await createReadyAnnouncement(h, `Tin ${at}`, [{ language: 'vi', seconds: 1 }]);
      const made = await scheduleBroadcast(h, {
        announcementId: ann[name]!.id,
        hamletIds: ['un-ta'],
        at: `2026-11-27T${at}:00+07:00`,
        priority,
        ...(priority === 'emergency' && { repeat: { count: 1, intervalMin: 10 } }),
      });
      occ[name] = made.occurrences[0]!.id;
    }
    device = await createDevice(h, 'un-ta', 'Cụm loa nhà văn hóa');
    pollingDevice = await createDevice(h, 'thon-2', 'Cụm loa chỉ hỏi lịch');
    a = createTestAgent({
      server: server.url,
      token: device.token,
      clock: h.clock,
      time,
      recordVolume: true,
    });
    polling = createTestAgent({
      server: server.url,
      token: pollingDevice.token,
      clock: h.clock,
      time,
      sse: false,
    });
    a.agent.start();
    polling.agent.start();
    await settle();
    await eventually(() => a.agent.status().pushConnected, 'the push channel');
  });

  afterAll(async () => {
    await a?.agent.stop();
    await polling?.agent.stop();
    await server?.stop();
    await h.close();
  });

  it('sets the volume at once over the push channel: the next item plays at it and heartbeats report it', async () => {
    const id = await send(device.id, { kind: 'volume', volume: 35 });
    expect(await answered(device.id, id)).toMatchObject({ state: 'acknowledged', result: 'volume 35%' });
    expect(a.agent.status().volume).toBe(35);
    await time.advanceTo('2026-11-27T02:00:30.000Z', settle);
    expect(a.record().filter((r) => r.event === 'play')).toEqual([
      { event: 'play', target: pathOf(ann.nine!.variants[0]!.sha256), volume: 35 },
    ]);
    expect(await reportedVolume(device.id)).toBe(35);
  });

  it('mutes: nothing normal plays (skipped, reported) and heartbeats report 0, until unmuted', async () => {
    const id = await send(device.id, { kind: 'mute' });
    expect(await answered(device.id, id)).toMatchObject({ state: 'acknowledged', result: 'muted' });
    await time.advanceTo('2026-11-27T02:31:00.000Z', settle);
    expect(a.record().some((r) => r.target === pathOf(ann.halfPast!.variants[0]!.sha256))).toBe(false);
    expect(await eventsOf(occ.halfPast!)).toEqual([
      { type: 'skipped', detail: 'not played: the commune muted this receiver' },
    ]);
    expect(await reportedVolume(device.id)).toBe(0);
    const unmute = await send(device.id, { kind: 'unmute' });
    expect(await answered(device.id, unmute)).toMatchObject({ state: 'acknowledged' });
    await time.advance(60_000, settle);
    expect(await reportedVolume(device.id)).toBe(35);
  });

  it('keeps daily hours: a normal item outside them is skipped, an emergency still plays', async () => {
    const id = await send(device.id, { kind: 'hours', hours: { on: '11:00', off: '20:00' } });
    expect(await answered(device.id, id)).toMatchObject({
      state: 'acknowledged',
      result: 'daily hours 11:00–20:00 (Asia/Ho_Chi_Minh)',
    });
    await time.advanceTo('2026-11-27T03:20:00.000Z', settle);
    expect(await eventsOf(occ.evening!)).toEqual([
      { type: 'skipped', detail: "not played: outside the receiver's daily hours (11:00–20:00)" },
    ]);
    expect((await eventsOf(occ.late!)).map((e) => e.type)).toEqual(['started', 'completed']);
    expect(a.record().at(-1)).toEqual({
      event: 'play',
      target: pathOf(ann.late!.variants[0]!.sha256),
      volume: 35,
    });
  });

  it('refreshes: fetches the whole schedule now, past its ETag, and says which version it holds', async () => {
    const full = () =>
      a.calls.filter((c) => c.path === '/api/v1/receiver/schedule' && c.status === 200).length;
    const before = full();
    const id = await send(device.id, { kind: 'refresh' });
    const done = await answered(device.id, id);
    expect(done.state).toBe('acknowledged');
    expect(done.result).toBe(`schedule version ${a.agent.status().scheduleVersion}`);
    expect(full()).toBe(before + 1);
  });

  it('plays a test tone now with the player and reports what came of it', async () => {
    const id = await send(device.id, { kind: 'test_tone' });
    expect(await answered(device.id, id)).toMatchObject({
      state: 'acknowledged',
      result: 'test tone played at volume 35%',
    });
    expect(a.record().at(-1)).toMatchObject({ event: 'play', volume: 35 });
    expect(a.record().at(-1)!.target).toMatch(/test-tone\.wav$/);
  });

  it('restarts its loop: answers first, comes back with its push channel and its settings', async () => {
    const events = () => a.calls.filter((c) => c.path === '/api/v1/receiver/events').length;
    const before = events();
    const id = await send(device.id, { kind: 'restart' });
    expect(await answered(device.id, id)).toMatchObject({
      state: 'acknowledged',
      result: 'restarting the agent',
    });
    await eventually(() => a.agent.status().restarts === 1 && a.agent.status().pushConnected, 'the restart');
    expect(events()).toBe(before + 1);
    expect(a.agent.status()).toMatchObject({
      volume: 35,
      muted: false,
      onHours: { on: '11:00', off: '20:00' },
    });
    // Obeyed once: the same command is not carried out again after the restart.
    await time.advance(60_000, settle);
    expect(a.agent.status().restarts).toBe(1);
  });

  it('does not carry out a command that reaches it after its deadline (an event bus back after an outage)', async () => {
    const volume = a.agent.status().volume;
    h.runtime.bus.publish({
      type: 'receiver-command',
      receiverId: device.id,
      hamletId: 'un-ta',
      command: {
        id: 'late-command',
        kind: 'volume',
        args: { volume: 5 },
        expiresAt: new Date(h.clock.now().getTime() - 1_000).toISOString(),
      },
    });
    const asked = () => a.calls.filter((c) => c.path === '/api/v1/receiver/commands/late-command/ack').length;
    // A command sent after it, in time, is obeyed: the late one was seen and passed over.
    const id = await send(device.id, { kind: 'mute' });
    expect(await answered(device.id, id)).toMatchObject({ state: 'acknowledged' });
    await settle();
    expect(a.agent.status().volume).toBe(volume);
    expect(asked()).toBe(0);
    await answered(device.id, await send(device.id, { kind: 'unmute' }));
  });

  it('answers two commands sent together at once, not one of them at the next heartbeat', async () => {
    const [volume, refresh] = await Promise.all([
      send(device.id, { kind: 'volume', volume: 40 }),
      send(device.id, { kind: 'refresh' }),
    ]);
    expect(await answered(device.id, volume)).toMatchObject({ state: 'acknowledged', result: 'volume 40%' });
    expect(await answered(device.id, refresh)).toMatchObject({ state: 'acknowledged' });
    await answered(device.id, await send(device.id, { kind: 'volume', volume: 35 }));
  });

  it('a box that only polls gets its commands in the heartbeat answer and answers them', async () => {
    const id = await send(pollingDevice.id, { kind: 'volume', volume: 20 });
    expect((await commandOf(pollingDevice.id, id)).state).toBe('pending');
    await time.advance(60_000, settle);
    expect(await answered(pollingDevice.id, id)).toMatchObject({
      state: 'acknowledged',
      result: 'volume 20%',
    });
    await time.advance(60_000, settle);
    expect(await reportedVolume(pollingDevice.id)).toBe(20);
  });

  it('passes over a command kind it does not know (a newer server’s) and obeys the rest of the answer', async () => {
    const now = h.clock.now();
    // Written as a newer version of the server, sharing the database during an upgrade, would write it.
    await h.runtime.db.kysely
      .insertInto('receiver_commands')
      .values({
        id: 'newer-kind',
        receiver_id: pollingDevice.id,
        hamlet_id: 'thon-2',
        kind: 'reboot_modem' as never,
        args: '{}',
        issued_by: 'admin',
        issued_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 5 * 60_000).toISOString(),
        state: 'pending',
        delivered_at: null,
        answered_at: null,
        result: null,
      })
      .execute();
    const id = await send(pollingDevice.id, { kind: 'volume', volume: 25 });
    await time.advance(60_000, settle);
    expect(await answered(pollingDevice.id, id)).toMatchObject({
      state: 'acknowledged',
      result: 'volume 25%',
    });
    expect(polling.agent.status().online).toBe(true);
  });

  it('keeps an emergency on the air: refuses a restart and a test tone while it plays', async () => {
    const flood = await createReadyAnnouncement(h, 'Lũ về', [{ language: 'vi', seconds: 1 }]);
    const at = Math.ceil((h.clock.now().getTime() + 5 * 60_000) / 60_000) * 60_000;
    const made = await scheduleBroadcast(h, {
      announcementId: flood.id,
      hamletIds: ['un-ta'],
      at: new Date(at).toISOString(),
      priority: 'emergency',
      repeat: { count: 1, intervalMin: 10 },
    });
    const warning = made.occurrences.find((o) => o.hamletId === 'un-ta')!.id;
    const restartsBefore = a.agent.status().restarts;
    await time.advance(60_000, settle);
    // A long warning: the held player plays on until it is let go (so nothing waits for the audio).
    const quiet = () => Promise.all([a.agent.whenIdle({ audio: false }), polling.agent.whenIdle()]);
    const refused = async (id: string) => {
      await eventually(async () => (await commandOf(device.id, id)).state === 'failed', `an answer to ${id}`);
      return commandOf(device.id, id);
    };
    a.holdOn(flood.variants[0]!.sha256);
    await time.advanceTo(new Date(at + 30_000).toISOString(), quiet);
    await eventually(
      () => a.record().at(-1)?.target === pathOf(flood.variants[0]!.sha256),
      'the warning to play',
    );

    const restart = await send(device.id, { kind: 'restart' });
    expect(await refused(restart)).toMatchObject({
      result: 'not restarted: an emergency is playing (Lũ về)',
    });
    const tone = await send(device.id, { kind: 'test_tone' });
    expect(await refused(tone)).toMatchObject({ result: 'no test tone: something is playing (Lũ về)' });
    // Still on the air, never stopped, and the agent never went down under it.
    expect(a.record().at(-1)).toMatchObject({ event: 'play', target: pathOf(flood.variants[0]!.sha256) });
    expect(a.agent.status().restarts).toBe(restartsBefore);
    expect((await eventsOf(warning)).map((e) => e.type)).toEqual(['started']);

    // Left playing: the agent's stop after the last test ends it, as a shutdown does.
  });
});
