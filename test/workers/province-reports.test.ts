import { beforeAll, describe, expect, it } from 'vitest';
import { utcToLocal } from '../../src/domain/schedule/time-zone.js';
import { createHarness, provinceAdminPassword, type Harness } from './support/harness.js';

/** Local 06:00 in Cốc San on days across two months; the first is 23:00 UTC the day before. */
const airings = ['2026-10-01', '2026-10-20', '2026-11-15', '2026-11-27'].map((d) => `${d}T06:00:00+07:00`);

interface PlaybackDay {
  communeId: string;
  date: string;
  scheduled: number;
}

/**
 * The province's reports on D1, which binds at most 100 values to a statement, over the ranges the API
 * allows: two months of the export's days (733 values of periods in one statement before), and a year of
 * the roll-up and of air time.
 */
describe('province reports on D1 over long ranges', () => {
  let h: Harness;
  let province = '';
  let machine = '';

  beforeAll(async () => {
    h = await createHarness();
    h.clock.set('2026-09-28T01:00:00.000Z');
    for (const [i, at] of airings.entries()) {
      const res = await h.request('/api/v1/broadcasts', {
        method: 'POST',
        token: h.tokens.officer,
        json: {
          relay: { url: `https://radio.example.vn/live/${i}`, durationS: 300 },
          hamletIds: ['un-ta'],
          at,
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    h.clock.set('2026-11-28T03:00:00.000Z');
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'tinh', password: provinceAdminPassword },
    });
    province = ((await login.json()) as { token: string }).token;
    const made = await h.request('/api/v1/province/tokens', {
      method: 'POST',
      token: province,
      json: { name: 'Hệ thống thông tin nguồn' },
    });
    expect(made.status).toBe(201);
    machine = ((await made.json()) as { secret: string }).secret;
  });

  /** Occurrences not cancelled in live hamlets per commune and local day, counted from the rows. */
  async function scheduledByDay(from: string, to: string): Promise<Map<string, number>> {
    const rows = await h.runtime.db.kysely
      .selectFrom('occurrences as o')
      .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
      .innerJoin('communes as c', 'c.id', 'h.commune_id')
      .select(['c.id', 'c.time_zone', 'o.starts_at'])
      .where('o.status', '!=', 'cancelled')
      .where('h.deleted_at', 'is', null)
      .execute();
    const counts = new Map<string, number>();
    for (const r of rows) {
      const date = utcToLocal(Date.parse(r.starts_at), r.time_zone).date;
      if (date < from || date > to) continue;
      counts.set(`${r.id} ${date}`, (counts.get(`${r.id} ${date}`) ?? 0) + 1);
    }
    return counts;
  }

  it('gives two months of playback days in one page, each airing on its commune’s own day', async () => {
    const res = await h.request(
      '/api/v1/province/reports/v1/playback-days?from=2026-10-01&to=2026-11-27&limit=1000',
      { token: machine },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { items: PlaybackDay[]; nextCursor: string | null };
    const communes = new Set(body.items.map((i) => i.communeId));
    expect(body.items).toHaveLength(58 * communes.size);
    expect(body.nextCursor).toBeNull();
    const counted = new Map(
      body.items.filter((i) => i.scheduled > 0).map((i) => [`${i.communeId} ${i.date}`, i.scheduled]),
    );
    expect(counted).toEqual(await scheduledByDay('2026-10-01', '2026-11-27'));
    for (const at of airings) expect(counted.get(`coc-san ${at.slice(0, 10)}`)).toBeGreaterThan(0);
    expect(counted.has('coc-san 2026-09-30')).toBe(false);
  });

  it('gives the roll-up and air time over a year, the longest range allowed', async () => {
    const rollup = await h.request('/api/v1/province/rollup?from=2025-11-27&to=2026-11-27', {
      token: province,
    });
    expect(rollup.status, await rollup.clone().text()).toBe(200);
    const { communes } = (await rollup.json()) as { communes: { communeId: string; scheduled: number }[] };
    const byDay = await scheduledByDay('2025-11-27', '2026-11-27');
    const cocSan = [...byDay].filter(([k]) => k.startsWith('coc-san ')).reduce((n, [, v]) => n + v, 0);
    expect(communes.find((c) => c.communeId === 'coc-san')?.scheduled).toBe(cocSan);

    const airTime = await h.request('/api/v1/province/air-time?from=2025-11-27&to=2026-11-27', {
      token: province,
    });
    expect(airTime.status, await airTime.clone().text()).toBe(200);
    expect(((await airTime.json()) as { months: string[] }).months).toHaveLength(13);
  });

  it('pages through a year of playback days to the same counts', async () => {
    const seen: PlaybackDay[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await h.request(
        `/api/v1/province/reports/v1/playback-days?from=2025-11-27&to=2026-11-27&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: machine },
      );
      expect(res.status, await res.clone().text()).toBe(200);
      const page = (await res.json()) as { items: PlaybackDay[]; nextCursor: string | null };
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    const counted = new Map(
      seen.filter((i) => i.scheduled > 0).map((i) => [`${i.communeId} ${i.date}`, i.scheduled]),
    );
    expect(counted).toEqual(await scheduledByDay('2025-11-27', '2026-11-27'));
    expect(new Set(seen.map((i) => i.date)).size).toBe(366);
  });
});
