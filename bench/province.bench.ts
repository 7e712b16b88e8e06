// `npm run bench:province`: bulletins from the province at scale on PostgreSQL (TEST_DATABASE_URL or
// DATABASE_URL; a database of its own is created and dropped) — 100 communes, 1,500 hamlets, 2,000
// receivers written straight into the database (PROVINCE_BENCH_COMMUNES and PROVINCE_BENCH_HAMLETS, the
// hamlets per commune, size it otherwise). Measured through the real HTTP app and services:
//   - a normal bulletin sent to all 100 communes, until it is in every inbox (send answered), against
//     the same bulletin sent to one commune;
//   - an emergency sent to all 100 communes, until its one event is on the event bus and the one lookup
//     an instance holding every hamlet makes for it has found all 1,500 (what the push channels get),
//     against one commune;
//   - a dispatcher tick with the province and its bulletins loaded, against the empty database;
//   - the commune manifest (`GET /api/v1/receiver/schedule`) of one box, 200 times, with the province
//     loaded, against the empty database.
// Then how much CPU the emergency to every commune took on the whole machine (every core, every process),
// the least time that work could take here however it were split.
// Prints a table for the README; it is not a test.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/schema.js';
import type { LoaEvent } from '../src/domain/ports/events.js';
import { createNodeRuntime, type NodeRuntime } from '../src/node.js';
import { busySeconds } from './support/cpu.js';
import { benchCommune, createBenchDatabase, insertRows } from './support/database.js';

const COMMUNES = Number(process.env.PROVINCE_BENCH_COMMUNES ?? 100);
const HAMLETS = Number(process.env.PROVINCE_BENCH_HAMLETS ?? 15);
const RECEIVERS = 2_000;
const fmtCount = (n: number) => n.toLocaleString('en-US');
const MANIFESTS = 200;
/** 08:00 in Asia/Ho_Chi_Minh: the evening slot is the next one. */
let now = Date.parse('2026-11-27T01:00:00.000Z');

