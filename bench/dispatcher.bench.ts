// `npm run bench:dispatcher`: one dispatcher tick at scale — 5,000 hamlets in 50 communes with 20,000
// recurring broadcasts, then 10,000 — against the same tick on the same database before any broadcast
// exists, measured in one run on this machine. SQLite always; PostgreSQL too when TEST_DATABASE_URL or
// DATABASE_URL is set (a database of its own is created and dropped). Prints tables for the README; it
// is not a test.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { communeRules, iso } from '../src/domain/schedule/index.js';
import { createNodeRuntime } from '../src/node.js';
import { buildPlaces, buildSeries, type Shape } from './dispatcher/data.js';
import { createBenchDatabase } from './support/database.js';

const MIN = 60_000;
const DAY = 86_400_000;
const HORIZON = 7 * DAY;
/** 05:59 on 1 December 2026 in Asia/Ho_Chi_Minh: the horizon stands a minute before 06:00 a week on. */
const T0 = Date.parse('2026-11-30T22:59:00.000Z');
const GOAL_MS = 1000;
const SHAPES: readonly Shape[] = [
  { communes: 50, hamletsPerCommune: 100, broadcastsPerHamlet: 4 },
  { communes: 50, hamletsPerCommune: 100, broadcastsPerHamlet: 2 },
];

type Kind = 'empty' | 'idle' | 'steady' | 'catch-up';
interface Tick {
  readonly kind: Kind;
  readonly wallMs: number;
  /** User + system time of this process (with SQLite, all of the work; with PostgreSQL, the client's). */
  readonly cpuMs: number;
  readonly statements: number;
  /** Of the statements, the INSERTs of new occurrences (3,000 rows each). */
  readonly inserts: number;
  readonly added: number;
  readonly missed: number;
}
interface Result {
  readonly database: string;
  readonly shape: Shape;
  readonly hamlets: number;
  readonly broadcasts: number;
  readonly occurrences: number;
  readonly ticks: readonly Tick[];
}

/**
 * The whole sequence on a fresh database: empty ticks first (places, no broadcasts), then the series,
 * then idle, steady and catch-up ticks, each timed and its statements counted.
 */
