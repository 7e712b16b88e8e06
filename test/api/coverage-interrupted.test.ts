import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTION_DETAILS } from '../../src/domain/receiver/protocol.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

interface Airings {
  expected: number;
  played: number;
  failed: number;
  missed: number;
  offline: number;
  interrupted: number;
  rate: number | null;
}
interface Coverage {
  hamlets: (Airings & { hamletId: string; scheduled: number })[];
  receivers: (Airings & { receiverId: string; name: string })[];
}

/**
 * An item a box cut short because it was told to (an emergency over it, the commune taking it off the
 * air) is no failure of the box: the failing-playback alarm already leaves these out, and so does the
 * coverage report, which counts them apart. A box that could not play stays a failure.
 */
describe.each(dialects)('coverage of airings cut short on purpose on %s', (dialect) => {
  let h: Harness;
  const boxes: Record<'market' | 'school' | 'temple' | 'wharf', { id: string; token: string }> = {} as never;
  const range = '?from=2026-11-27&to=2026-11-28';

  beforeAll(async () => {
    h = await createHarness(dialect);
    boxes.market = await createDevice(h, 'thon-3', 'Cụm loa chợ');
    boxes.school = await createDevice(h, 'thon-3', 'Cụm loa trường học');
    boxes.temple = await createDevice(h, 'thon-3', 'Cụm loa đình');
    boxes.wharf = await createDevice(h, 'thon-3', 'Cụm loa bến đò');
    const ann = await createReadyAnnouncement(h, 'Lịch tiêm phòng cho trâu bò', [
      { language: 'vi', seconds: 2 },
    ]);
    const made = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T09:00:00+07:00',
    });
    const occurrenceId = made.occurrences[0]!.id;
    h.clock.set('2026-11-27T02:00:05.000Z');
    const ended: Record<keyof typeof boxes, [type: string, detail: string | null]> = {
      market: ['failed', INTERRUPTION_DETAILS.preempted],
      school: ['failed', INTERRUPTION_DETAILS.offAir],
      temple: ['failed', 'amplifier has no power'],
      wharf: ['completed', null],
    };
    for (const [name, [type, detail]] of Object.entries(ended)) {
      const res = await h.request('/api/v1/receiver/logs', {
        method: 'POST',
        token: boxes[name as keyof typeof boxes].token,
        json: {
          events: [
            { id: `${name}-s`, occurrenceId, type: 'started', at: '2026-11-27T02:00:00.000Z' },
            { id: `${name}-e`, occurrenceId, type, at: '2026-11-27T02:00:01.000Z', detail },
          ],
        },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    // Past the end and the grace: every box's outcome is known.
    h.clock.set('2026-11-27T02:20:00.000Z');
  });
  afterAll(() => h.close());

  it('counts them as interrupted, not failed, and leaves them out of what was expected', async () => {
    const res = await h.request(`/api/v1/reports/coverage${range}`, { token: h.tokens.officer });
    expect(res.status, await res.clone().text()).toBe(200);
    const report = (await res.json()) as Coverage;
    expect(report.hamlets.find((r) => r.hamletId === 'thon-3')).toEqual({
      hamletId: 'thon-3',
      hamletName: 'Thôn số 3 (dữ liệu mẫu)',
      scheduled: 1,
      expected: 2,
      played: 1,
      failed: 1,
      missed: 0,
      offline: 0,
      interrupted: 2,
      rate: 0.5,
    });
    const row = (id: string) => report.receivers.find((r) => r.receiverId === id);
    expect(row(boxes.market.id)).toMatchObject({ expected: 0, failed: 0, interrupted: 1, rate: null });
    expect(row(boxes.school.id)).toMatchObject({ expected: 0, failed: 0, interrupted: 1, rate: null });
    expect(row(boxes.temple.id)).toMatchObject({ expected: 1, failed: 1, interrupted: 0, rate: 0 });
    expect(row(boxes.wharf.id)).toMatchObject({ expected: 1, played: 1, interrupted: 0, rate: 1 });
  });

  it('adds them as a last CSV column, the earlier columns unchanged', async () => {
    const res = await h.request(`/api/v1/reports/coverage${range}`, {
      token: h.tokens.officer,
      headers: { accept: 'text/csv' },
    });
    const lines = (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'level,hamlet_id,hamlet,receiver_id,receiver,scheduled,expected,played,failed,missed,offline,rate,interrupted',
    );
    expect(lines).toContain('hamlet,thon-3,Thôn số 3 (dữ liệu mẫu),,,1,2,1,1,0,0,0.5,2');
    expect(lines).toContain(
      `receiver,thon-3,Thôn số 3 (dữ liệu mẫu),${boxes.market.id},Cụm loa chợ,,0,0,0,0,0,,1`,
    );
  });

  it('counts a box that failed on its own as failed even when it was also interrupted', async () => {
    const later = await scheduleBroadcast(h, {
      announcementId: (await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 2 }])).id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T10:00:00+07:00',
    });
    const occurrenceId = later.occurrences[0]!.id;
    h.clock.set('2026-11-27T03:00:05.000Z');
    const res = await h.request('/api/v1/receiver/logs', {
      method: 'POST',
      token: boxes.market.token,
      json: {
        events: [
          { id: 'm2-f', occurrenceId, type: 'failed', at: '2026-11-27T03:00:00.000Z', detail: 'no audio' },
          {
            id: 'm2-i',
            occurrenceId,
            type: 'failed',
            at: '2026-11-27T03:00:01.000Z',
            detail: INTERRUPTION_DETAILS.preempted,
          },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    h.clock.set('2026-11-27T03:20:00.000Z');
    const report = (await (
      await h.request(`/api/v1/reports/coverage${range}`, { token: h.tokens.officer })
    ).json()) as Coverage;
    expect(report.receivers.find((r) => r.receiverId === boxes.market.id)).toMatchObject({
      expected: 1,
      failed: 1,
      interrupted: 1,
    });
  });
});
