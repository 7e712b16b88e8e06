import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Manifest } from '../../src/domain/receiver/protocol.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createDevice,
  createReadyAnnouncement,
  scheduleBroadcast,
  type FixtureAnnouncement,
} from '../support/receiver-fixtures.js';
import { sseClient } from '../support/sse-client.js';

const beat = { volume: 80, uptimeS: 3600, freeBytes: 2_000_000_000, signal: -71, appVersion: '0.1.0' };

describe.each(dialects)('receiver protocol on %s', (dialect) => {
  let h: Harness;
  let unTa: { id: string; token: string };
  let thon2: { id: string; token: string };
  let ann: FixtureAnnouncement;
  let first: { id: string; occurrences: { id: string; hamletId: string }[] };

  beforeAll(async () => {
    h = await createHarness(dialect);
    unTa = await createDevice(h, 'un-ta');
    thon2 = await createDevice(h, 'thon-2');
    // Giáy first in the list, yet Ún Tà plays Vietnamese first: its language order wins.
    ann = await createReadyAnnouncement(h, 'Tiêm phòng cho trâu bò', [
      { language: 'giay', seconds: 1 },
      { language: 'vi', seconds: 2 },
    ]);
    first = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-11-27T09:00:00+07:00',
    });
  });
  afterAll(() => h.close());

  const get = (token: string | undefined, headers: Record<string, string> = {}) =>
    h.request('/api/v1/receiver/schedule', { token, headers });
  const postLogs = (token: string, events: unknown[]) =>
    h.request('/api/v1/receiver/logs', { method: 'POST', token, json: { events } });
  const occurrenceOf = (hamletId: string) => first.occurrences.find((o) => o.hamletId === hamletId)!.id;

  describe('authentication', () => {
    it('refuses anonymous callers and user tokens with 401 problem+json', async () => {
      for (const token of [undefined, h.tokens.admin, 'x'.repeat(43)]) {
        const res = await get(token);
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(((await res.json()) as { detail: string }).detail).toMatch(/device token/);
      }
    });

    it.each([
      ['GET', '/api/v1/receiver/schedule', undefined],
      ['POST', '/api/v1/receiver/heartbeat', beat],
      ['POST', '/api/v1/receiver/logs', { events: [] }],
      ['GET', '/api/v1/receiver/events', undefined],
    ] as const)('%s %s: a device token passes, a user token gets 401', async (method, path, json) => {
      const asDevice = await h.request(path, { method, token: unTa.token, ...(json && { json }) });
      // An empty log batch passes authentication and then fails validation.
      expect(asDevice.status).toBe(path.endsWith('/logs') ? 400 : 200);
      await asDevice.body?.cancel();
      const asUser = await h.request(path, { method, token: h.tokens.officer, ...(json && { json }) });
      expect(asUser.status).toBe(401);
    });

    it('cuts a rotated token and a disabled receiver at once', async () => {
      const device = await createDevice(h, 'un-ta');
      expect((await get(device.token)).status).toBe(200);
      const rotated = await h.request(`/api/v1/receivers/${device.id}/rotate-token`, {
        method: 'POST',
        token: h.tokens.admin,
      });
      const { token } = (await rotated.json()) as { token: string };
      expect((await get(device.token)).status).toBe(401);
      expect((await get(token)).status).toBe(200);
      await h.request(`/api/v1/receivers/${device.id}`, { method: 'DELETE', token: h.tokens.admin });
      expect((await get(token)).status).toBe(401);
    });
  });

  describe('GET /api/v1/receiver/schedule', () => {
    it('lists the next 48 h in play order, variants in the hamlet language order, with audio and server time', async () => {
      const res = await get(unTa.token);
      expect(res.status).toBe(200);
      const manifest = (await res.json()) as Manifest;
      expect(manifest).toMatchObject({
        receiverId: unTa.id,
        hamletId: 'un-ta',
        serverTime: '2026-11-27T01:00:00.000Z',
      });
      expect(res.headers.get('x-server-time')).toBe('2026-11-27T01:00:00.000Z');
      const vi_ = ann.variants.find((v) => v.language === 'vi')!;
      const giay = ann.variants.find((v) => v.language === 'giay')!;
      const mine = manifest.items.filter((i) => i.occurrenceId === occurrenceOf('un-ta'));
      expect(mine.map((i) => [i.language, i.part, i.at])).toEqual([
        ['vi', 0, '2026-11-27T02:00:00.000Z'],
        ['giay', 1, new Date(Date.parse('2026-11-27T02:00:00.000Z') + vi_.durationMs).toISOString()],
      ]);
      expect(mine[0]).toMatchObject({
        kind: 'audio',
        priority: 'normal',
        title: 'Tiêm phòng cho trâu bò',
        durationMs: vi_.durationMs,
        audio: { url: `/media/${vi_.sha256}.mp3`, sha256: vi_.sha256, bytes: vi_.bytes, format: 'mp3' },
        relay: null,
      });
      expect(mine[1]!.audio!.sha256).toBe(giay.sha256);
      // The other hamlet's occurrence of the same broadcast is not in this manifest.
      expect(manifest.items.some((i) => i.occurrenceId === occurrenceOf('thon-2'))).toBe(false);
    });

    it('answers 304 to the current ETag with one lookup and no manifest query', async () => {
      const res = await get(unTa.token);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^"h-un-ta-v\d+-w\d+"$/);
      const repos = h.runtime.repos as unknown as Record<string, Record<string, unknown>>;
      const calls: string[] = [];
      const spies = Object.entries(repos).flatMap(([name, repo]) =>
        Object.keys(repo)
          .filter((method) => typeof repo[method] === 'function')
          .map((method) => {
            const original = repo[method] as (...a: unknown[]) => unknown;
            return vi
              .spyOn(repo as Record<string, (...a: unknown[]) => unknown>, method)
              .mockImplementation((...a) => {
                calls.push(`${name}.${method}`);
                return original(...a);
              });
          }),
      );
      try {
        const again = await get(unTa.token, { 'if-none-match': etag });
        expect(again.status).toBe(304);
        expect(await again.text()).toBe('');
        expect(again.headers.get('etag')).toBe(etag);
        expect(again.headers.get('x-server-time')).toBe(h.clock.now().toISOString());
        expect(calls).toEqual(['receiverSync.findReceiverSessionByTokenHash']);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

    it('changes the ETag when the schedule changes and when the 48 h window moves', async () => {
      const before = (await get(unTa.token)).headers.get('etag')!;
      // 50 h ahead: beyond the window now.
      const far = await scheduleBroadcast(h, {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 600 },
        hamletIds: ['un-ta'],
        at: '2026-11-29T10:00:00+07:00',
      });
      const res = await get(unTa.token, { 'if-none-match': before });
      expect(res.status).toBe(200);
      const afterBump = res.headers.get('etag')!;
      expect(afterBump).not.toBe(before);
      expect(
        ((await res.json()) as Manifest).items.some((i) => i.occurrenceId === far.occurrences[0]!.id),
      ).toBe(false);

      h.clock.advance(3 * 3_600_000);
      const moved = await get(unTa.token, { 'if-none-match': afterBump });
      expect(moved.status).toBe(200);
      const relay = ((await moved.json()) as Manifest).items.find(
        (i) => i.occurrenceId === far.occurrences[0]!.id,
      );
      expect(relay).toMatchObject({
        kind: 'relay',
        durationMs: 600_000,
        audio: null,
        relay: { url: 'https://radio.example.vn/vov1' },
      });
      h.clock.set('2026-11-27T01:00:00.000Z');
    });
  });

  describe('POST /api/v1/receiver/heartbeat', () => {
    it('stores the latest state and history and answers server time and schedule version', async () => {
      const history = () =>
        h.runtime.db.kysely
          .selectFrom('receiver_heartbeats')
          .selectAll()
          .where('receiver_id', '=', unTa.id)
          .orderBy('at')
          .execute();
      const before = (await history()).length;
      const res = await h.request('/api/v1/receiver/heartbeat', {
        method: 'POST',
        token: unTa.token,
        json: { ...beat, volume: 65 },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { serverTime: string; scheduleVersion: number };
      expect(body.serverTime).toBe(h.clock.now().toISOString());
      expect(body.scheduleVersion).toBeGreaterThan(1);
      const rows = await history();
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ volume: 65, signal: -71, app_version: '0.1.0' });

      const list = await h.request('/api/v1/receivers?hamletId=un-ta', { token: h.tokens.head });
      const row = ((await list.json()) as { items: Record<string, unknown>[] }).items.find(
        (r) => r.id === unTa.id,
      )!;
      expect(row).toMatchObject({
        online: true,
        volume: 65,
        signal: -71,
        appVersion: '0.1.0',
        lastSeenAt: h.clock.now().toISOString(),
      });

      h.clock.advance(121_000);
      const later = await h.request(`/api/v1/receivers/${unTa.id}`, { token: h.tokens.officer });
      expect(((await later.json()) as { online: boolean }).online).toBe(false);
      h.clock.set('2026-11-27T01:00:00.000Z');
    });

    it.each([
      [{ ...beat, volume: 101 }, 'volume'],
      [{ ...beat, signal: 12 }, 'signal'],
      [{ ...beat, uptimeS: -1 }, 'uptimeS'],
      [{ ...beat, freeBytes: 1.5 }, 'freeBytes'],
      [{ ...beat, appVersion: 'v1; rm -rf' }, 'appVersion'],
      [{ ...beat, temperature: 40 }, 'temperature'],
    ])('refuses out-of-range values with 400 naming the field (%j)', async (json, field) => {
      const res = await h.request('/api/v1/receiver/heartbeat', { method: 'POST', token: unTa.token, json });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toContain(field);
    });
  });

  describe('POST /api/v1/receiver/logs', () => {
    const at = '2026-11-27T02:00:00.500Z';
    beforeEach(() => h.clock.set('2026-11-27T02:05:00.000Z'));
    afterEach(() => h.clock.set('2026-11-27T01:00:00.000Z'));

    it('stores each event once: a retried batch counts duplicates, and a started event marks the occurrence played', async () => {
      const occurrenceId = occurrenceOf('un-ta');
      const events = [
        { id: 'e-1', occurrenceId, type: 'started', at },
        { id: 'e-2', occurrenceId, type: 'completed', at: '2026-11-27T02:00:03.000Z', detail: null },
      ];
      const res = await postLogs(unTa.token, events);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
      expect(await (await postLogs(unTa.token, events)).json()).toEqual({ accepted: 0, duplicates: 2 });
      const partly = await postLogs(unTa.token, [
        ...events,
        { id: 'e-3', occurrenceId, type: 'completed', at },
      ]);
      expect(await partly.json()).toEqual({ accepted: 1, duplicates: 2 });
      const stored = await h.runtime.db.kysely
        .selectFrom('playback_events')
        .select('event_id')
        .where('receiver_id', '=', unTa.id)
        .execute();
      expect(stored.map((r) => r.event_id).sort()).toEqual(['e-1', 'e-2', 'e-3']);
      const occurrence = await h.runtime.db.kysely
        .selectFrom('occurrences')
        .select('status')
        .where('id', '=', occurrenceId)
        .executeTakeFirstOrThrow();
      expect(occurrence.status).toBe('played');
    });

    it('corrects a missed occurrence with a late report, to failed when the receiver failed', async () => {
      const occurrenceId = occurrenceOf('thon-2');
      await h.runtime.db.kysely
        .updateTable('occurrences')
        .set({ status: 'missed' })
        .where('id', '=', occurrenceId)
        .execute();
      h.clock.set('2026-11-28T01:00:00.000Z');
      const res = await postLogs(thon2.token, [
        { id: 'late-1', occurrenceId, type: 'failed', at, detail: 'player exited with code 1' },
      ]);
      expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
      const row = await h.runtime.db.kysely
        .selectFrom('occurrences')
        .select('status')
        .where('id', '=', occurrenceId)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('failed');
    });

    it('refuses the whole batch with 422 naming unknown, foreign, repeated and implausibly timed events', async () => {
      const mine = occurrenceOf('un-ta');
      const res = await postLogs(unTa.token, [
        { id: 'ok-1', occurrenceId: mine, type: 'started', at },
        { id: 'u-1', occurrenceId: 'no-such-occurrence', type: 'started', at },
        { id: 'f-1', occurrenceId: occurrenceOf('thon-2'), type: 'started', at },
        { id: 'd-1', occurrenceId: mine, type: 'started', at },
        { id: 'd-1', occurrenceId: mine, type: 'completed', at },
        { id: 't-1', occurrenceId: mine, type: 'started', at: '2027-01-01T00:00:00Z' },
        { id: 't-2', occurrenceId: mine, type: 'started', at: '2026-01-01T00:00:00Z' },
      ]);
      expect(res.status).toBe(422);
      const problem = (await res.json()) as {
        detail: string;
        detailVi: string;
        rejected: { id: string; reason: string }[];
      };
      expect(problem.rejected).toEqual(
        expect.arrayContaining([
          { id: 'u-1', occurrenceId: 'no-such-occurrence', reason: 'unknown_occurrence' },
          { id: 'f-1', occurrenceId: occurrenceOf('thon-2'), reason: 'other_hamlet' },
          { id: 'd-1', occurrenceId: mine, reason: 'duplicate_in_batch' },
          { id: 't-1', occurrenceId: mine, reason: 'in_future' },
          { id: 't-2', occurrenceId: mine, reason: 'too_old' },
        ]),
      );
      expect(problem.rejected.some((r) => r.id === 'ok-1')).toBe(false);
      expect(problem.detail).toMatch(/u-1 .*no such occurrence/);
      expect(problem.detailVi).toMatch(/thôn khác/);
      const stored = await h.runtime.db.kysely
        .selectFrom('playback_events')
        .select('event_id')
        .where('event_id', '=', 'ok-1')
        .execute();
      expect(stored).toHaveLength(0);
    });

    it('refuses a report dated minutes before its occurrence starts instead of marking it failed', async () => {
      const mine = occurrenceOf('un-ta');
      const early = new Date(Date.parse(at) - 30 * 60_000).toISOString();
      const res = await postLogs(unTa.token, [
        { id: 'early-1', occurrenceId: mine, type: 'failed', at: early, detail: 'no audio device' },
      ]);
      expect(res.status).toBe(422);
      const problem = (await res.json()) as { rejected: { id: string; reason: string }[]; detailVi: string };
      expect(problem.rejected).toEqual([{ id: 'early-1', occurrenceId: mine, reason: 'before_start' }]);
      expect(problem.detailVi).toMatch(/đồng hồ/);
      const row = await h.runtime.db.kysely
        .selectFrom('occurrences')
        .select('status')
        .where('id', '=', mine)
        .executeTakeFirstOrThrow();
      expect(row.status).not.toBe('failed');
    });

    it('limits a batch to 1,000 events and refuses malformed JSON', async () => {
      const mine = occurrenceOf('un-ta');
      const many = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ id: `m-${i}`, occurrenceId: mine, type: 'started', at }));
      const over = await postLogs(unTa.token, many(1001));
      expect(over.status).toBe(400);
      expect(((await over.json()) as { detail: string }).detail).toMatch(/at most 1000 events/);
      // 10,000 events are also over the body size limit: refused before parsing.
      expect([400, 413]).toContain((await postLogs(unTa.token, many(10_000))).status);
      const ok = await postLogs(unTa.token, many(1000));
      expect(await ok.json()).toEqual({ accepted: 1000, duplicates: 0 });
      const malformed = await h.request('/api/v1/receiver/logs', {
        method: 'POST',
        token: unTa.token,
        headers: { 'content-type': 'application/json' },
        body: '{"events": [',
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { detail: string }).detail).toMatch(/not valid JSON/);
    });
  });

  describe('GET /api/v1/receiver/events', () => {
    it('sends the version on connect, schedule on change, play for an emergency and stop on its cancel', async () => {
      const res = await h.request('/api/v1/receiver/events', { token: unTa.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const sse = sseClient(res);
      const hello = JSON.parse((await sse.next('schedule')).data) as { version: number };

      const other = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 1 }]);
      await scheduleBroadcast(h, {
        announcementId: other.id,
        hamletIds: ['un-ta'],
        at: '2026-11-27T10:00:00+07:00',
      });
      const changed = JSON.parse((await sse.next('schedule')).data) as { version: number };
      expect(changed.version).toBeGreaterThan(hello.version);

      const alarm = await createReadyAnnouncement(h, 'Lũ quét', [
        { language: 'vi', seconds: 1 },
        { language: 'giay', seconds: 1 },
      ]);
      const emergency = await scheduleBroadcast(h, {
        announcementId: alarm.id,
        hamletIds: ['un-ta', 'thon-2'],
        at: h.clock.now().toISOString(),
        priority: 'emergency',
        repeat: { count: 1, intervalMin: 10 },
      });
      const play = JSON.parse((await sse.next('play')).data) as {
        occurrenceId: string;
        items: Manifest['items'];
      };
      const mine = emergency.occurrences.find((o) => o.hamletId === 'un-ta')!;
      expect(play.occurrenceId).toBe(mine.id);
      expect(play.items.map((i) => [i.language, i.priority])).toEqual([
        ['vi', 'emergency'],
        ['giay', 'emergency'],
      ]);
      // The hamlet's new schedule version follows the play at once, in the same write.
      const after = JSON.parse((await sse.next('schedule')).data) as { version: number };
      expect(after.version).toBeGreaterThan(changed.version);
      expect(sse.chunks().filter((text) => text.startsWith('event: play\n'))).toEqual([
        expect.stringMatching(
          new RegExp(`}\\n\\nevent: schedule\\ndata: {"version":${after.version}}\\n\\n$`),
        ),
      ]);

      await h.request(`/api/v1/broadcasts/${emergency.id}`, { method: 'DELETE', token: h.tokens.officer });
      expect(JSON.parse((await sse.next('stop')).data)).toEqual({ occurrenceId: mine.id });
      await sse.cancel();
    });

    it('closes the open stream when the token is rotated', async () => {
      const device = await createDevice(h, 'un-ta');
      const sse = sseClient(await h.request('/api/v1/receiver/events', { token: device.token }));
      await sse.next('schedule');
      await h.request(`/api/v1/receivers/${device.id}/rotate-token`, {
        method: 'POST',
        token: h.tokens.admin,
      });
      expect(await sse.ended()).toBe(true);
      expect(h.runtime.services.receiverHub.stats().connections).toBe(0);
    });
  });
});
