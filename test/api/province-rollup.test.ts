import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer } from '../support/real-server.js';
import {
  expectedRollup,
  heartbeat,
  provinceScenario,
  report,
  type ProvinceScenario,
} from '../support/province-scenario.js';
import { scheduleBroadcast } from '../support/receiver-fixtures.js';

interface Airings {
  expected: number;
  played: number;
  failed: number;
  missed: number;
  offline: number;
  interrupted: number;
  rate: number | null;
}
interface Rollup {
  from: string;
  to: string;
  communes: (Airings & {
    communeId: string;
    communeName: string;
    communeCode: string;
    receivers: { online: number; total: number };
    scheduled: number;
  })[];
  total: Airings & { receivers: { online: number; total: number }; scheduled: number };
}
interface AirTime {
  months: string[];
  communes: {
    communeId: string;
    month: string;
    category: string;
    priority: string;
    airings: number;
    airTimeMs: number;
  }[];
  total: { month: string; category: string; priority: string; airings: number; airTimeMs: number }[];
}

/**
 * The province's roll-up for two communes, checked against figures worked out by hand from what their
 * boxes did (`test/support/province-scenario.ts`), and against each commune's own coverage report.
 */
describe.each(dialects)('province roll-up on %s', (dialect) => {
  let h: Harness;
  let s: ProvinceScenario;
  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    h.request(path, { token, headers });

  beforeAll(async () => {
    h = await createHarness(dialect);
    s = await provinceScenario(h);
  });
  afterAll(() => h.close());

  it('counts each commune as worked out by hand: boxes online now, and every box expected to air an item', async () => {
    const res = await get(
      '/api/v1/province/rollup?from=2026-11-27&to=2026-11-27',
      s.province.tokens.provinceOfficer,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Rollup;
    expect(body.from).toBe('2026-11-27');
    expect(body.communes.map((c) => c.communeId)).toEqual(['coc-san', 'quang-kim']);
    expect(body.communes[0]).toEqual({
      communeId: 'coc-san',
      communeName: 'Xã Cốc San',
      communeCode: '02746',
      ...expectedRollup['coc-san'],
    });
    expect(body.communes[1]).toEqual({
      communeId: 'quang-kim',
      communeName: 'Xã Quang Kim (dữ liệu mẫu)',
      communeCode: '02674',
      ...expectedRollup['quang-kim'],
    });
    expect(body.total).toEqual({
      receivers: { online: 1, total: 9 },
      scheduled: 4,
      expected: 10,
      played: 2,
      failed: 1,
      missed: 3,
      offline: 4,
      interrupted: 0,
      rate: 0.2,
    });
  });

  it("gives each commune what the commune's own coverage report says for the same day", async () => {
    const rollup = (await (
      await get('/api/v1/province/rollup?from=2026-11-27&to=2026-11-27', s.province.tokens.provinceAdmin)
    ).json()) as Rollup;
    for (const [communeId, token] of [
      ['coc-san', h.tokens.officer],
      ['quang-kim', s.province.other.tokens.officer],
    ] as const) {
      const res = await get('/api/v1/reports/coverage?from=2026-11-27&to=2026-11-28', token);
      const own = (await res.json()) as { hamlets: (Airings & { scheduled: number })[] };
      const keys = ['scheduled', 'expected', 'played', 'failed', 'missed', 'offline', 'interrupted'] as const;
      const sum = (k: (typeof keys)[number]) => own.hamlets.reduce((n, hm) => n + hm[k], 0);
      const row = rollup.communes.find((c) => c.communeId === communeId)!;
      for (const k of keys) expect(row[k], `${communeId} ${k}`).toBe(sum(k));
    }
  });

  it('leaves out days outside the range, counted on the communes’ own clocks', async () => {
    // 2026-11-28 local starts at 2026-11-27T17:00Z: nothing of the 27th is in it.
    const res = await get(
      '/api/v1/province/rollup?from=2026-11-28&to=2026-11-28',
      s.province.tokens.provinceOfficer,
    );
    const body = (await res.json()) as Rollup;
    expect(body.total).toMatchObject({
      scheduled: 0,
      expected: 0,
      rate: null,
      receivers: { online: 1, total: 9 },
    });
  });

  it('gives the same figures as CSV, for programs and for Excel set to Vietnam', async () => {
    const csv = await get(
      '/api/v1/province/rollup?from=2026-11-27&to=2026-11-27',
      s.province.tokens.provinceOfficer,
      {
        accept: 'text/csv',
      },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toEqual([
      'commune_id,commune,commune_code,receivers_online,receivers_total,scheduled,expected,played,failed,missed,offline,rate,interrupted',
      'coc-san,Xã Cốc San,02746,1,5,2,4,1,0,1,2,0.25,0',
      'quang-kim,Xã Quang Kim (dữ liệu mẫu),02674,0,4,2,6,1,1,2,2,0.167,0',
    ]);
    const excel = await get(
      '/api/v1/province/rollup?from=2026-11-27&to=2026-11-27&sep=semicolon',
      s.province.tokens.provinceOfficer,
      { accept: 'text/csv' },
    );
    const rows = (await excel.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toBe(
      'Mã xã;Xã;Mã số xã;Cụm loa trực tuyến;Tổng số cụm loa;Đã lên lịch;Lượt cần phát;Đã phát;Phát lỗi;Bị lỡ;Mất kết nối;Tỉ lệ phát;Bị dừng giữa chừng',
    );
    expect(rows[2]).toBe('quang-kim;Xã Quang Kim (dữ liệu mẫu);02674;0;4;2;6;1;1;2;2;0,167;0');
    expect(rows[3]).toBe(';Toàn tỉnh;;1;9;4;10;2;1;3;4;0,2;0');
    expect(excel.headers.get('content-disposition')).toContain(
      'province-rollup-2026-11-27-2026-11-27-excel.csv',
    );
  });

  it('adds up air time per local month, category and level: what aired, with its length', async () => {
    // Two relays in thôn 3 around the turn of the month: 21:00 on 30 November, and 06:30 on 1 December,
    // which is still 30 November in UTC; box A plays both.
    const nov = await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
      hamletIds: ['thon-3'],
      at: '2026-11-30T21:00:00+07:00',
      priority: 'priority',
    });
    const dec = await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 240 },
      hamletIds: ['thon-3'],
      at: '2026-12-01T06:30:00+07:00',
    });
    h.clock.set('2026-11-30T14:00:10.000Z');
    await heartbeat(h, s.boxes.a.token);
    await report(h, s.boxes.a.token, [
      { id: 'n1', occurrenceId: nov.occurrences[0]!.id, type: 'started', at: '2026-11-30T14:00:00.000Z' },
    ]);
    h.clock.set('2026-11-30T23:30:10.000Z');
    await report(h, s.boxes.a.token, [
      { id: 'd1', occurrenceId: dec.occurrences[0]!.id, type: 'started', at: '2026-11-30T23:30:00.000Z' },
    ]);
    // At 08:00 the relay's stream ends two minutes in: it aired, and failed.
    const cut = await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 180 },
      hamletIds: ['thon-3'],
      at: '2026-12-01T08:00:00+07:00',
    });
    h.clock.set('2026-12-01T01:03:10.000Z');
    await report(h, s.boxes.a.token, [
      { id: 'c1', occurrenceId: cut.occurrences[0]!.id, type: 'started', at: '2026-12-01T01:00:00.000Z' },
      {
        id: 'c2',
        occurrenceId: cut.occurrences[0]!.id,
        type: 'failed',
        at: '2026-12-01T01:02:00.000Z',
        detail: 'the stream ended before its time',
      },
    ]);

    const res = await get(
      '/api/v1/province/air-time?from=2026-11-01&to=2026-12-01',
      s.province.tokens.provinceOfficer,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as AirTime;
    expect(body.months).toEqual(['2026-11', '2026-12']);
    expect(body.communes).toEqual([
      {
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        month: '2026-11',
        category: 'general',
        priority: 'normal',
        airings: 1,
        airTimeMs: s.announcementAiring.durationMs,
      },
      {
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        month: '2026-11',
        category: 'relay',
        priority: 'priority',
        airings: 1,
        airTimeMs: 300_000,
      },
      {
        communeId: 'coc-san',
        communeName: 'Xã Cốc San',
        month: '2026-12',
        category: 'relay',
        priority: 'normal',
        airings: 2,
        airTimeMs: 240_000 + 180_000,
      },
      // Quảng Kim's failed relay and Cốc San's silent one in Ún Tà never aired: no air time.
      {
        communeId: 'quang-kim',
        communeName: 'Xã Quang Kim (dữ liệu mẫu)',
        month: '2026-11',
        category: 'relay',
        priority: 'normal',
        airings: 1,
        airTimeMs: 120_000,
      },
    ]);
    expect(body.total).toEqual([
      {
        month: '2026-11',
        category: 'general',
        priority: 'normal',
        airings: 1,
        airTimeMs: s.announcementAiring.durationMs,
      },
      { month: '2026-11', category: 'relay', priority: 'normal', airings: 1, airTimeMs: 120_000 },
      { month: '2026-11', category: 'relay', priority: 'priority', airings: 1, airTimeMs: 300_000 },
      { month: '2026-12', category: 'relay', priority: 'normal', airings: 2, airTimeMs: 420_000 },
    ]);

    const csv = await get(
      '/api/v1/province/air-time?from=2026-11-01&to=2026-12-01&header=vi',
      s.province.tokens.provinceOfficer,
      {
        accept: 'text/csv',
      },
    );
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Mã xã,Xã,Tháng,Loại tin,Mức,Lượt phát,Thời lượng (phút)');
    expect(lines).toContain('coc-san,Xã Cốc San,2026-11,relay,ưu tiên,1,5');
  });

  it('refuses a range that is no range, naming the field, and keeps serving', async () => {
    const token = s.province.tokens.provinceOfficer;
    const impossible = await get('/api/v1/province/rollup?from=2026-02-30', token);
    expect(impossible.status).toBe(422);
    expect(impossible.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await impossible.json()).toMatchObject({
      errors: [{ field: 'from' }],
      detailVi: expect.stringContaining('không có trên lịch'),
    });
    const backwards = await get('/api/v1/province/rollup?from=2026-11-27&to=2026-11-01', token);
    expect(backwards.status).toBe(422);
    expect(await backwards.json()).toMatchObject({ errors: [{ field: 'to' }] });
    const tooLong = await get('/api/v1/province/air-time?from=2024-01-01&to=2026-01-01', token);
    expect(tooLong.status).toBe(422);
    expect((await get('/api/v1/province/rollup?from=yesterday', token)).status).toBe(400);
    expect((await get('/api/v1/province/rollup', token)).status).toBe(200);
  });

  it('leaves a deleted hamlet’s airings out, as the commune’s own report and the export do', async () => {
    // Thôn Cũ airs once beside thôn 3 and is then deleted: the commune's own report no longer shows it.
    h.clock.set('2026-12-04T01:00:00.000Z');
    const made = await h.request('/api/v1/hamlets', {
      method: 'POST',
      token: h.tokens.admin,
      json: { name: 'Thôn Cũ', languages: ['vi'] },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const gone = ((await made.json()) as { id: string }).id;
    await scheduleBroadcast(h, {
      relay: { url: 'https://radio.example.vn/vov1', durationS: 60 },
      hamletIds: [gone, 'thon-3'],
      at: '2026-12-05T09:00:00+07:00',
    });
    h.clock.set('2026-12-05T03:00:00.000Z');
    const removed = await h.request(`/api/v1/hamlets/${gone}`, { method: 'DELETE', token: h.tokens.admin });
    expect(removed.status).toBe(204);
    const minted = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: s.province.tokens.provinceAdmin,
      json: { name: 'Hệ thống thông tin nguồn' },
    });
    expect(minted.status).toBe(201);
    const machine = ((await minted.json()) as { secret: string }).secret;

    const server = await startRealServer(h);
    const read = async <T>(path: string, token: string): Promise<T> => {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as T;
    };
    try {
      const own = await read<{ hamlets: (Airings & { hamletId: string; scheduled: number })[] }>(
        '/api/v1/reports/coverage?from=2026-12-05&to=2026-12-06',
        h.tokens.officer,
      );
      expect(own.hamlets.map((hm) => hm.hamletId)).not.toContain(gone);
      const sum = (k: 'scheduled' | 'expected' | 'played' | 'failed' | 'missed' | 'offline') =>
        own.hamlets.reduce((n, hm) => n + hm[k], 0);
      expect(sum('scheduled')).toBe(1);

      const rollup = await read<Rollup>(
        '/api/v1/province/rollup?from=2026-12-05&to=2026-12-05',
        s.province.tokens.provinceOfficer,
      );
      const row = rollup.communes.find((c) => c.communeId === 'coc-san')!;
      const days = await read<{ items: (Airings & { communeId: string; scheduled: number })[] }>(
        '/api/v1/province/reports/v1/playback-days?from=2026-12-05&to=2026-12-05',
        machine,
      );
      const day = days.items.find((d) => d.communeId === 'coc-san')!;
      for (const k of ['scheduled', 'expected', 'played', 'failed', 'missed', 'offline'] as const) {
        expect(row[k], `roll-up ${k}`).toBe(sum(k));
        expect(day[k], `export ${k}`).toBe(sum(k));
      }
      expect(rollup.total.scheduled).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('is the province’s: commune staff are refused', async () => {
    for (const token of [h.tokens.admin, h.tokens.officer, s.province.other.tokens.admin]) {
      expect((await get('/api/v1/province/rollup', token)).status).toBe(403);
      expect((await get('/api/v1/province/air-time', token)).status).toBe(403);
    }
  });
});
