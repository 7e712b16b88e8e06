import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbCapabilities } from '../../src/db/database.js';
import { createProvinceReportsRepository } from '../../src/db/repositories/province-reports.repository.js';
import { periodRuns, periodValues } from '../../src/db/repositories/zoned-periods.js';
import type { Database } from '../../src/db/schema.js';
import { localPeriods, zonePeriods } from '../../src/domain/province-report.js';
import { PLAYBACK_GRACE_MS } from '../../src/domain/receiver/playback.js';
import { presenceRule } from '../../src/domain/receiver/health.js';
import { addDays, localToUtc, utcToLocal } from '../../src/domain/schedule/time-zone.js';
import { createTestDatabase, dialects, openLoggedKysely, type TestDatabase } from '../support/databases.js';

const at = '2025-01-01T00:00:00.000Z';
const now = '2026-11-28T05:00:00.000Z';
// The longest range the API allows: 366 days.
const from = '2025-11-27';
const to = '2026-11-27';
/** Four zones, one with daylight saving time and one half an hour off the hour. */
const communes = [
  { id: 'hcm', zone: 'Asia/Ho_Chi_Minh' },
  { id: 'kolkata', zone: 'Asia/Kolkata' },
  { id: 'new-york', zone: 'America/New_York' },
  { id: 'tokyo', zone: 'Asia/Tokyo' },
] as const;
const statuses = ['played', 'missed', 'scheduled', 'cancelled', 'failed'] as const;

describe('periodRuns', () => {
  const days = [{ timeZone: 'Asia/Ho_Chi_Minh', periods: localPeriods('Asia/Ho_Chi_Minh', from, to, 'day') }];

  it('keeps the zones as given where they fit', () => {
    expect(periodRuns(days, 32_766)).toEqual([days]);
  });

  it('cuts a year of days into runs of consecutive days within the bound, each day in one run', () => {
    const runs = periodRuns(days, 90);
    expect(runs.map((r) => r[0]!.periods.length)).toEqual([43, 43, 43, 43, 43, 43, 43, 43, 22]);
    expect(runs.every((r) => periodValues(r) <= 90)).toBe(true);
    expect(runs.flatMap((r) => r.flatMap((z) => z.periods))).toEqual(days[0]!.periods);
  });

  it('packs several zones into one run as far as they fit', () => {
    const months = zonePeriods(
      communes.map((c) => c.zone),
      from,
      to,
      'month',
    );
    const runs = periodRuns(months, 90);
    expect(runs.every((r) => periodValues(r) <= 90)).toBe(true);
    expect(runs.map((r) => r.map((z) => `${z.timeZone}:${z.periods.length}`))).toEqual([
      ['America/New_York:13', 'Asia/Ho_Chi_Minh:13', 'Asia/Kolkata:13'],
      ['Asia/Tokyo:13'],
    ]);
  });
});

