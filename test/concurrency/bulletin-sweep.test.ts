import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { createNodeRuntime, type NodeRuntime } from '../../src/node.js';
import { dialects } from '../support/databases.js';
import { adminPassword, createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';
import { otherCommune, provinceFixture, type ProvinceFixture } from '../support/province.js';
import { refuseBookings } from '../support/refused-bookings.js';
import { serveLoa, type RunningServer } from '../support/serve.js';
import { until } from '../support/until.js';

/**
 * Two instances sweeping for the province's bulletins that their send left unbooked (a crash between
 * the send's unit of work and the booking) book each commune once: the delivery is claimed in the unit
 * of work that books it, so the second finds it taken. PostgreSQL: two runtimes on one database, both
 * sweeps held at the claim by a row lock of the test's own until both got there, and two dispatchers
 * ticking at once (one holds the leader lock). SQLite: two `loa dispatch` processes on one data folder,
 * both leaders there, each sweeping at start-up.
 */
describe('two sweeps at once place a sent bulletin once', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  /** An emergency to both communes, sent while the database refused its bookings: due everywhere. */
  async function sentButNotPlaced(h: Harness, p: ProvinceFixture, title: string): Promise<string> {
    const created = await h.request('/api/v1/province/bulletins', {
      method: 'POST',
      token: p.tokens.provinceOfficer,
      json: {
        title,
        language: 'vi',
        category: 'general',
        text: 'Ủy ban nhân dân tỉnh thông báo khẩn: nước sông Chảy đang lên nhanh.',
        level: 'emergency',
        communeIds: ['coc-san', otherCommune],
      },
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await h.runtime.jobs.drain();
    const refused = await refuseBookings(h.runtime.db.kysely, h.database.dialect);
    const sent = await h.request(`/api/v1/province/bulletins/${id}/send`, {
      method: 'POST',
      token: p.tokens.provinceOfficer,
    });
    await refused.lift();
    expect(sent.status, await sent.clone().text()).toBe(500);
    return id;
  }

  /** Per target commune: the live broadcasts of its copy, and the delivery's own list. */
  async function bookings(db: Kysely<Database>, id: string) {
    const deliveries = await db
      .selectFrom('bulletin_deliveries')
      .select(['commune_id', 'announcement_id', 'decision', 'broadcast_ids'])
      .where('bulletin_id', '=', id)
      .orderBy('commune_id')
      .execute();
    return Promise.all(
      deliveries.map(async (d) => ({
        communeId: d.commune_id,
        decision: d.decision,
        listed: JSON.parse(d.broadcast_ids) as string[],
        live: (
          await db
            .selectFrom('broadcasts')
            .select('id')
            .where('announcement_id', '=', d.announcement_id)
            .where('cancelled_at', 'is', null)
            .execute()
        ).map((b) => b.id),
      })),
    );
  }

  const placedOnce = (rows: Awaited<ReturnType<typeof bookings>>) => {
    expect(rows.map((r) => r.communeId)).toEqual(['coc-san', otherCommune]);
    for (const row of rows) {
      expect(row.decision).toBe('scheduled');
      expect(row.live).toHaveLength(1);
      expect(row.listed).toEqual(row.live);
    }
  };

  it.runIf(dialects.includes('postgres'))('on PostgreSQL', async () => {
    const h = await createHarness('postgres');
    cleanups.push(() => h.close());
    const p = await provinceFixture(h);
    const second: NodeRuntime = await createNodeRuntime(h.runtime.config, {
      clock: h.clock,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => second.close());

    // Two sweeps that both read the bulletin as due, then meet at the claim.
    const id = await sentButNotPlaced(h, p, 'Lũ quét trên sông Chảy');
    h.clock.advance(2 * 60_000);
    const holder = new pg.Client({ connectionString: h.database.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('begin');
    await holder.query('select 1 from bulletin_deliveries where bulletin_id = $1 for update', [id]);
    const sweeps = Promise.all([
      h.runtime.services.bulletins.placeUnplaced(),
      second.services.bulletins.placeUnplaced(),
    ]);
    await until(async () => {
      const { rows } = await holder.query(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
      );
      return rows[0].n === 2;
    }, 10_000);
    await holder.query('rollback');
    const placed = await sweeps;
    expect(placed.sort()).toEqual([0, 2]);
    placedOnce(await bookings(h.runtime.db.kysely, id));

    // Two dispatchers ticking at once: the leader sweeps.
    const next = await sentButNotPlaced(h, p, 'Sạt lở đất ở thôn Ún Tà');
    h.clock.advance(2 * 60_000);
    const ticks = await Promise.all([h.runtime.dispatcher.tick(), second.dispatcher.tick()]);
    expect(ticks.map((t) => t.bulletinsPlaced).sort()).toEqual([0, 2]);
    expect(ticks.filter((t) => t.leader)).toHaveLength(1);
    placedOnce(await bookings(h.runtime.db.kysely, next));
  });

  it('on SQLite, two dispatcher processes on one data folder', async () => {
    const h = await createHarness('sqlite');
    cleanups.push(() => h.database.drop());
    let open = true;
    cleanups.push(async () => {
      if (open) await h.runtime.close();
    });
    const p = await provinceFixture(h);
    // The processes run on the system's clock: the bulletin was sent five minutes ago by it.
    h.clock.set(new Date(Date.now() - 5 * 60_000));
    const id = await sentButNotPlaced(h, p, 'Lũ quét trên sông Chảy');
    await h.runtime.close();
    open = false;

    const env = {
      DATA_DIR: h.database.dataDir,
      MEDIA_DIR: join(h.database.dataDir, 'media'),
      DATABASE_URL: `sqlite:${join(h.database.dataDir, 'loa.sqlite')}`,
      LOA_ADMIN_PASSWORD: adminPassword,
      LOA_PROVINCE_ADMIN_PASSWORD: provinceAdminPassword,
      LOG_LEVEL: 'info',
    };
    const dispatchers: RunningServer[] = await Promise.all([
      serveLoa(env, 'dispatch'),
      serveLoa(env, 'dispatch'),
    ]);
    cleanups.push(async () => {
      await Promise.all(dispatchers.map((d) => d.stop()));
    });
    // Each has ticked once as leader (SQLite has one instance's lock each): each swept at start-up.
    await until(async () => {
      const ticked = await Promise.all(
        dispatchers.map(async (d) => {
          const text = await (await fetch(`${d.url}/metrics`)).text();
          const count = text.match(/^loa_dispatcher_tick_seconds_count\{[^}]*leader="true"[^}]*\} (\d+)/m);
          return Number(count?.[1] ?? 0) >= 1;
        }),
      );
      return ticked.every(Boolean);
    }, 30_000);
    const told = dispatchers
      .flatMap((d) => d.output().split('\n'))
      .filter((line) => line.includes('bulletin placed after its send'))
      .map((line) => (JSON.parse(line) as { communes: number }).communes);
    expect(told).toEqual([2]);

    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new SqliteDatabase(env.DATABASE_URL.slice('sqlite:'.length)) }),
    });
    cleanups.push(() => db.destroy());
    placedOnce(await bookings(db, id));
  });
});
