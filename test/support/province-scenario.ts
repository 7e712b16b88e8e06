import { expect } from 'vitest';
import type { Harness } from './harness.js';
import { provinceFixture, type ProvinceFixture } from './province.js';
import { createReadyAnnouncement, scheduleBroadcast } from './receiver-fixtures.js';

/**
 * Two communes of the province with airings whose outcomes are known, made through the API and the
 * receiver protocol as boxes and people make them, so that the province's figures can be checked against
 * numbers worked out by hand (see `expectedRollup`).
 *
 * Cốc San (its three seeded boxes never send a heartbeat):
 * - 09:00 an announcement (category `general`) in thôn 3, where box A plays it and box B, online, says
 *   nothing → played 1, missed 1;
 * - 10:00 a relay (`priority`) in Ún Tà, whose two seeded boxes are silent → offline 2.
 *
 * Quảng Kim (its seeded box in thôn 2 never sends a heartbeat):
 * - 09:30 a relay of 120 s in thôn 2: box Q1 plays it, box Q2 online says nothing, the seeded box is
 *   silent → played 1, missed 1, offline 1;
 * - 11:00 a relay of 60 s in thôn 2: Q1 reports a failure, Q2 says nothing, seeded silent → failed 1,
 *   missed 1, offline 1.
 *
 * Then at 12:00 local (05:00Z) box A sends a heartbeat: it alone is online.
 */
export interface ProvinceScenario {
  readonly province: ProvinceFixture;
  readonly boxes: Readonly<Record<'a' | 'b' | 'q1' | 'q2', { id: string; token: string }>>;
  /** The announcement's airing in thôn 3: its length is its air time. */
  readonly announcementAiring: { readonly id: string; readonly durationMs: number };
  /** When the scenario ends: every outcome known, box A online. */
  readonly now: string;
}

const relay = (durationS: number) => ({ url: 'https://radio.example.vn/vov1', durationS });

export async function device(h: Harness, token: string, hamletId: string, name: string) {
  const res = await h.request('/api/v1/receivers', { method: 'POST', token, json: { hamletId, name } });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { receiver: { id: string }; token: string };
  return { id: body.receiver.id, token: body.token };
}

export const heartbeat = async (h: Harness, token: string, appVersion = '0.2.0') => {
  const res = await h.request('/api/v1/receiver/heartbeat', {
    method: 'POST',
    token,
    json: { volume: 80, uptimeS: 600, freeBytes: 1_000_000, signal: -85, appVersion },
  });
  expect(res.status, await res.clone().text()).toBe(200);
};

export const report = async (h: Harness, token: string, events: unknown[]) => {
  const res = await h.request('/api/v1/receiver/logs', { method: 'POST', token, json: { events } });
  expect(res.status, await res.clone().text()).toBe(200);
};

export async function provinceScenario(h: Harness): Promise<ProvinceScenario> {
  h.clock.set('2026-11-27T01:00:00.000Z');
  const province = await provinceFixture(h);
  const qk = province.other.tokens;
  const boxes = {
    a: await device(h, h.tokens.admin, 'thon-3', 'Cụm loa A'),
    b: await device(h, h.tokens.admin, 'thon-3', 'Cụm loa B'),
    q1: await device(h, qk.admin, 'qk-thon-2', 'Cụm loa Q1'),
    q2: await device(h, qk.admin, 'qk-thon-2', 'Cụm loa Q2'),
  };

  const ann = await createReadyAnnouncement(h, 'Tiêm phòng cho trâu bò', [{ language: 'vi', seconds: 2 }]);
  const b1 = await scheduleBroadcast(h, {
    announcementId: ann.id,
    hamletIds: ['thon-3'],
    at: '2026-11-27T09:00:00+07:00',
  });
  await scheduleBroadcast(h, {
    relay: relay(60),
    hamletIds: ['un-ta'],
    at: '2026-11-27T10:00:00+07:00',
    priority: 'priority',
  });
  const b3 = await scheduleBroadcast(
    h,
    { relay: relay(120), hamletIds: ['qk-thon-2'], at: '2026-11-27T09:30:00+07:00' },
    qk.officer,
  );
  const b4 = await scheduleBroadcast(
    h,
    { relay: relay(60), hamletIds: ['qk-thon-2'], at: '2026-11-27T11:00:00+07:00' },
    qk.officer,
  );
  const occ1 = b1.occurrences[0]!;
  const occ3 = b3.occurrences[0]!.id;
  const occ4 = b4.occurrences[0]!.id;

  // 09:00 in Cốc San: A and B online around the airing, A plays it.
  h.clock.set('2026-11-27T01:59:00.000Z');
  await heartbeat(h, boxes.a.token);
  await heartbeat(h, boxes.b.token);
  h.clock.set('2026-11-27T02:00:05.000Z');
  await report(h, boxes.a.token, [
    { id: 'a1', occurrenceId: occ1.id, type: 'started', at: '2026-11-27T02:00:00.000Z' },
    { id: 'a2', occurrenceId: occ1.id, type: 'completed', at: '2026-11-27T02:00:02.000Z' },
  ]);

  // 09:30 in Quảng Kim: Q1 and Q2 online, Q1 plays the relay.
  h.clock.set('2026-11-27T02:29:30.000Z');
  await heartbeat(h, boxes.q1.token);
  await heartbeat(h, boxes.q2.token);
  h.clock.set('2026-11-27T02:32:10.000Z');
  await report(h, boxes.q1.token, [
    { id: 'q1', occurrenceId: occ3, type: 'started', at: '2026-11-27T02:30:00.000Z' },
    { id: 'q2', occurrenceId: occ3, type: 'completed', at: '2026-11-27T02:32:00.000Z' },
  ]);

  // 11:00 in Quảng Kim: both online, Q1's player fails.
  h.clock.set('2026-11-27T03:59:30.000Z');
  await heartbeat(h, boxes.q1.token);
  await heartbeat(h, boxes.q2.token);
  h.clock.set('2026-11-27T04:00:10.000Z');
  await report(h, boxes.q1.token, [
    {
      id: 'q3',
      occurrenceId: occ4,
      type: 'failed',
      at: '2026-11-27T04:00:01.000Z',
      detail: 'player exited 1',
    },
  ]);

  // 12:00: every grace is over; only A is online now.
  const now = '2026-11-27T05:00:00.000Z';
  h.clock.set('2026-11-27T04:59:30.000Z');
  await heartbeat(h, boxes.a.token, '0.3.1');
  h.clock.set(now);
  return { province, boxes, announcementAiring: { id: occ1.id, durationMs: occ1.durationMs }, now };
}

/** The scenario's figures for 2026-11-27, worked out by hand from the story above. */
export const expectedRollup = {
  'coc-san': {
    receivers: { online: 1, total: 5 },
    scheduled: 2,
    expected: 4,
    played: 1,
    failed: 0,
    missed: 1,
    offline: 2,
    interrupted: 0,
    rate: 0.25,
  },
  'quang-kim': {
    receivers: { online: 0, total: 4 },
    scheduled: 2,
    expected: 6,
    played: 1,
    failed: 1,
    missed: 2,
    offline: 2,
    interrupted: 0,
    rate: 0.167,
  },
} as const;
