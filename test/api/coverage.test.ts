import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer } from '../support/real-server.js';
import {
  createDevice,
  createReadyAnnouncement,
  scheduleBroadcast,
  type FixtureAnnouncement,
} from '../support/receiver-fixtures.js';

interface Airings {
  expected: number;
  played: number;
  failed: number;
  missed: number;
  offline: number;
  rate: number | null;
}
interface Coverage {
  hamlets: (Airings & { hamletId: string; scheduled: number })[];
  receivers: (Airings & { receiverId: string; name: string; hamletId: string })[];
}
interface Playback {
  id: string;
  status: string;
  receivers: {
    receiverId: string;
    name: string;
    status: string;
    startedAt: string | null;
    sha256s: string[];
  }[];
}

/**
 * Coverage counted per receiver: six boxes in thôn 3, three online that play the item and three that
 * send no heartbeat at all. One box airing it no longer makes the hamlet "100 %".
 */
describe.each(dialects)('coverage per receiver on %s', (dialect) => {
  let h: Harness;
  let ann: FixtureAnnouncement;
  let online: { id: string; token: string }[];
  let offline: { id: string; token: string }[];
  let occurrenceId: string;
  const range = '?from=2026-11-27&to=2026-11-28';

  const heartbeat = (token: string) =>
    h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token,
      json: { volume: 80, uptimeS: 600, freeBytes: 1_000_000, signal: -85, appVersion: '0.2.0' },
    });
  const log = (token: string, events: unknown[]) =>
    h.request('/api/v1/receiver/logs', { method: 'POST', token, json: { events } });
  const coverage = async () => {
    const res = await h.request(`/api/v1/reports/coverage${range}`, { token: h.tokens.officer });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Coverage;
  };

  beforeAll(async () => {
    h = await createHarness(dialect);
    online = [];
    offline = [];
    for (const n of [1, 2, 3]) online.push(await createDevice(h, 'thon-3', `Cụm loa trực tuyến ${n}`));
    for (const n of [1, 2, 3]) offline.push(await createDevice(h, 'thon-3', `Cụm loa mất mạng ${n}`));
    ann = await createReadyAnnouncement(h, 'Phòng chống rét cho trâu bò', [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T09:00:00+07:00',
    });
    occurrenceId = made.occurrences[0]!.id;

    // The online boxes keep their heartbeat and play the item; the others are silent all along.
    for (const at of ['2026-11-27T01:59:00.000Z', '2026-11-27T02:00:30.000Z']) {
      h.clock.set(at);
      for (const box of online) expect((await heartbeat(box.token)).status).toBe(200);
    }
    for (const [i, box] of online.entries()) {
      const res = await log(box.token, [
        {
          id: `s${i}`,
          occurrenceId,
          type: 'started',
          at: '2026-11-27T02:00:00.000Z',
          sha256: ann.variants[0]!.sha256,
        },
        { id: `c${i}`, occurrenceId, type: 'completed', at: '2026-11-27T02:00:02.000Z' },
      ]);
      expect(res.status, await res.clone().text()).toBe(200);
    }
    // Past the end and the grace: every box's outcome is known.
    h.clock.set('2026-11-27T02:20:00.000Z');
  });
  afterAll(() => h.close());

  it('rates the hamlet at 50 %: 3 boxes aired it out of 6 expected, the 3 silent ones offline', async () => {
    const report = await coverage();
    expect(report.hamlets.find((r) => r.hamletId === 'thon-3')).toEqual({
      hamletId: 'thon-3',
      hamletName: 'Thôn số 3 (dữ liệu mẫu)',
      scheduled: 1,
      expected: 6,
      played: 3,
      failed: 0,
      missed: 0,
      offline: 3,
      interrupted: 0,
      rate: 0.5,
    });
    const rows = report.receivers.filter((r) => r.hamletId === 'thon-3');
    expect(rows).toHaveLength(6);
    for (const box of online) {
      expect(rows.find((r) => r.receiverId === box.id)).toMatchObject({
        expected: 1,
        played: 1,
        offline: 0,
        rate: 1,
      });
    }
    for (const box of offline) {
      expect(rows.find((r) => r.receiverId === box.id)).toMatchObject({
        expected: 1,
        played: 0,
        offline: 1,
        rate: 0,
      });
    }
    // Hamlets with nothing scheduled are listed with nothing expected.
    expect(report.hamlets.find((r) => r.hamletId === 'thon-4')).toMatchObject({
      scheduled: 0,
      expected: 0,
      rate: null,
    });
  });

  it('shows each receiver of the occurrence: played with the hash it played, or offline', async () => {
    const res = await h.request(`/api/v1/playback/${occurrenceId}`, { token: h.tokens.officer });
    expect(res.status).toBe(200);
    const o = (await res.json()) as Playback;
    expect(o.status).toBe('played');
    expect(o.receivers).toHaveLength(6);
    const byId = new Map(o.receivers.map((r) => [r.receiverId, r]));
    for (const box of online) {
      expect(byId.get(box.id)).toMatchObject({
        status: 'played',
        startedAt: '2026-11-27T02:00:00.000Z',
        sha256s: [ann.variants[0]!.sha256],
      });
    }
    for (const box of offline) expect(byId.get(box.id)).toMatchObject({ status: 'offline', sha256s: [] });
  });

  it('carries the hamlet row and a row per receiver in the CSV', async () => {
    const res = await h.request(`/api/v1/reports/coverage${range}`, {
      token: h.tokens.officer,
      headers: { accept: 'text/csv' },
    });
    const lines = (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'level,hamlet_id,hamlet,receiver_id,receiver,scheduled,expected,played,failed,missed,offline,rate,interrupted',
    );
    const hamletRow = lines.indexOf('hamlet,thon-3,Thôn số 3 (dữ liệu mẫu),,,1,6,3,0,0,3,0.5,0');
    expect(hamletRow).toBeGreaterThan(0);
    // The hamlet's receivers follow its row, sorted by name.
    expect(lines.slice(hamletRow + 1, hamletRow + 7)).toEqual([
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${offline[0]!.id},Cụm loa mất mạng 1,,1,0,0,0,1,0,0`,
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${offline[1]!.id},Cụm loa mất mạng 2,,1,0,0,0,1,0,0`,
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${offline[2]!.id},Cụm loa mất mạng 3,,1,0,0,0,1,0,0`,
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${online[0]!.id},Cụm loa trực tuyến 1,,1,1,0,0,0,1,0`,
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${online[1]!.id},Cụm loa trực tuyến 2,,1,1,0,0,0,1,0`,
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${online[2]!.id},Cụm loa trực tuyến 3,,1,1,0,0,0,1,0`,
    ]);
  });

  it('counts a box heard from but silent as missed, and a late report from an offline box as played', async () => {
    // A second airing that nobody reports: the online boxes and silent box 1 send heartbeats within its
    // grace, so they missed it. Silent box 2 played the first airing from its cache while offline and
    // delivers its queue now.
    const second = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T10:00:00+07:00',
    });
    h.clock.set('2026-11-27T03:05:00.000Z');
    for (const box of [...online, offline[0]!]) expect((await heartbeat(box.token)).status).toBe(200);
    expect(
      (
        await log(offline[1]!.token, [
          { id: 'late', occurrenceId, type: 'started', at: '2026-11-27T02:00:00.000Z' },
        ])
      ).status,
    ).toBe(200);
    h.clock.set('2026-11-27T03:30:00.000Z');
    const report = await coverage();
    const row = (id: string) => report.receivers.find((r) => r.receiverId === id)!;
    expect(row(offline[0]!.id)).toMatchObject({ expected: 2, missed: 1, offline: 1, rate: 0 });
    expect(row(offline[1]!.id)).toMatchObject({ expected: 2, played: 1, offline: 1, rate: 0.5 });
    expect(report.hamlets.find((r) => r.hamletId === 'thon-3')).toMatchObject({
      scheduled: 2,
      expected: 12,
      played: 4,
      missed: 4,
      offline: 4,
    });
    expect(second.occurrences).toHaveLength(1);
  });

  it('expects nothing of a box added after the airing', async () => {
    await createDevice(h, 'thon-3', 'Cụm loa lắp sau');
    const report = await coverage();
    const added = report.receivers.find((r) => r.name === 'Cụm loa lắp sau')!;
    expect(added).toMatchObject({ expected: 0, rate: null });
    expect(report.hamlets.find((r) => r.hamletId === 'thon-3')!.expected).toBe(12);
  });

  it('expects nothing of a box switched off before the airing: switched off twice, or on again after', async () => {
    const back = h.clock.now().toISOString();
    h.clock.set('2026-11-27T02:20:00.000Z');
    const box = await createDevice(h, 'thon-4', 'Cụm loa đang sửa');
    const switchOff = () =>
      h.request(`/api/v1/receivers/${box.id}`, {
        method: 'PATCH',
        token: h.tokens.admin,
        json: { disabled: true },
      });
    expect((await switchOff()).status).toBe(200);
    await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-4'],
      at: '2026-11-27T10:00:00+07:00',
    });
    h.clock.set('2026-11-27T03:30:00.000Z');
    const thon4 = async () => (await coverage()).hamlets.find((r) => r.hamletId === 'thon-4')!;
    const before = await thon4();
    // After the airing, the form is sent again (a second tab, the back button): nothing changes.
    expect((await switchOff()).status).toBe(200);
    expect(await thon4()).toEqual(before);
    const report = await coverage();
    expect(report.receivers.filter((r) => r.receiverId === box.id && r.expected > 0)).toEqual([]);
    // Switched on again once mended: still nothing expected of it for the airing it was off for.
    const on = await h.request(`/api/v1/receivers/${box.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { disabled: false },
    });
    expect(on.status).toBe(200);
    expect(await thon4()).toEqual(before);
    expect((await coverage()).receivers.find((r) => r.receiverId === box.id)).toMatchObject({
      expected: 0,
      offline: 0,
    });
    h.clock.set(back);
  });

  it('expects nothing of a box moved into the hamlet after the airing, though it was made before', async () => {
    const back = h.clock.now().toISOString();
    h.clock.set('2026-11-27T01:30:00.000Z');
    const box = await createDevice(h, 'thon-5', 'Cụm loa chuyển đến');
    h.clock.set(back);
    const thon3 = async () => (await coverage()).hamlets.find((r) => r.hamletId === 'thon-3')!;
    const before = await thon3();
    const moved = await h.request(`/api/v1/receivers/${box.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-3' },
    });
    expect(moved.status).toBe(200);
    expect(await thon3()).toEqual(before);
    expect((await coverage()).receivers.find((r) => r.receiverId === box.id)).toMatchObject({
      hamletId: 'thon-3',
      expected: 0,
      offline: 0,
    });
  });

  it('takes a time with its offset, and refuses one that names no zone', async () => {
    const server = await startRealServer(h);
    const get = (query: string) =>
      fetch(`${server.url}/api/v1/reports/coverage?${query}`, {
        headers: { authorization: `Bearer ${h.tokens.officer}` },
      });
    try {
      // 06:00 to 12:00 in the commune holds the day's one airing, at 09:00.
      const zoned = await get('from=2026-11-27T06:00:00%2B07:00&to=2026-11-27T12:00:00%2B07:00');
      expect(zoned.status, await zoned.clone().text()).toBe(200);
      const report = (await zoned.json()) as Coverage;
      expect(report.hamlets).toEqual((await coverage()).hamlets);
      expect(report.hamlets.find((r) => r.hamletId === 'thon-3')?.expected).toBeGreaterThan(0);
      // Read by `Date`, these would be on the server's clock: 06:00 UTC is 13:00 in the commune.
      for (const [query, field] of [
        ['from=2026-11-27T06:00:00&to=2026-11-27T12:00:00', 'from'],
        ['from=2026-11-27T06:00:00%2B07:00&to=2026-11-27 12:00', 'to'],
      ] as const) {
        const res = await get(query);
        expect(res.status, query).toBe(422);
        const problem = (await res.json()) as { detail: string; errors: { field: string }[] };
        expect(problem.errors).toEqual([expect.objectContaining({ field })]);
        expect(problem.detail).toMatch(/offset/);
      }
    } finally {
      await server.stop();
    }
  });
});