const admin = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!admin) {
  process.stderr.write('bench:province runs on PostgreSQL: set TEST_DATABASE_URL or DATABASE_URL.\n');
  process.exit(1);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 100 communes of the seeded province with the seeded commune's settings, 15 hamlets each, 2,000 boxes. */
async function build(db: Kysely<Database>): Promise<string[]> {
  const at = iso(Date.parse('2026-09-01T00:00:00Z'));
  const seeded = await db
    .selectFrom('communes')
    .select(['settings', 'province_id'])
    .where('id', '=', 'coc-san')
    .executeTakeFirstOrThrow();
  const communes: Insertable<Database['communes']>[] = [];
  const hamlets: Insertable<Database['hamlets']>[] = [];
  const receivers: Insertable<Database['receivers']>[] = [];
  for (let c = 0; c < COMMUNES; c++) {
    const communeId = `bench-${c}`;
    communes.push(benchCommune(c, seeded, at));
    for (let h = 0; h < HAMLETS; h++) {
      hamlets.push({
        id: `${communeId}-h${h}`,
        commune_id: communeId,
        name: `Thôn ${h + 1}`,
        languages: '["vi"]',
        lat: null,
        lon: null,
        is_example: 0,
        created_at: at,
        updated_at: at,
      });
    }
  }
  for (let r = 0; r < RECEIVERS; r++) {
    const hamlet = hamlets[r % hamlets.length]!;
    receivers.push({
      id: `${hamlet.id}-rx${r}`,
      hamlet_id: hamlet.id,
      name: `Cụm loa ${r}`,
      token_hash: `bench-${r}`,
      created_at: at,
      updated_at: at,
    });
  }
  await db.transaction().execute(async (trx) => {
    await insertRows(trx, 'communes', communes);
    await insertRows(trx, 'hamlets', hamlets);
    await insertRows(trx, 'receivers', receivers);
  });
  await sql.raw('analyze').execute(db);
  return communes.map((c) => c.id);
}

interface Row {
  readonly what: string;
  readonly baseline: string;
  readonly baseMs: number;
  readonly ms: number;
  readonly goalMs: number | null;
}

async function main(adminUrl: string) {
  const database = await createBenchDatabase('province', adminUrl);
  const runtime: NodeRuntime = await createNodeRuntime(
    loadConfig({
      DATA_DIR: database.dataDir,
      MEDIA_DIR: join(database.dataDir, 'media'),
      DATABASE_URL: database.url,
      LOA_ADMIN_PASSWORD: 'bench-admin-password',
      LOA_PROVINCE_ADMIN_PASSWORD: 'bench-province-password',
      LOG_LEVEL: 'silent',
    }),
    { clock: { now: () => new Date(now) }, logger: pino({ level: 'silent' }) },
  );
  const request = async (path: string, init: { method?: string; token?: string; json?: unknown } = {}) => {
    const headers = new Headers();
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const res = await runtime.app.request(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
    return res;
  };
  const ok = async (res: Response, status: number) => {
    if (res.status !== status) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const login = async (username: string, password: string) =>
    (await ok(await request('/api/v1/auth/login', { method: 'POST', json: { username, password } }), 200))
      .token as string;

  try {
    const tinh = await login('tinh', 'bench-province-password');
    await ok(
      await request('/api/v1/users', {
        method: 'POST',
        token: tinh,
        json: {
          username: 'can-bo-tinh',
          password: 'bench-officer-password',
          role: 'province_officer',
          hamletIds: [],
          displayName: 'Cán bộ tỉnh',
        },
      }),
      201,
    );
    const officer = await login('can-bo-tinh', 'bench-officer-password');
    const communeAdmin = await login('admin', 'bench-admin-password');
    const box = (await ok(
      await request('/api/v1/receivers', {
        method: 'POST',
        token: communeAdmin,
        json: { hamletId: 'un-ta', name: 'Cụm loa đo' },
      }),
      201,
    )) as { token: string };

    const manifests = async () => {
      const started = performance.now();
      for (let i = 0; i < MANIFESTS; i++) {
        const res = await request('/api/v1/receiver/schedule', { token: box.token });
        if (res.status !== 200) throw new Error(`manifest ${res.status}`);
        await res.arrayBuffer();
      }
      return (performance.now() - started) / MANIFESTS;
    };
    const tick = async () => {
      now += 30_000;
      const started = performance.now();
      await runtime.dispatcher.tick();
      return performance.now() - started;
    };
    const best = async (times: number, run: () => Promise<number>) => {
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < times; i++) min = Math.min(min, await run());
      return min;
    };

    // The empty database: only the seeded communes.
    await tick();
    await manifests();
    const emptyManifestMs = await best(3, manifests);
    const emptyTickMs = await best(5, tick);

    const communes = await build(runtime.db.kysely);
    const make = async (level: string, communeIds: string[]) => {
      const made = await ok(
        await request('/api/v1/province/bulletins', {
          method: 'POST',
          token: officer,
          json: {
            title: `Bản tin ${level} (${communeIds.length} xã)`,
            language: 'vi',
            category: 'general',
            text: 'Ủy ban nhân dân tỉnh thông báo lịch tiêm phòng cho gia súc.',
            level,
            communeIds,
          },
        }),
        202,
      );
      return made.id as string;
    };
    const bulletins = {
      normalOne: await make('normal', [communes[0]!]),
      normalAll: await make('normal', communes),
      emergencyOne: await make('emergency', [communes[1]!]),
      emergencyAll: await make('emergency', communes),
    };
    await runtime.jobs.drain();

    const send = async (id: string) => {
      const started = performance.now();
      await ok(
        await request(`/api/v1/province/bulletins/${id}/send`, { method: 'POST', token: officer }),
        200,
      );
      return performance.now() - started;
    };
    const normalOneMs = await send(bulletins.normalOne);
    const normalAllMs = await send(bulletins.normalAll);
    const inboxes = await runtime.db.kysely
      .selectFrom('bulletin_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('bulletin_id', '=', bulletins.normalAll)
      .executeTakeFirstOrThrow();
    if (Number(inboxes.n) !== COMMUNES) throw new Error(`${inboxes.n} inboxes instead of ${COMMUNES}`);

    // Until every hamlet's push is known: the one event of the booking, then the one lookup an instance
    // holding a channel in every hamlet makes for it.
    const allHamlets = (await runtime.db.kysely.selectFrom('hamlets').select('id').execute()).map(
      (r) => r.id,
    );
    const emergency = async (id: string, hamlets: number) => {
      const pushes: Extract<LoaEvent, { type: 'emergency' }>[] = [];
      const busy = busySeconds();
      const started = performance.now();
      const stop = runtime.bus.subscribe((e: LoaEvent) => {
        if (e.type === 'emergency') pushes.push(e);
      });
      await ok(
        await request(`/api/v1/province/bulletins/${id}/send`, { method: 'POST', token: officer }),
        200,
      );
      stop();
      if (pushes.length !== 1) throw new Error(`${pushes.length} emergency events instead of one`);
      const found = await runtime.services.receiverSync.emergencyItems(
        pushes[0]!.bookingId,
        pushes[0]!.dueBy,
        allHamlets,
      );
      if (found.length !== hamlets) throw new Error(`${found.length} hamlets pushed instead of ${hamlets}`);
      return { ms: performance.now() - started, busyS: busySeconds() - busy };
    };
    const emergencyOne = await emergency(bulletins.emergencyOne, HAMLETS);
    const emergencyAll = await emergency(bulletins.emergencyAll, COMMUNES * HAMLETS);

    await sql.raw('analyze').execute(runtime.db.kysely);
    await tick();
    const loadedTickMs = await best(5, tick);
    await manifests();
    const loadedManifestMs = await best(3, manifests);

    const rows: Row[] = [
      {
        what: `normal bulletin to ${fmtCount(COMMUNES)} communes, in every inbox`,
        baseline: 'the same to 1 commune',
        baseMs: normalOneMs,
        ms: normalAllMs,
        goalMs: 1000,
      },
      {
        what: `emergency to ${fmtCount(COMMUNES)} communes (${fmtCount(COMMUNES * HAMLETS)} hamlets), every push found`,
        baseline: 'the same to 1 commune',
        baseMs: emergencyOne.ms,
        ms: emergencyAll.ms,
        goalMs: 1000,
      },
      {
        what: 'dispatcher tick, province and bulletins loaded',
        baseline: 'empty database',
        baseMs: emptyTickMs,
        ms: loadedTickMs,
        goalMs: 1000,
      },
      {
        what: 'commune manifest of one box (mean of 200)',
        baseline: 'empty database',
        baseMs: emptyManifestMs,
        ms: loadedManifestMs,
        goalMs: null,
      },
    ];
    return { rows, emergencyAll };
  } finally {
    await runtime.close();
    await database.drop();
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadAtStart = load();
const { rows, emergencyAll } = await main(admin);
const lines = [
  `Loa province bulletins on PostgreSQL — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadAtStart} at the start, ${load()} at the end`,
  `${COMMUNES} communes, ${COMMUNES * HAMLETS} hamlets, ${RECEIVERS.toLocaleString('en')} receivers`,
  '',
  '| what | ms | baseline | baseline ms | ×baseline | goal |',
  '|---|---:|---|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.ms.toFixed(1)} | ${r.baseline} | ${r.baseMs.toFixed(1)} | ${(r.ms / r.baseMs).toFixed(2)} | ${
        r.goalMs === null ? '—' : `< ${r.goalMs} ms ${r.ms < r.goalMs ? 'met' : 'NOT met'}`
      } |`,
  ),
  '',
  // The send's own work, whoever runs it: spread perfectly over the cores it still takes this long.
  `The emergency to ${fmtCount(COMMUNES)} communes took ${emergencyAll.busyS.toFixed(1)} s of CPU on this machine (Node, PostgreSQL and anything else running) in ${(emergencyAll.ms / 1000).toFixed(1)} s: on ${cpus().length} cores that work cannot take under ${(emergencyAll.busyS / cpus().length).toFixed(1)} s.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