describe.each(dialects)('the province reports repository where few values bind (%s)', (dialect) => {
  let database: TestDatabase;
  let kysely: Kysely<Database>;
  const queries: CompiledQuery[] = [];
  /** Local date of each occurrence kept in the reports, by commune: what every count must add up to. */
  const expectedDays = new Map<string, number>();
  /** The same for airings a box started, by local month. */
  const expectedMonths = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ({ kysely } = await openLoggedKysely(dialect, database, queries));
    await kysely
      .insertInto('provinces')
      .values({ id: 'p', code: '15', name: 'Lào Cai', created_at: at, updated_at: at })
      .execute();
    await kysely
      .insertInto('communes')
      .values(
        communes.map((c, i) => ({
          id: c.id,
          name: c.id,
          code: String(90000 + i),
          province_code: '15',
          province_id: 'p',
          time_zone: c.zone,
          settings: '{}',
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    await kysely
      .insertInto('users')
      .values({
        id: 'u',
        username: 'u',
        display_name: 'u',
        password_hash: 'x',
        role: 'admin',
        commune_id: 'hcm',
        disabled_at: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await kysely
      .insertInto('hamlets')
      .values(
        communes.map((c) => ({
          id: `${c.id}-h`,
          commune_id: c.id,
          name: c.id,
          languages: '["vi"]',
          lat: null,
          lon: null,
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })),
      )
      .execute();
    await kysely
      .insertInto('receivers')
      .values(
        communes.map((c) => ({
          id: `${c.id}-rx`,
          hamlet_id: `${c.id}-h`,
          name: c.id,
          token_hash: c.id,
          disabled_at: null,
          last_seen_at: null,
          last_state: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    // Each box in its hamlet since it was made, as `insertReceiver` records it.
    await kysely
      .insertInto('receiver_hamlet_stretches')
      .values(
        communes.map((c) => ({
          receiver_id: `${c.id}-rx`,
          hamlet_id: `${c.id}-h`,
          arrived_at: at,
          left_at: null,
        })),
      )
      .execute();
    await kysely
      .insertInto('broadcasts')
      .values(
        communes.map((c) => ({
          id: `${c.id}-b`,
          commune_id: c.id,
          announcement_id: null,
          relay_url: 'https://radio.example.vn/vov1',
          relay_duration_s: 600,
          hamlet_ids: JSON.stringify([`${c.id}-h`]),
          schedule: '{}',
          priority: 'normal' as const,
          created_by: 'u',
          created_at: at,
          cancelled_at: null,
          cancelled_by: null,
          materialised_until: null,
          booking_id: null,
        })),
      )
      .execute();
    // Every fifth day a little after local midnight and a little before the next, from a week before the
    // range to a week after it: each lands on its own local day, which UTC often puts on another.
    const occurrences: Insertable<Database['occurrences']>[] = [];
    const events: Insertable<Database['playback_events']>[] = [];
    for (const [c, commune] of communes.entries()) {
      for (let d = -7, n = 0; d < 366 + 7; d += 5) {
        for (const time of ['00:05', '23:55'] as const) {
          const date = addDays(from, d + c);
          const startsAt = new Date(localToUtc(date, time, commune.zone)).toISOString();
          const status = statuses[n % statuses.length]!;
          const id = `${commune.id}-${n++}`;
          occurrences.push({
            id,
            broadcast_id: `${commune.id}-b`,
            hamlet_id: `${commune.id}-h`,
            starts_at: startsAt,
            duration_ms: 60_000,
            priority: 'normal',
            slot_name: null,
            status,
            created_at: at,
            updated_at: at,
          });
          if (status === 'played' || status === 'failed')
            events.push({
              id: `${id}-e`,
              receiver_id: `${commune.id}-rx`,
              event_id: `${id}-e`,
              occurrence_id: id,
              type: 'started',
              at: startsAt,
              detail: null,
              received_at: startsAt,
            });
          const local = utcToLocal(Date.parse(startsAt), commune.zone).date;
          if (status !== 'cancelled' && local >= from && local <= to) {
            const key = `${commune.id} ${local}`;
            expectedDays.set(key, (expectedDays.get(key) ?? 0) + 1);
          }
          if ((status === 'played' || status === 'failed') && local >= from && local <= to) {
            const key = `${commune.id} ${local.slice(0, 7)}`;
            expectedMonths.set(key, (expectedMonths.get(key) ?? 0) + 1);
          }
        }
      }
    }
    for (let i = 0; i < occurrences.length; i += 500)
      await kysely
        .insertInto('occurrences')
        .values(occurrences.slice(i, i + 500))
        .execute();
    await kysely.insertInto('playback_events').values(events).execute();
  });
  afterAll(async () => {
    await kysely?.destroy();
    await database?.drop();
  });

  const capabilities = (boundParameters: number): DbCapabilities => ({
    advisoryLocks: false,
    skipLocked: false,
    rowLocks: false,
    intervals: dialect === 'postgres',
    boundParameters,
  });
  const zones = (unit: 'day' | 'month') =>
    zonePeriods(
      communes.map((c) => c.zone),
      from,
      to,
      unit,
    );
  const byKey = <T extends { communeId: string; period: string }>(rows: readonly T[]) =>
    [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  it('counts a year of local days and months in statements of at most 100 values, as one statement counts them', async () => {
    const everything = createProvinceReportsRepository(kysely, capabilities(32_766));
    const d1Sized = createProvinceReportsRepository(kysely, capabilities(100));
    const rule = presenceRule(PLAYBACK_GRACE_MS);

    queries.length = 0;
    const scheduled = await d1Sized.countScheduledByPeriod('p', zones('day'));
    const airings = await d1Sized.countAiringsByPeriod('p', zones('day'), now, rule);
    const airTime = await d1Sized.sumAirTime('p', zones('month'));
    expect(airings.length).toBeGreaterThan(0);
    const sent = queries.filter((q) => q.sql.startsWith('select'));
    expect(sent.length).toBeGreaterThan(3);
    expect(Math.max(...sent.map((q) => q.parameters.length))).toBeLessThanOrEqual(100);

    expect(byKey(scheduled)).toEqual(byKey(await everything.countScheduledByPeriod('p', zones('day'))));
    expect(byKey(airings)).toEqual(
      byKey(await everything.countAiringsByPeriod('p', zones('day'), now, rule)),
    );
    expect(airTime).toEqual(await everything.sumAirTime('p', zones('month')));

    expect(new Map(scheduled.map((s) => [`${s.communeId} ${s.period}`, s.count]))).toEqual(expectedDays);
    expect(new Map(airTime.map((r) => [`${r.communeId} ${r.month}`, r.airings]))).toEqual(expectedMonths);
  });
});
