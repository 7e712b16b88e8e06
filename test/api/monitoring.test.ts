import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

interface PlaybackPage {
  items: {
    id: string;
    hamletId: string;
    status: string;
    receivers: { receiverId: string; status: string; detail: string | null; startedAt: string | null }[];
  }[];
  nextCursor: string | null;
}

describe.each(dialects)('monitoring: receivers, playback, coverage on %s', (dialect) => {
  let h: Harness;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let c: { id: string; token: string };
  let occ: { unTa: string; thon2: string };

  beforeAll(async () => {
    h = await createHarness(dialect);
    a = await createDevice(h, 'un-ta');
    b = await createDevice(h, 'un-ta');
    c = await createDevice(h, 'thon-2');
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm chủng', [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-11-27T09:00:00+07:00',
    });
    occ = {
      unTa: made.occurrences.find((o) => o.hamletId === 'un-ta')!.id,
      thon2: made.occurrences.find((o) => o.hamletId === 'thon-2')!.id,
    };
  });
  afterAll(() => h.close());

  const log = (token: string, events: unknown[]) =>
    h.request('/api/v1/receiver/logs', { method: 'POST', token, json: { events } });
  const playback = async (token: string, query = '') => {
    const res = await h.request(`/api/v1/playback?from=2026-11-27&to=2026-11-28${query}`, { token });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as PlaybackPage;
  };
  const receiverStatus = (page: PlaybackPage, occurrenceId: string, receiverId: string) =>
    page.items.find((o) => o.id === occurrenceId)!.receivers.find((r) => r.receiverId === receiverId);

  it('derives each receiver’s status from its events and heartbeats: playing, played, failed, missed, offline', async () => {
    h.clock.set('2026-11-27T02:00:01.000Z');
    // Thôn 2's box is online but reports nothing; the example boxes of the commune file never connect.
    const beat = await h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: c.token,
      json: { volume: 80, uptimeS: 60, freeBytes: 1_000_000, signal: null, appVersion: '0.2.0' },
    });
    expect(beat.status).toBe(200);
    await log(a.token, [
      { id: 'a1', occurrenceId: occ.unTa, type: 'started', at: '2026-11-27T02:00:00.000Z' },
    ]);
    let page = await playback(h.tokens.officer);
    expect(receiverStatus(page, occ.unTa, a.id)).toMatchObject({
      status: 'playing',
      startedAt: '2026-11-27T02:00:00.000Z',
    });
    expect(receiverStatus(page, occ.unTa, b.id)!.status).toBe('scheduled');

    await log(a.token, [
      { id: 'a2', occurrenceId: occ.unTa, type: 'completed', at: '2026-11-27T02:00:02.000Z' },
    ]);
    await log(b.token, [
      { id: 'b1', occurrenceId: occ.unTa, type: 'started', at: '2026-11-27T02:00:00.000Z' },
      {
        id: 'b2',
        occurrenceId: occ.unTa,
        type: 'failed',
        at: '2026-11-27T02:00:01.000Z',
        detail: 'amplifier off',
      },
    ]);
    h.clock.set('2026-11-27T03:00:00.000Z');
    page = await playback(h.tokens.officer);
    expect(receiverStatus(page, occ.unTa, a.id)!.status).toBe('played');
    expect(receiverStatus(page, occ.unTa, b.id)).toMatchObject({ status: 'failed', detail: 'amplifier off' });
    expect(receiverStatus(page, occ.thon2, c.id)!.status).toBe('missed');
    expect(receiverStatus(page, occ.thon2, 'rx-thon-2-1')!.status).toBe('offline');
    expect(receiverStatus(page, occ.unTa, 'rx-un-ta-1')!.status).toBe('offline');
    // One cluster aired it, so the hamlet heard it.
    expect(page.items.find((o) => o.id === occ.unTa)!.status).toBe('played');
  });

  it('filters by status and pages by time with a cursor', async () => {
    const played = await playback(h.tokens.officer, '&status=played');
    expect(played.items.map((o) => o.id)).toEqual([occ.unTa]);
    const first = await playback(h.tokens.officer, '&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await playback(
      h.tokens.officer,
      `&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    expect(second.nextCursor).toBeNull();
  });

  it('shows a hamlet head only their hamlet’s receivers and playback', async () => {
    const page = await playback(h.tokens.head);
    expect(page.items.map((o) => o.hamletId)).toEqual(['un-ta']);
    const other = await h.request('/api/v1/playback?hamletId=thon-2', { token: h.tokens.head });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/thon-2/);
    const receivers = await h.request('/api/v1/receivers?limit=200', { token: h.tokens.head });
    const ids = ((await receivers.json()) as { items: { id: string; hamletId: string }[] }).items;
    expect(new Set(ids.map((r) => r.hamletId))).toEqual(new Set(['un-ta']));
    expect(ids.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(ids.map((r) => r.id)).not.toContain(c.id);
    expect((await h.request(`/api/v1/receivers/${c.id}`, { token: h.tokens.head })).status).toBe(403);
    expect((await h.request('/api/v1/playback', { token: h.tokens.secretary })).status).toBe(403);
  });

  it('reports coverage per receiver and hamlet in scope, as JSON and as CSV with a BOM', async () => {
    const res = await h.request('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', {
      token: h.tokens.officer,
    });
    const report = (await res.json()) as {
      from: string;
      hamlets: Record<string, unknown>[];
      receivers: Record<string, unknown>[];
    };
    // Local midnight in Asia/Ho_Chi_Minh.
    expect(report.from).toBe('2026-11-26T17:00:00.000Z');
    expect(report.hamlets).toHaveLength(9);
    // Ún Tà: of its four boxes one aired it, one failed, the two example boxes were offline.
    expect(report.hamlets.find((r) => r.hamletId === 'un-ta')).toMatchObject({
      scheduled: 1,
      expected: 4,
      played: 1,
      failed: 1,
      missed: 0,
      offline: 2,
      rate: 0.25,
    });
    expect(report.hamlets.find((r) => r.hamletId === 'thon-2')).toMatchObject({
      scheduled: 1,
      expected: 2,
      played: 0,
      missed: 1,
      offline: 1,
      rate: 0,
    });
    expect(report.hamlets.find((r) => r.hamletId === 'thon-4')).toMatchObject({ scheduled: 0, rate: null });
    expect(report.receivers.find((r) => r.receiverId === b.id)).toMatchObject({
      hamletId: 'un-ta',
      expected: 1,
      failed: 1,
      rate: 0,
    });

    const head = await h.request('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', {
      token: h.tokens.head,
    });
    expect(
      ((await head.json()) as { hamlets: { hamletId: string }[] }).hamlets.map((r) => r.hamletId),
    ).toEqual(['un-ta']);

    const csv = await h.request('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', {
      token: h.tokens.officer,
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /attachment; filename="coverage-2026-11-27-2026-11-27\.csv"/,
    );
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'level,hamlet_id,hamlet,receiver_id,receiver,scheduled,expected,played,failed,missed,offline,rate,interrupted',
    );
    expect(lines).toContain('hamlet,un-ta,Thôn Ún Tà,,,1,4,1,1,0,2,0.25,0');
    expect(lines).toContain('hamlet,thon-2,Thôn số 2 (dữ liệu mẫu),,,1,2,0,0,1,1,0,0');
    expect(lines.find((l) => l.includes(`,${a.id},`))).toMatch(
      /^receiver,un-ta,Thôn Ún Tà,.*,,1,1,0,0,0,1,0$/,
    );
    expect(lines.at(-1)).toBe('');
  });

  it('refuses bad ranges and filters clearly', async () => {
    const backwards = await h.request('/api/v1/reports/coverage?from=2026-11-28&to=2026-11-27', {
      token: h.tokens.officer,
    });
    expect(backwards.status).toBe(422);
    const garbage = await h.request('/api/v1/playback?from=yesterday', { token: h.tokens.officer });
    expect(garbage.status).toBe(422);
    expect(((await garbage.json()) as { detail: string }).detail).toMatch(/ISO 8601/);
    expect((await h.request('/api/v1/playback?status=lost', { token: h.tokens.officer })).status).toBe(400);
    expect(
      (await h.request('/api/v1/reports/coverage?from=2020-01-01&to=2026-01-01', { token: h.tokens.officer }))
        .status,
    ).toBe(422);
  });

  it('lists a broadcast’s latest 200 occurrences in a hamlet head’s own hamlets, not of the whole commune', async () => {
    const ann = await createReadyAnnouncement(h, 'Bản tin hằng ngày', [{ language: 'vi', seconds: 2 }]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['un-ta', 'thon-2'],
      at: '2026-12-01T06:00:00+07:00',
    });
    const first = made.occurrences[0]!;
    // Thôn 2's later airings of it outnumber a page: Ún Tà's one is older than all of them.
    await h.runtime.repos.broadcasts.insertOccurrences(
      Array.from({ length: 201 }, (_, i) => ({
        id: `later-thon-2-${i}`,
        broadcastId: made.id,
        hamletId: 'thon-2',
        startsAt: new Date(Date.parse(first.at) + (i + 1) * 3_600_000).toISOString(),
        durationMs: first.durationMs,
        priority: 'normal' as const,
        slotName: null,
      })),
      h.clock.now().toISOString(),
    );
    const res = await h.request(`/api/v1/broadcasts/${made.id}/playback`, { token: h.tokens.head });
    expect(res.status).toBe(200);
    const page = (await res.json()) as {
      occurrences: { id: string; hamletId: string }[];
      truncated: boolean;
    };
    expect(page.occurrences.map((o) => o.id)).toEqual([
      made.occurrences.find((o) => o.hamletId === 'un-ta')!.id,
    ]);
    expect(page.truncated).toBe(false);
    const office = await h.request(`/api/v1/broadcasts/${made.id}/playback`, { token: h.tokens.officer });
    const all = (await office.json()) as { occurrences: unknown[]; truncated: boolean };
    expect(all.occurrences).toHaveLength(200);
    expect(all.truncated).toBe(true);
  });
});