async function run(adminUrl: string | undefined, shape: Shape): Promise<Result> {
  const database = await createBenchDatabase('dispatcher', adminUrl);
  let now = T0 - 2 * DAY;
  let statements = 0;
  let inserts = 0;
  const runtime = await createNodeRuntime(
    loadConfig({
      DATA_DIR: database.dataDir,
      MEDIA_DIR: join(database.dataDir, 'media'),
      LOA_ADMIN_PASSWORD: 'bench-admin-password',
      LOG_LEVEL: 'silent',
      ...(database.url && { DATABASE_URL: database.url }),
    }),
    {
      clock: { now: () => new Date(now) },
      logger: pino({ level: 'silent' }),
      horizonMs: HORIZON,
      queryLog: (event) => {
        if (event.level !== 'query') return;
        statements++;
        if (event.query.sql.startsWith('insert into "occurrences"')) inserts++;
      },
    },
  );
  const ticks: Tick[] = [];
  const tick = async (kind: Kind | null) => {
    statements = 0;
    inserts = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await runtime.dispatcher.tick();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    if (kind)
      ticks.push({ kind, wallMs, cpuMs, statements, inserts, added: report.added, missed: report.missed });
    if (process.env.LOA_BENCH_VERBOSE)
      process.stderr.write(
        `  ${kind ?? 'warm-up'}: ${wallMs.toFixed(1)} ms, ${statements} statements, +${report.added}\n`,
      );
  };
  try {
    const rules = communeRules((await runtime.repos.communes.findCommune('coc-san'))!);
    const hamlets = await buildPlaces(runtime.db.kysely, shape, iso(now));
    // The first tick also prunes heartbeat history (then hourly): left out of every figure.
    await tick(null);
    for (let i = 0; i < 5; i++) {
      now += 30_000;
      await tick('empty');
    }
    now = T0;
    const built = await buildSeries(runtime.db.kysely, shape, now, HORIZON, rules);
    // Settled as a running database would be: PostgreSQL's autovacuum analyses a table soon after a
    // large insert, and SQLite checkpoints its write-ahead log as it goes.
    await sql.raw(database.url ? 'analyze' : 'pragma wal_checkpoint(truncate)').execute(runtime.db.kysely);
    await tick(null);
    // Airings at 06:00, 06:15, 06:30 and 06:45 (a quarter of the communes each) enter the horizon. The
    // tick before each is not measured: it may mark the previous quarter's airings missed.
    for (const minute of [0, 15, 30, 45]) {
      now = T0 + (minute + 1) * MIN;
      await tick(null);
      now += 30_000;
      await tick('steady');
      now += 30_000;
      await tick('idle');
    }
    // The dispatcher was down for a day, three times over.
    for (let i = 0; i < 3; i++) {
      now += DAY;
      await tick('catch-up');
    }
    return {
      database: database.url ? 'PostgreSQL' : 'SQLite',
      shape,
      hamlets,
      ...built,
      ticks,
    };
  } finally {
    await runtime.close();
    await database.drop();
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const range = (values: readonly number[]) =>
  Math.min(...values) === Math.max(...values)
    ? fmt(values[0] ?? NaN)
    : `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
const statementsOf = (ticks: readonly Tick[]) =>
  `${range(ticks.map((t) => t.statements))}${ticks.some((t) => t.inserts > 1) ? ` (${range(ticks.map((t) => t.inserts))} inserts)` : ''}`;
const KINDS: readonly Kind[] = ['empty', 'idle', 'steady', 'catch-up'];
const LABEL: Record<Kind, string> = {
  empty: 'empty (no broadcasts): baseline',
  idle: 'idle: no airing enters the horizon',
  steady: 'steady: +30 s, one cron time enters',
  'catch-up': 'catch-up: down for a day',
};

const load = () =>
  loadavg()
    .map((l) => fmt(l, 1))
    .join(' ');
const loadAtStart = load();

function report(results: readonly Result[]): void {
  const lines = [
    `Loa dispatcher tick — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadAtStart} at the start, ${load()} at the end`,
    '',
    `Data: ${fmt(results[0]!.hamlets)} hamlets in ${results[0]!.shape.communes} communes, daily, weekday and weekly series on 16 cron expressions (announcements of 1–4 min in each of one or two languages, relays of 15 and 30 min), materialised 7 days ahead. Wall time is the median of the ticks of each kind (5 empty, 4 idle, 4 steady, 3 catch-up), ×empty its ratio to the empty tick of the same run. The machine is shared: wall times follow its load, CPU time much less.`,
    '',
    '| database | broadcasts | tick | wall ms | ×empty | CPU ms (Node) | statements | rows added | marked missed |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const empty = median(r.ticks.filter((t) => t.kind === 'empty').map((t) => t.wallMs));
    for (const kind of KINDS) {
      const of = r.ticks.filter((t) => t.kind === kind);
      const wall = median(of.map((t) => t.wallMs));
      lines.push(
        `| ${r.database} | ${kind === 'empty' ? 0 : fmt(r.broadcasts)} | ${LABEL[kind]} | ${fmt(wall, 1)} | ${fmt(wall / empty, 1)} | ${fmt(median(of.map((t) => t.cpuMs)))} | ${statementsOf(of)} | ${range(of.map((t) => t.added))} | ${range(of.map((t) => t.missed))} |`,
      );
    }
  }
  lines.push('', 'Statements per tick as the number of broadcasts doubles:', '');
  const databases = [...new Set(results.map((r) => r.database))];
  lines.push(
    `| tick | ${databases.flatMap((d) => results.filter((r) => r.database === d).map((r) => `${d} ${fmt(r.broadcasts)}`)).join(' | ')} |`,
    `|---|${results.map(() => '---:').join('|')}|`,
  );
  const ordered = databases.flatMap((d) => results.filter((r) => r.database === d));
  for (const kind of KINDS.slice(1)) {
    lines.push(
      `| ${kind} | ${ordered.map((r) => statementsOf(r.ticks.filter((t) => t.kind === kind))).join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Only the INSERTs of new occurrences (3,000 rows a statement) grow with the work. Every other step is one statement, but for one UPDATE of `next_start_at` per distinct next airing (a dozen cron times here), each for up to 5,000 series.',
  );
  const verdict = KINDS.slice(1).map((kind) => {
    const slowest = Math.max(
      ...results.flatMap((r) => r.ticks.filter((t) => t.kind === kind).map((t) => t.wallMs)),
    );
    return `${kind} ${slowest < GOAL_MS ? 'met' : 'NOT met'} (slowest ${fmt(slowest)} ms)`;
  });
  lines.push(
    '',
    `Goal, every tick under ${fmt(GOAL_MS)} ms: ${verdict.join(', ')}. Occurrences materialised at the start: ${results.map((r) => `${r.database} ${fmt(r.broadcasts)}: ${fmt(r.occurrences)}`).join(', ')}.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const postgres = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const results: Result[] = [];
  for (const url of [undefined, ...(postgres ? [postgres] : [])]) {
    for (const shape of SHAPES) {
      process.stderr.write(
        `${url ? 'PostgreSQL' : 'SQLite'}, ${fmt(shape.communes * shape.hamletsPerCommune * shape.broadcastsPerHamlet)} broadcasts…\n`,
      );
      results.push(await run(url, shape));
    }
  }
  report(results);
}

await main();
