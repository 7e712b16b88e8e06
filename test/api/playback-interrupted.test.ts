import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTION_DETAILS } from '../../src/domain/receiver/protocol.js';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { provinceFixture, type ProvinceFixture } from '../support/province.js';
import { createDevice, createReadyAnnouncement, scheduleBroadcast } from '../support/receiver-fixtures.js';

interface Playback {
  receiverId: string;
  status: string;
  detail: string | null;
  interruption: string | null;
  startedAt: string | null;
  endedAt: string | null;
}
interface Occurrence {
  id: string;
  status: string;
  receivers: Playback[];
}

/**
 * An airing a box cut short because it was told to is `interrupted` wherever a person or a program reads
 * it, as coverage counts it: the playback API (one occurrence, the list, a receiver's day) and the
 * province's roll-up CSV, whose last column counts them. A box that could not play stays `failed`.
 */
describe.each(dialects)('airings cut short on purpose in the playback API on %s', (dialect) => {
  let h: Harness;
  let province: ProvinceFixture;
  const boxes: Record<'market' | 'school' | 'temple' | 'wharf', { id: string; token: string }> = {} as never;
  let occurrenceId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    h.clock.set('2026-11-27T01:00:00.000Z');
    province = await provinceFixture(h);
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
    occurrenceId = made.occurrences[0]!.id;
    h.clock.set('2026-11-27T02:00:05.000Z');
    const ended: Record<keyof typeof boxes, [type: string, detail: string | null]> = {
      market: ['failed', INTERRUPTION_DETAILS.preempted],
      school: ['failed', INTERRUPTION_DETAILS.muted],
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
    h.clock.set('2026-11-27T02:20:00.000Z');
  });
  afterAll(() => h.close());

  const expectReceivers = (receivers: readonly Playback[]) => {
    const of = (name: keyof typeof boxes) => receivers.find((r) => r.receiverId === boxes[name].id);
    expect(of('market')).toMatchObject({
      status: 'interrupted',
      interruption: 'preempted',
      // The box's own words stay for programs and support; pages say it in Vietnamese.
      detail: INTERRUPTION_DETAILS.preempted,
      startedAt: '2026-11-27T02:00:00.000Z',
      endedAt: '2026-11-27T02:00:01.000Z',
    });
    expect(of('school')).toMatchObject({ status: 'interrupted', interruption: 'muted' });
    expect(of('temple')).toMatchObject({
      status: 'failed',
      interruption: null,
      detail: 'amplifier has no power',
    });
    expect(of('wharf')).toMatchObject({ status: 'played', interruption: null });
  };

  it('answers interrupted, with why, for one occurrence and in the list', async () => {
    const one = await h.request(`/api/v1/playback/${occurrenceId}`, { token: h.tokens.officer });
    expect(one.status, await one.clone().text()).toBe(200);
    const occurrence = (await one.json()) as Occurrence;
    expect(occurrence.status).toBe('played');
    expectReceivers(occurrence.receivers);

    const list = await h.request('/api/v1/playback?hamletId=thon-3&from=2026-11-27&to=2026-11-28', {
      token: h.tokens.officer,
    });
    expect(list.status, await list.clone().text()).toBe(200);
    const { items } = (await list.json()) as { items: Occurrence[] };
    expectReceivers(items.find((o) => o.id === occurrenceId)!.receivers);
  });

  it("answers interrupted on the receiver's day", async () => {
    const res = await h.request(`/api/v1/receivers/${boxes.market.id}/timeline?date=2026-11-27`, {
      token: h.tokens.officer,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const day = (await res.json()) as { items: { occurrence: { id: string }; playback: Playback }[] };
    expect(day.items.find((i) => i.occurrence.id === occurrenceId)?.playback).toMatchObject({
      status: 'interrupted',
      interruption: 'preempted',
    });
  });

  it('makes an occurrence that every box was told to stop interrupted, not failed', async () => {
    const ann = await createReadyAnnouncement(h, 'Họp thôn', [{ language: 'vi', seconds: 2 }]);
    const later = await scheduleBroadcast(h, {
      announcementId: ann.id,
      hamletIds: ['thon-3'],
      at: '2026-11-27T10:00:00+07:00',
    });
    const id = later.occurrences[0]!.id;
    h.clock.set('2026-11-27T03:00:05.000Z');
    for (const name of ['market', 'school', 'temple', 'wharf'] as const) {
      const res = await h.request('/api/v1/receiver/logs', {
        method: 'POST',
        token: boxes[name].token,
        json: {
          events: [
            { id: `${name}-s2`, occurrenceId: id, type: 'started', at: '2026-11-27T03:00:00.000Z' },
            {
              id: `${name}-e2`,
              occurrenceId: id,
              type: 'failed',
              at: '2026-11-27T03:00:01.000Z',
              detail: INTERRUPTION_DETAILS.preempted,
            },
          ],
        },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    h.clock.set('2026-11-27T03:20:00.000Z');
    const res = await h.request(`/api/v1/playback/${id}`, { token: h.tokens.officer });
    const occurrence = (await res.json()) as Occurrence;
    expect(occurrence.receivers.map((r) => r.status)).toEqual(Array(4).fill('interrupted'));
    expect(occurrence.status).toBe('interrupted');
    const filtered = await h.request('/api/v1/playback?from=2026-11-27&to=2026-11-28&status=interrupted', {
      token: h.tokens.officer,
    });
    expect(filtered.status, await filtered.clone().text()).toBe(200);
    expect(((await filtered.json()) as { items: Occurrence[] }).items.map((o) => o.id)).toEqual([id]);
  });

  it("adds the interrupted airings as the province roll-up CSV's last column", async () => {
    const res = await h.request('/api/v1/province/rollup?from=2026-11-27&to=2026-11-27', {
      token: province.tokens.provinceOfficer,
      headers: { accept: 'text/csv' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'commune_id,commune,commune_code,receivers_online,receivers_total,scheduled,expected,played,failed,missed,offline,rate,interrupted',
    );
    const cocSan = lines.find((l) => l.startsWith('coc-san,'))!.split(',');
    expect(cocSan.at(-1)).toBe('6');
    const vi = await h.request('/api/v1/province/rollup?from=2026-11-27&to=2026-11-27&sep=semicolon', {
      token: province.tokens.provinceOfficer,
      headers: { accept: 'text/csv' },
    });
    const rows = (await vi.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]!.split(';').at(-1)).toBe('Bị dừng giữa chừng');
    expect(rows.at(-1)!.split(';').slice(1, 2).concat(rows.at(-1)!.split(';').at(-1)!)).toEqual([
      'Toàn tỉnh',
      '6',
    ]);
  });

  it('gives the export v1 the interrupted airings as a field added to each day, the others unchanged', async () => {
    const made = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province.tokens.provinceAdmin,
      json: { name: 'Trung tâm điều hành thông minh tỉnh' },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const { secret } = (await made.json()) as { secret: string };
    const res = await h.request('/api/v1/province/reports/v1/playback-days?from=2026-11-27&to=2026-11-27', {
      token: secret,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    const cocSan = items.find((d) => d.communeId === 'coc-san');
    const rollup = (await (
      await h.request('/api/v1/province/rollup?from=2026-11-27&to=2026-11-27', {
        token: province.tokens.provinceOfficer,
      })
    ).json()) as { communes: Record<string, unknown>[] };
    const {
      communeName: _n,
      communeCode: _c,
      receivers: _r,
      ...counted
    } = rollup.communes.find((c) => c.communeId === 'coc-san')!;
    expect(counted.interrupted).toBe(6);
    expect(cocSan).toEqual({ ...counted, date: '2026-11-27' });
  });
});
