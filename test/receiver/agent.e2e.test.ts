import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
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

const SKEW_MS = 7 * 60_000;
const RELAY_URL = 'https://radio.example.vn/vov1.mp3';

/**
 * One day and a half of a commune's schedule, played by two real agents (Ún Tà: a correct clock;
 * thôn 2: a clock 7 minutes slow) against a real server, on fake time.
 */
describe('receiver agents end to end', () => {
  let h: Harness;
  let server: RealServer;
  let time: FakeTime;
  let a: TestAgent;
  let b: TestAgent;
  let devices: { a: { id: string; token: string }; b: { id: string; token: string } };
  const ann: Record<string, FixtureAnnouncement> = {};
  const occ: Record<string, { id: string; hamletId: string }[]> = {};
  const settle = () => Promise.all([a.agent.whenIdle(), b.agent.whenIdle()]);

  const pathOf = (t: TestAgent, sha: string) =>
    t.cache.pathOf({ sha256: sha, format: 'mp3', bytes: 0, url: '' });
  const playedFiles = (t: TestAgent) =>
    t
      .record()
      .filter((r) => r.event === 'play')
      .map((r) => r.target);
  const serverEvents = async (receiverId: string) =>
    h.runtime.db.kysely
      .selectFrom('playback_events')
      .select(['event_id', 'occurrence_id', 'type', 'at', 'detail', 'audio_sha256'])
      .where('receiver_id', '=', receiverId)
      .orderBy('at')
      .orderBy('type')
      .execute();
  const occurrenceOf = (name: string, hamletId: string) =>
    occ[name]!.find((o) => o.hamletId === hamletId)!.id;

  beforeAll(async () => {
    h = await createHarness();
    server = await startRealServer(h);
    time = createFakeTime(h.clock);
    ann.morning = await createReadyAnnouncement(h, 'Thông báo tiêm phòng', [
      { language: 'vi', seconds: 2 },
      { language: 'giay', seconds: 1 },
    ]);
    ann.tomorrow = await createReadyAnnouncement(h, 'Họp dân ngày mai', [{ language: 'vi', seconds: 1 }]);
    ann.long = await createReadyAnnouncement(h, 'Bài dài', [{ language: 'vi', seconds: 3 }]);
    ann.fragile = await createReadyAnnouncement(h, 'Lịch thu thuế', [{ language: 'vi', seconds: 1 }]);
    ann.alarm = await createReadyAnnouncement(h, 'Cảnh báo lũ quét', [
      { language: 'vi', seconds: 1 },
      { language: 'giay', seconds: 1 },
    ]);
    const both = ['un-ta', 'thon-2'];
    occ.morning = (
      await scheduleBroadcast(h, {
        announcementId: ann.morning.id,
        hamletIds: both,
        at: '2026-11-27T09:00:00+07:00',
      })
    ).occurrences;
    occ.relay = (
      await scheduleBroadcast(h, {
        relay: { url: RELAY_URL, durationS: 60 },
        hamletIds: ['un-ta'],
        at: '2026-11-27T09:30:00+07:00',
      })
    ).occurrences;
    occ.tomorrow = (
      await scheduleBroadcast(h, {
        announcementId: ann.tomorrow.id,
        hamletIds: both,
        at: '2026-11-28T08:00:00+07:00',
      })
    ).occurrences;
    occ.long = (
      await scheduleBroadcast(h, {
        announcementId: ann.long.id,
        hamletIds: both,
        at: '2026-11-28T11:00:00+07:00',
      })
    ).occurrences;
    occ.fragile = (
      await scheduleBroadcast(h, {
        announcementId: ann.fragile.id,
        hamletIds: ['un-ta'],
        at: '2026-11-28T12:00:00+07:00',
      })
    ).occurrences;
    devices = {
      a: await createDevice(h, 'un-ta', 'Cụm loa nhà văn hóa'),
      b: await createDevice(h, 'thon-2', 'Cụm loa thôn 2'),
    };
    a = createTestAgent({ server: server.url, token: devices.a.token, clock: h.clock, time });
    b = createTestAgent({
      server: server.url,
      token: devices.b.token,
      clock: h.clock,
      time,
      skewMs: SKEW_MS,
    });
    a.agent.start();
    b.agent.start();
    await settle();
  });

  afterAll(async () => {
    await a?.agent.stop();
    await b?.agent.stop();
    await server?.stop();
    await h.close();
  });

  it('syncs the manifest, caches its audio checked by SHA-256 and corrects a slow clock', () => {
    expect(a.agent.status()).toMatchObject({ online: true, pushConnected: true, clockOffsetMs: 0 });
    expect(b.agent.status()).toMatchObject({ online: true, pushConnected: true, clockOffsetMs: SKEW_MS });
    for (const t of [a, b]) {
      for (const v of [...ann.morning!.variants, ...ann.tomorrow!.variants, ...ann.long!.variants]) {
        const file = readFileSync(pathOf(t, v.sha256));
        expect(createHash('sha256').update(file).digest('hex')).toBe(v.sha256);
      }
    }
  });

  it('plays each item in order at its time, by the server-corrected clock', async () => {
    await time.advanceTo('2026-11-27T02:10:00.000Z', settle);
    const [vi, giay] = ann.morning!.variants;
    for (const t of [a, b]) expect(playedFiles(t)).toEqual([pathOf(t, vi!.sha256), pathOf(t, giay!.sha256)]);
    const giayAt = new Date(Date.parse('2026-11-27T02:00:00.000Z') + vi!.durationMs).toISOString();
    for (const [t, device, hamlet] of [
      [a, devices.a, 'un-ta'],
      [b, devices.b, 'thon-2'],
    ] as const) {
      expect(t.agent.status().pendingEvents).toBe(0);
      const events = (await serverEvents(device.id)).filter(
        (e) => e.occurrence_id === occurrenceOf('morning', hamlet),
      );
      expect(events.map((e) => [e.type, e.at])).toEqual([
        ['completed', '2026-11-27T02:00:00.000Z'],
        ['started', '2026-11-27T02:00:00.000Z'],
        ['completed', giayAt],
        ['started', giayAt],
      ]);
      // Each start names the file the box checked and played.
      expect(events.filter((e) => e.type === 'started').map((e) => e.audio_sha256)).toEqual([
        vi!.sha256,
        giay!.sha256,
      ]);
    }
  });

  it('plays a relay stream for its duration, then stops it', async () => {
    await time.advanceTo('2026-11-27T02:30:30.000Z', settle);
    // The stream player keeps running; its start shows in the record once the process is up.
    await eventually(() => a.record().at(-1)?.target === RELAY_URL, 'the relay to start');
    expect(a.record().at(-1)).toEqual({ event: 'play', target: RELAY_URL });
    expect(b.record().some((r) => r.target === RELAY_URL)).toBe(false);
    await time.advanceTo('2026-11-27T02:31:30.000Z', settle);
    await a.agent.whenIdle({ relays: true });
    expect(a.record().at(-1)).toEqual({ event: 'stop', target: RELAY_URL });
    const events = (await serverEvents(devices.a.id)).filter(
      (e) => e.occurrence_id === occurrenceOf('relay', 'un-ta'),
    );
    expect(events.map((e) => [e.type, e.at, e.audio_sha256])).toEqual([
      ['started', '2026-11-27T02:30:00.000Z', null],
      ['completed', '2026-11-27T02:31:00.000Z', null],
    ]);
  });

  it('plays on time from the cache through 24 h without the server, then delivers every event exactly once', async () => {
    await server.stop();
    await time.advanceTo('2026-11-28T02:40:00.000Z', settle);
    expect(a.agent.status()).toMatchObject({ online: false, pushConnected: false });
    for (const t of [a, b]) expect(playedFiles(t).at(-1)).toBe(pathOf(t, ann.tomorrow!.variants[0]!.sha256));
    expect(a.agent.status().pendingEvents).toBeGreaterThanOrEqual(2);

    await server.restart();
    // The first delivery after the outage is stored, but its answer is lost: the agent sends it again.
    a.faults.loseNextLogAnswer = true;
    await time.advance(10 * 60_000, settle);
    for (const [t, device, hamlet] of [
      [a, devices.a, 'un-ta'],
      [b, devices.b, 'thon-2'],
    ] as const) {
      expect(t.agent.status()).toMatchObject({ online: true, pendingEvents: 0 });
      const stored = await serverEvents(device.id);
      // Every event the box queued is on the server, each once.
      expect(stored.map((e) => e.event_id).sort()).toEqual(t.queued.map((e) => e.id).sort());
      const tomorrow = stored.filter((e) => e.occurrence_id === occurrenceOf('tomorrow', hamlet));
      expect(tomorrow.map((e) => [e.type, e.at])).toEqual([
        ['completed', '2026-11-28T01:00:00.000Z'],
        ['started', '2026-11-28T01:00:00.000Z'],
      ]);
    }
    expect(a.agent.status().delivered.duplicates).toBeGreaterThan(0);
    const played = await h.runtime.db.kysely
      .selectFrom('occurrences')
      .select('status')
      .where('id', '=', occurrenceOf('tomorrow', 'un-ta'))
      .executeTakeFirstOrThrow();
    expect(played.status).toBe('played');
  });

  it('stops what plays for an emergency, plays it, then resumes the schedule', async () => {
    await eventually(
      () => a.agent.status().pushConnected && b.agent.status().pushConnected,
      'push channels back',
    );
    const longFile = ann.long!.variants[0]!.sha256;
    a.holdOn(longFile);
    b.holdOn(longFile);
    // The held player never ends by itself: settle without waiting for it.
    await time.advanceTo('2026-11-28T04:00:00.000Z', () =>
      Promise.all([a.agent.whenIdle({ audio: false }), b.agent.whenIdle({ audio: false })]),
    );
    await eventually(
      () =>
        a.record().at(-1)?.target === pathOf(a, longFile) &&
        b.record().at(-1)?.target === pathOf(b, longFile),
      'the long item to play',
    );

    h.clock.set('2026-11-28T04:00:01.000Z');
    const alarm = await scheduleBroadcast(h, {
      announcementId: ann.alarm!.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: h.clock.now().toISOString(),
      priority: 'emergency',
      repeat: { count: 1, intervalMin: 10 },
    });
    const [alarmVi, alarmGiay] = ann.alarm!.variants;
    for (const t of [a, b]) {
      await eventually(() => playedFiles(t).includes(pathOf(t, alarmGiay!.sha256)), 'the emergency to play');
      await t.agent.whenIdle();
      expect(t.record().slice(-4)).toEqual([
        { event: 'play', target: pathOf(t, longFile) },
        { event: 'stop', target: pathOf(t, longFile) },
        { event: 'play', target: pathOf(t, alarmVi!.sha256) },
        { event: 'play', target: pathOf(t, alarmGiay!.sha256) },
      ]);
    }
    a.holdOn('');
    b.holdOn('');
    await time.advance(60_000, settle);
    const events = await serverEvents(devices.a.id);
    const ofLong = events.filter((e) => e.occurrence_id === occurrenceOf('long', 'un-ta'));
    expect(ofLong.map((e) => [e.type, e.detail])).toEqual([
      ['started', null],
      ['failed', 'interrupted by an emergency broadcast'],
    ]);
    const alarmOccurrence = alarm.occurrences.find((o) => o.hamletId === 'un-ta')!.id;
    expect(
      events
        .filter((e) => e.occurrence_id === alarmOccurrence)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['completed', 'completed', 'started', 'started']);
    // Played once, though the manifest lists it too by now.
    expect(playedFiles(a).filter((f) => f === pathOf(a, alarmVi!.sha256))).toHaveLength(1);
  });

  it('detects a corrupted cached file by its SHA-256, fetches it again and plays it', async () => {
    const fragile = ann.fragile!.variants[0]!;
    const file = pathOf(a, fragile.sha256);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    const fetchesBefore = a.calls.filter((c) => c.path === `/media/${fragile.sha256}.mp3`).length;
    await time.advanceTo('2026-11-28T05:00:05.000Z', settle);
    expect(playedFiles(a).at(-1)).toBe(file);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(fragile.sha256);
    expect(a.calls.filter((c) => c.path === `/media/${fragile.sha256}.mp3`)).toHaveLength(fetchesBefore + 1);
    const events = (await serverEvents(devices.a.id)).filter(
      (e) => e.occurrence_id === occurrenceOf('fragile', 'un-ta'),
    );
    expect(events.map((e) => e.type).sort()).toEqual(['completed', 'started']);
  });

  it('polls with the ETag and gets 304 while nothing changed', async () => {
    // The first poll may get the manifest again: the 48 h window moved on since the last one.
    await a.agent.sync();
    const before = a.calls.length;
    await a.agent.sync();
    expect(a.calls.slice(before)).toEqual([
      { method: 'GET', path: '/api/v1/receiver/schedule', status: 304 },
    ]);
  });

  it('loses the server at once when its token is rotated, and keeps playing from the cache', async () => {
    const late = await createReadyAnnouncement(h, 'Tin cuối ngày', [{ language: 'vi', seconds: 1 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: late.id,
      hamletIds: ['un-ta'],
      at: '2026-11-28T13:00:00+07:00',
    });
    await a.agent.whenIdle();
    await eventually(
      () =>
        a.cache.loadManifest()?.manifest.items.some((i) => i.occurrenceId === made.occurrences[0]!.id) ??
        false,
      'the push to bring the new item',
    );
    await a.agent.whenIdle();
    await h.request(`/api/v1/receivers/${devices.a.id}/rotate-token`, {
      method: 'POST',
      token: h.tokens.admin,
    });
    await eventually(() => !a.agent.status().pushConnected, 'the push channel to close');
    await time.advanceTo('2026-11-28T06:00:05.000Z', settle);
    expect(a.agent.status().unauthorized).toBe(true);
    expect(a.calls.filter((c) => c.status === 401).length).toBeGreaterThan(0);
    expect(playedFiles(a).at(-1)).toBe(pathOf(a, late.variants[0]!.sha256));
    expect(a.agent.status().pendingEvents).toBe(2);
  });

  it('shows a hamlet head only their hamlet’s receivers and playback', async () => {
    const res = await h.request('/api/v1/playback?from=2026-11-27&to=2026-11-29', { token: h.tokens.head });
    const page = (await res.json()) as {
      items: { hamletId: string; id: string; receivers: { receiverId: string; status: string }[] }[];
    };
    expect(new Set(page.items.map((o) => o.hamletId))).toEqual(new Set(['un-ta']));
    const morning = page.items.find((o) => o.id === occurrenceOf('morning', 'un-ta'))!;
    expect(morning.receivers.find((r) => r.receiverId === devices.a.id)!.status).toBe('played');
    expect(page.items.flatMap((o) => o.receivers).some((r) => r.receiverId === devices.b.id)).toBe(false);
    const receivers = await h.request('/api/v1/receivers?limit=200', { token: h.tokens.head });
    const items = ((await receivers.json()) as { items: { id: string; online: boolean }[] }).items;
    expect(items.find((r) => r.id === devices.a.id)).toBeDefined();
    expect(items.find((r) => r.id === devices.b.id)).toBeUndefined();
    const officer = await h.request('/api/v1/playback?from=2026-11-27&to=2026-11-29&hamletId=thon-2', {
      token: h.tokens.officer,
    });
    const thon2 = ((await officer.json()) as typeof page).items.find(
      (o) => o.id === occurrenceOf('morning', 'thon-2'),
    )!;
    expect(thon2.receivers.find((r) => r.receiverId === devices.b.id)!.status).toBe('played');
  });
});
