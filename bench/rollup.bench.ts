// `npm run bench:rollup`: the province's roll-up over 100 communes (10 hamlets and 20 receivers each, two
// airings a day per hamlet for 30 days: 60,000 occurrences, 120,000 receiver airings with their reports
// and heartbeats) against the baseline of the same figures read the way a commune reads its own: each
// commune's coverage report, one after the other. SQLite always; PostgreSQL too when TEST_DATABASE_URL or
// DATABASE_URL is set (a database of its own is created and dropped). Prints a table for the README;
// it is not a test.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/schema.js';
import type { UserActor } from '../src/domain/actor.js';
import { createNodeRuntime, type NodeRuntime } from '../src/node.js';
import { benchCommune, createBenchDatabase, insertRows } from './support/database.js';

const COMMUNES = 100;
const HAMLETS = 10;
const RECEIVERS = 2;
const DAYS = 30;
const FROM = '2026-10-01';
const TO = '2026-10-30';
/** Local 06:00 and 17:30 on 1 October 2026 in Asia/Ho_Chi_Minh. */
const FIRST_AIRINGS = [Date.parse('2026-09-30T23:00:00.000Z'), Date.parse('2026-10-01T10:30:00.000Z')];
const NOW = Date.parse('2026-11-02T03:00:00.000Z');
const CATEGORIES = ['thong-bao', 'y-te', 'nong-nghiep'] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Writes the province straight into the database: 100 communes of Lào Cai, their hamlets and receivers,
 * an announcement per category per commune, and a month of airings. Per receiver and airing: mostly
 * played (a heartbeat a minute before, started and completed), some failed, some silent while heard
 * (missed), some silent and unheard (offline). A deterministic spread, so every run measures the same.
 */
