import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import {
  createDevice,
  createReadyAnnouncement,
  scheduleBroadcast,
  type FixtureAnnouncement,
} from '../support/receiver-fixtures.js';

interface ReceiverRow {
  receiverId: string;
  hamletId: string;
  expected: number;
  played: number;
  offline: number;
}
interface Coverage {
  hamlets: { hamletId: string; expected: number; played: number }[];
  receivers: ReceiverRow[];
}

/**
 * A box of Ún Tà airs two of its items (one reported at once, one queued while it had no network), is then
 * moved to thôn 3, and delivers its queue there. What it aired in Ún Tà stays Ún Tà's, counted once; thôn 3
 * gains nothing of it and expects of the box only what aired after it came.
 */
describe.each(dialects)('a receiver moved to another hamlet keeps its history there, on %s', (dialect) => {
  let h: Harness;
  let ann: FixtureAnnouncement;
  let box: { id: string; token: string };
  const airings: Record<'a1' | 'a2' | 'a3' | 'b1', string> = { a1: '', a2: '', a3: '', b1: '' };
  const range = '?from=2026-11-27&to=2026-11-28';

  const log = (events: unknown[]) =>
    h.request('/api/v1/receiver/logs', { method: 'POST', token: box.token, json: { events } });
  const heartbeat = () =>
    h.request('/api/v1/receiver/heartbeat', {
      method: 'POST',
      token: box.token,
      json: { volume: 80, uptimeS: 600, freeBytes: 1_000_000, signal: -85, appVersion: '0.2.0' },
    });
  const played = (key: string, occurrenceId: string, at: string) => [
    { id: `${key}-s`, occurrenceId, type: 'started', at, sha256: ann.variants[0]!.sha256 },
    { id: `${key}-c`, occurrenceId, type: 'completed', at: new Date(Date.parse(at) + 2000).toISOString() },
  ];
  const coverage = async (token: string) => {
    const res = await h.request(`/api/v1/reports/coverage${range}`, { token });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Coverage;
  };
  const rowsOfBox = (report: Coverage) =>
    report.receivers
      .filter((r) => r.receiverId === box.id)
      .map(({ hamletId, expected, played, offline }) => ({ hamletId, expected, played, offline }));

  beforeAll(async () => {
    h = await createHarness(dialect);
    box = await createDevice(h, 'un-ta', 'Cụm loa chợ Ún Tà');
    ann = await createReadyAnnouncement(h, 'Tiêm phòng cho gia súc', [{ language: 'vi', seconds: 2 }]);
    const at = async (hamletId: string, local: string) =>
      (await scheduleBroadcast(h, { announcementId: ann.id, hamletIds: [hamletId], at: local }))
        .occurrences[0]!.id;
    airings.a1 = await at('un-ta', '2026-11-27T09:00:00+07:00');
    airings.a2 = await at('un-ta', '2026-11-27T10:00:00+07:00');
    airings.a3 = await at('un-ta', '2026-11-27T15:00:00+07:00');
    airings.b1 = await at('thon-3', '2026-11-27T16:00:00+07:00');

    // A1: heard from and reported at once.
    h.clock.set('2026-11-27T02:00:30.000Z');
    expect((await heartbeat()).status).toBe(200);
    const first = await log(played('a1', airings.a1, '2026-11-27T02:00:00.000Z'));
    expect(first.status, await first.clone().text()).toBe(200);
    // A2 aired with no network: its report waits in the box's queue. Then the box goes to thôn 3.
    h.clock.set('2026-11-27T05:00:00.000Z');
    const moved = await h.request(`/api/v1/receivers/${box.id}`, {
      method: 'PATCH',
      token: h.tokens.admin,
      json: { hamletId: 'thon-3' },
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
  });
  afterAll(() => h.close());

  it('accepts the report it queued in Ún Tà and delivers after the move, and counts it once', async () => {
    h.clock.set('2026-11-27T05:10:00.000Z');
    const queued = played('a2', airings.a2, '2026-11-27T03:00:00.000Z');
    const res = await log(queued);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0 });
    // The agent sends it again when the answer was lost: nothing more is stored.
    expect(await (await log(queued)).json()).toEqual({ accepted: 0, duplicates: 2 });
  });

  it('still refuses a report of an Ún Tà airing after it left', async () => {
    h.clock.set('2026-11-27T08:00:30.000Z');
    const res = await log(played('a3', airings.a3, '2026-11-27T08:00:00.000Z'));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { rejected: { id: string; reason: string }[] };
    expect(problem.rejected).toContainEqual({ id: 'a3-s', occurrenceId: airings.a3, reason: 'other_hamlet' });
  });

  it("counts what it aired before the move under Ún Tà, and only thôn 3's airing under thôn 3", async () => {
    h.clock.set('2026-11-27T09:00:30.000Z');
    expect((await heartbeat()).status).toBe(200);
    expect((await log(played('b1', airings.b1, '2026-11-27T09:00:00.000Z'))).status).toBe(200);
    h.clock.set('2026-11-27T10:00:00.000Z');

    const report = await coverage(h.tokens.officer);
    expect(rowsOfBox(report)).toEqual([
      { hamletId: 'thon-3', expected: 1, played: 1, offline: 0 },
      { hamletId: 'un-ta', expected: 2, played: 2, offline: 0 },
    ]);
    // Ún Tà's row adds up its own boxes (the two seeded ones, silent) and the moved one's two airings.
    const unTa = report.hamlets.find((r) => r.hamletId === 'un-ta')!;
    expect(unTa).toMatchObject({ played: 2 });
    expect(report.hamlets.find((r) => r.hamletId === 'thon-3')).toMatchObject({ expected: 1, played: 1 });
  });

  it("shows Ún Tà's head the box's airings there, though it now belongs to another hamlet", async () => {
    const report = await coverage(h.tokens.head);
    expect(report.hamlets.map((r) => r.hamletId)).toEqual(['un-ta']);
    expect(rowsOfBox(report)).toEqual([{ hamletId: 'un-ta', expected: 2, played: 2, offline: 0 }]);
  });

  it("lists the box among those that aired Ún Tà's items, and not among thôn 3's before it came", async () => {
    for (const occurrenceId of [airings.a1, airings.a2]) {
      const res = await h.request(`/api/v1/playback/${occurrenceId}`, { token: h.tokens.head });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { receivers: { receiverId: string; status: string }[] };
      expect(body.receivers.find((r) => r.receiverId === box.id)).toMatchObject({ status: 'played' });
    }
    const after = await h.request(`/api/v1/playback/${airings.a3}`, { token: h.tokens.head });
    const body = (await after.json()) as { receivers: { receiverId: string }[] };
    expect(body.receivers.map((r) => r.receiverId)).not.toContain(box.id);
  });
});