async function build(db: Kysely<Database>): Promise<{ occurrences: number; pairs: number }> {
  const at = iso(Date.parse('2026-09-01T00:00:00Z'));
  const seeded = await db
    .selectFrom('communes')
    .select(['settings', 'province_id'])
    .executeTakeFirstOrThrow();
  const admin = (
    await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()
  ).id;
  const communes: Insertable<Database['communes']>[] = [];
  const hamlets: Insertable<Database['hamlets']>[] = [];
  const receivers: Insertable<Database['receivers']>[] = [];
  const stretches: Insertable<Database['receiver_hamlet_stretches']>[] = [];
  const announcements: Insertable<Database['announcements']>[] = [];
  const broadcasts: Insertable<Database['broadcasts']>[] = [];
  const occurrences: Insertable<Database['occurrences']>[] = [];
  const events: Insertable<Database['playback_events']>[] = [];
  const heartbeats: Insertable<Database['receiver_heartbeats']>[] = [];
  let pairs = 0;
  for (let c = 0; c < COMMUNES; c++) {
    const communeId = `bench-${c}`;
    communes.push(benchCommune(c, seeded, at));
    for (const [a, category] of CATEGORIES.entries()) {
      announcements.push({
        id: `${communeId}-a${a}`,
        commune_id: communeId,
        hamlet_id: null,
        title: `Thông báo ${category}`,
        category,
        created_by: admin,
        status: 'ready' as const,
        error: null,
        approval: 'approved' as const,
        approval_reason: null,
        approved_by: admin,
        approved_at: at,
        created_at: at,
        updated_at: at,
      });
    }
    for (let h = 0; h < HAMLETS; h++) {
      const hamletId = `${communeId}-h${h}`;
      hamlets.push({
        id: hamletId,
        commune_id: communeId,
        name: `Thôn ${h + 1}`,
        languages: '["vi"]',
        lat: null,
        lon: null,
        is_example: 0,
        created_at: at,
        updated_at: at,
      });
      const boxes = Array.from({ length: RECEIVERS }, (_, r) => `${hamletId}-rx${r}`);
      for (const id of boxes) {
        receivers.push({
          id,
          hamlet_id: hamletId,
          name: `Cụm loa ${id}`,
          token_hash: id,
          created_at: at,
          updated_at: at,
        });
        // In its hamlet since it was made, as `insertReceiver` records it.
        stretches.push({ receiver_id: id, hamlet_id: hamletId, arrived_at: at, left_at: null });
      }
      for (const [slot, first] of FIRST_AIRINGS.entries()) {
        const broadcastId = `${hamletId}-b${slot}`;
        const announcementId = `${communeId}-a${(h + slot) % CATEGORIES.length}`;
        broadcasts.push({
          id: broadcastId,
          commune_id: communeId,
          announcement_id: slot === 1 && h % 5 === 0 ? null : announcementId,
          relay_url: slot === 1 && h % 5 === 0 ? 'https://radio.example.vn/vov1' : null,
          relay_duration_s: slot === 1 && h % 5 === 0 ? 600 : null,
          hamlet_ids: JSON.stringify([hamletId]),
          schedule: JSON.stringify({ at: iso(first) }),
          priority: h % 7 === 0 ? ('priority' as const) : ('normal' as const),
          created_by: admin,
          created_at: at,
          cancelled_at: null,
          cancelled_by: null,
          materialised_until: null,
        });
        for (let d = 0; d < DAYS; d++) {
          const start = first + d * 86_400_000;
          const occurrenceId = `${broadcastId}-d${d}`;
          const k = c * 7 + h * 3 + d + slot;
          const aired = k % 10 !== 0;
          occurrences.push({
            id: occurrenceId,
            broadcast_id: broadcastId,
            hamlet_id: hamletId,
            starts_at: iso(start),
            duration_ms: 120_000,
            priority: h % 7 === 0 ? ('priority' as const) : ('normal' as const),
            slot_name: null,
            status: aired ? ('played' as const) : ('missed' as const),
            created_at: at,
            updated_at: at,
          });
          for (const [r, box] of boxes.entries()) {
            pairs++;
            const fate = (k + r) % 20; // 0–15 played, 16 failed, 17 missed, 18–19 offline
            if (fate < 18) {
              heartbeats.push({
                id: `${occurrenceId}-${r}-hb`,
                receiver_id: box,
                at: iso(start - 60_000),
                volume: 80,
                uptime_s: 3600,
                free_bytes: 1e9,
                signal: -80,
                app_version: '0.2.0',
              });
            }
            const event = (type: 'started' | 'completed' | 'failed', offset: number) => ({
              id: `${occurrenceId}-${r}-${type}`,
              receiver_id: box,
              event_id: `${occurrenceId}-${type}`,
              occurrence_id: occurrenceId,
              type,
              at: iso(start + offset),
              detail: null,
              received_at: iso(start + offset),
            });
            if (fate < 16) events.push(event('started', 0), event('completed', 120_000));
            else if (fate === 16) events.push(event('failed', 1_000));
          }
        }
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    await insertRows(trx, 'communes', communes);
    await insertRows(trx, 'hamlets', hamlets);
    await insertRows(trx, 'receivers', receivers);
    await insertRows(trx, 'receiver_hamlet_stretches', stretches);
    await insertRows(trx, 'announcements', announcements);
    await insertRows(trx, 'broadcasts', broadcasts);
    await insertRows(trx, 'occurrences', occurrences);
    await insertRows(trx, 'playback_events', events);
    await insertRows(trx, 'receiver_heartbeats', heartbeats);
  });
  return { occurrences: occurrences.length, pairs };
}

interface Timing {
  readonly what: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly statements: number;
}

async function measure(what: string, counter: { n: number }, work: () => Promise<unknown>): Promise<Timing> {
  counter.n = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return {
    what,
    wallMs: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
    statements: counter.n,
  };
}

/** Best of three runs of each, alternating, after one warm-up of each. */
async function run(adminUrl: string | undefined) {
  const database = await createBenchDatabase('rollup', adminUrl);
  const counter = { n: 0 };
  const runtime: NodeRuntime = await createNodeRuntime(
    loadConfig({
      DATA_DIR: database.dataDir,
      MEDIA_DIR: join(database.dataDir, 'media'),
      LOA_ADMIN_PASSWORD: 'bench-admin-password',
      LOA_PROVINCE_ADMIN_PASSWORD: 'bench-province-password',
      LOG_LEVEL: 'silent',
      ...(database.url && { DATABASE_URL: database.url }),
    }),
    {
      clock: { now: () => new Date(NOW) },
      logger: pino({ level: 'silent' }),
      queryLog: (event) => {
        if (event.level === 'query') counter.n++;
      },
    },
  );
  try {
    const built = await build(runtime.db.kysely);
    const tinh = (await runtime.repos.users.findCredentialsByUsername('tinh'))!;
    const province: UserActor = {
      kind: 'user',
      id: tinh.id,
      username: 'tinh',
      role: 'province_admin',
      provinceId: tinh.provinceId,
      communeId: tinh.communeId,
      hamletIds: 'all',
    };
    const ids = (await runtime.repos.communes.listCommunes(tinh.provinceId)).map((c) => c.id);
    const range = { from: FROM, to: TO };
    const communeReports = async () => {
      const rows = [];
      for (const communeId of ids) {
        const ctx = { actor: { ...province, role: 'commune_officer' as const, communeId }, requestId: null };
        rows.push(await runtime.services.reports.coverage(ctx, { from: FROM, to: '2026-10-31' }));
      }
      return rows;
    };
    const rollup = () => runtime.services.reports.rollup({ actor: province, requestId: null }, range);
    const airTime = () => runtime.services.reports.airTime({ actor: province, requestId: null }, range);

    // Same figures both ways: the roll-up must not be faster by counting something else.
    const [fromCommunes, fromRollup] = [await communeReports(), await rollup()];
    const played = fromCommunes.reduce((n, r) => n + r.hamlets.reduce((m, h) => m + h.played, 0), 0);
    const expected = fromCommunes.reduce((n, r) => n + r.hamlets.reduce((m, h) => m + h.expected, 0), 0);
    if (played !== fromRollup.total.played || expected !== fromRollup.total.expected)
      throw new Error(
        `the roll-up disagrees with the communes' reports: ${played}/${expected} vs ${fromRollup.total.played}/${fromRollup.total.expected}`,
      );
    await airTime();

    const best = new Map<string, Timing>();
    const keep = (t: Timing) => {
      const seen = best.get(t.what);
      if (!seen || t.wallMs < seen.wallMs) best.set(t.what, t);
    };
    for (let round = 0; round < 3; round++) {
      keep(
        await measure('baseline: 100 commune coverage reports, one after the other', counter, communeReports),
      );
      keep(await measure('province roll-up (coverage + boxes online)', counter, rollup));
      keep(await measure('air time per month, category and level', counter, airTime));
    }
    return {
      database: database.url ? 'PostgreSQL' : 'SQLite',
      built,
      totals: fromRollup.total,
      timings: [...best.values()],
    };
  } finally {
    await runtime.close();
    await database.drop();
  }
}

const admin = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadAtStart = load();
const results = [await run(undefined), ...(admin ? [await run(admin)] : [])];
const lines = [
  `Loa province roll-up — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadAtStart} at the start, ${load()} at the end`,
  '',
  '| database | what | wall ms | ×baseline | CPU ms (Node) | statements |',
  '|---|---|---:|---:|---:|---:|',
];
for (const r of results) {
  const base = r.timings[0]!.wallMs;
  for (const t of r.timings)
    lines.push(
      `| ${r.database} | ${t.what} | ${t.wallMs.toFixed(1)} | ${(t.wallMs / base).toFixed(3)} | ${t.cpuMs.toFixed(0)} | ${t.statements} |`,
    );
}
const r0 = results[0]!;
lines.push(
  '',
  `${COMMUNES} communes, ${COMMUNES * HAMLETS} hamlets, ${COMMUNES * HAMLETS * RECEIVERS} receivers; ${r0.built.occurrences.toLocaleString('en')} occurrences and ${r0.built.pairs.toLocaleString('en')} receiver airings over ${DAYS} days.`,
  `Both ways count ${r0.totals.expected.toLocaleString('en')} airings, ${r0.totals.played.toLocaleString('en')} played (rate ${r0.totals.rate}).`,
);
process.stdout.write(`${lines.join('\n')}\n`);
