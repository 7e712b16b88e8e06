// `npm run bench:receivers`: the receiver protocol under load, against a bare Hono "hello" served the
// same way, measured in one run on this machine. Prints a table for the README; it is not a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpu } from './support/cpu.js';
import { openPushChannels, runLoad, type LoadResult } from './receivers/load.js';

const CONNECTIONS = 1000;
/** Paced run: 2 polls per second per connection, what 120,000 receivers polling once a minute send. */
const PACED_PER_CONNECTION = 2;
const PUSH_CLIENTS = 10_000;
const WARMUP_MS = 1500;
const DURATION_MS = 5000;
/** Saturated runs alternate hello, 304 and 200 this many times; the median round is reported. */
const ROUNDS = 5;
const here = new URL('.', import.meta.url).pathname;

interface Ready {
  port: number;
  adminToken: string;
  receivers: { token: string; hamletId: string }[];
  announcementId: string;
}

const children: ChildProcess[] = [];

function start(script: string, args: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l, i, all) => l.startsWith('READY ') && i < all.length - 1);
      if (!line) return;
      const ready = JSON.parse(line.slice(6)) as Ready & { file?: string };
      resolve({ child, ready: ready.file ? (JSON.parse(readFileSync(ready.file, 'utf8')) as Ready) : ready });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** CPU time (user + system) a process has used so far, in ms. */
const cpuMs = (pid: number) => (processCpu(pid)?.s ?? NaN) * 1000;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const get = (path: string, headers: Record<string, string> = {}) =>
  Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: loa\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-bench-'));
  try {
    const hello = await start('receivers/hello.ts', []);
    const loa = await start('receivers/server.ts', [dir, String(PUSH_CLIENTS)]);
    const { port, receivers } = loa.ready;
    const load = async (
      server: { child: ChildProcess; ready: { port: number } },
      request: (i: number) => Buffer,
      perConnectionPerSecond?: number,
    ): Promise<Measured> => {
      const cpuBefore = cpuMs(server.child.pid!);
      const result = await runLoad({
        port: server.ready.port,
        connections: CONNECTIONS,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        request,
        ...(perConnectionPerSecond && { perConnectionPerSecond }),
      });
      // Warm-up included on both sides: CPU over the whole run, answers at the measured rate.
      const answers = (result.perSecond * (WARMUP_MS + DURATION_MS)) / 1000;
      return { ...result, cpuUsPerAnswer: ((cpuMs(server.child.pid!) - cpuBefore) * 1000) / answers };
    };

    // The ETag of each hamlet, as a receiver that synced would send it; fetched again before each
    // run because the 48 h window (and with it the ETag) moves on every hour.
    const etags = new Map<string, string>();
    const syncEtags = async () => {
      for (const r of receivers.slice(0, 9)) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/receiver/schedule`, {
          headers: { authorization: `Bearer ${r.token}` },
        });
        etags.set(r.hamletId, res.headers.get('etag')!);
        await res.arrayBuffer();
      }
    };
    const auth = (i: number) => ({ Authorization: `Bearer ${receivers[i]!.token}` });

    const poll304 = (i: number) =>
      get('/api/v1/receiver/schedule', { ...auth(i), 'If-None-Match': etags.get(receivers[i]!.hamletId)! });
    const poll200 = (i: number) => get('/api/v1/receiver/schedule', auth(i));
    // The machine's speed drifts between runs (other tenants, CPU boost): each round measures the
    // baseline next to Loa, and the round with the median ratio is the one reported.
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = await load(hello, () => get('/'));
      await syncEtags();
      rounds.push({ baseline, notModified: await load(loa, poll304), full: await load(loa, poll200) });
    }
    const pacedHello = await load(hello, () => get('/'), PACED_PER_CONNECTION);
    await syncEtags();
    const paced304 = await load(loa, poll304, PACED_PER_CONNECTION);
    const paced200 = await load(loa, poll200, PACED_PER_CONNECTION);

    const bookEmergency = () =>
      fetch(`http://127.0.0.1:${port}/api/v1/broadcasts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${loa.ready.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          announcementId: loa.ready.announcementId,
          hamletIds: 'all',
          at: new Date().toISOString(),
          priority: 'emergency',
          repeat: { count: 1, intervalMin: 10 },
        }),
      });

    // Log ingestion: 50 receivers posting 500-event batches, each event new. Boxes report what has
    // started (a report minutes before its occurrence is refused), so the events name an emergency
    // booked now, before any push channel is open.
    const started = await bookEmergency();
    if (started.status !== 201) throw new Error(`emergency POST: ${started.status} ${await started.text()}`);
    const occurrenceOf = new Map<string, string>();
    for (const o of ((await started.json()) as { occurrences: { id: string; hamletId: string }[] })
      .occurrences)
      if (!occurrenceOf.has(o.hamletId)) occurrenceOf.set(o.hamletId, o.id);
    let seq = 0;
    const at = new Date().toISOString();
    const logs = await runLoad({
      port,
      connections: 50,
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      request: (i) => {
        const occurrenceId = occurrenceOf.get(receivers[i]!.hamletId);
        const batch = seq++;
        const events = Array.from(
          { length: 500 },
          (_, k) =>
            `{"id":"b${batch}-${k}","occurrenceId":"${occurrenceId}","type":"${k % 2 ? 'completed' : 'started'}","at":"${at}"}`,
        );
        const body = `{"events":[${events.join(',')}]}`;
        return Buffer.from(
          `POST /api/v1/receiver/logs HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${receivers[i]!.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      },
    });

    if (Object.keys(logs.statuses).some((status) => status !== '200'))
      throw new Error(`log batches not stored: ${JSON.stringify(logs.statuses)}`);

    // Emergency fan-out to 10,000 open push channels.
    const rssBefore = rssMb(loa.child.pid!);
    const push = await openPushChannels(
      port,
      receivers.map((r) => r.token),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfter = rssMb(loa.child.pid!);
    const cpuBefore = cpuMs(loa.child.pid!);
    const posted = performance.now();
    const res = await bookEmergency();
    const answered = performance.now();
    if (res.status !== 201) throw new Error(`emergency POST: ${res.status} ${await res.text()}`);
    const deadline = Date.now() + 20_000;
    while (push.arrivals.length < PUSH_CLIENTS && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const arrivals = push.arrivals.map((t) => t - posted).sort((a, b) => a - b);
    // The schedule versions that follow the plays, and the sockets' writes, are done a second later.
    await new Promise((r) => setTimeout(r, 1000));
    const pushCpuMs = cpuMs(loa.child.pid!) - cpuBefore;
    push.close();

    report({
      rounds,
      pacedHello,
      paced304,
      paced200,
      logs,
      rssBefore,
      rssAfter,
      arrivals,
      postMs: answered - posted,
      pushCpuMs,
    });
  } finally {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Measured = LoadResult & { readonly cpuUsPerAnswer: number };
interface Round {
  readonly baseline: Measured;
  readonly notModified: Measured;
  readonly full: Measured;
}

/** The round whose `path` ratio to its own baseline is the median one. */
function medianRound(rounds: readonly Round[], path: 'notModified' | 'full') {
  const ratio = (r: Round) => r[path].perSecond / r.baseline.perSecond;
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  return sorted[Math.floor(sorted.length / 2)]!;
}

function report(r: {
  rounds: readonly Round[];
  pacedHello: Measured;
  paced304: Measured;
  paced200: Measured;
  logs: LoadResult;
  rssBefore: number;
  rssAfter: number;
  arrivals: number[];
  postMs: number;
  pushCpuMs: number;
}): void {
  const statuses = (x: LoadResult) =>
    Object.entries(x.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
  const row = (name: string, x: Measured, ref: Measured) =>
    `| ${name} | ${fmt(x.perSecond)} | ${fmt(x.p50Ms, 1)} | ${fmt(x.p99Ms, 1)} | ${fmt((100 * x.perSecond) / ref.perSecond)} % | ${fmt(x.cpuUsPerAnswer, 1)} | ${fmt(x.responseBytes)} | ${statuses(x)} |`;
  const at304 = medianRound(r.rounds, 'notModified');
  const at200 = medianRound(r.rounds, 'full');
  const share = (round: Round, path: 'notModified' | 'full') =>
    round[path].perSecond / round.baseline.perSecond;
  const perRound = (path: 'notModified' | 'full') =>
    r.rounds.map((round) => `${fmt(100 * share(round, path))} %`).join(', ');
  const last = r.arrivals.at(-1) ?? NaN;
  const p50 = r.arrivals[Math.floor(r.arrivals.length / 2)] ?? NaN;
  const ok = (b: boolean) => (b ? 'met' : 'NOT met');
  const worstP99 = Math.max(r.paced304.p99Ms, r.paced200.p99Ms);
  const lines = [
    `Loa receiver benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, SQLite`,
    '',
    `Manifest, ${fmt(CONNECTIONS)} keep-alive connections (one per receiver), ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up. Throughput: each connection sends its next request as soon as the answer is in (saturated: latency is queueing). Latency: each connection polls ${PACED_PER_CONNECTION}×/s (${fmt(CONNECTIONS * PACED_PER_CONNECTION)} req/s, what ${fmt(CONNECTIONS * PACED_PER_CONNECTION * 60)} receivers polling every minute send).`,
    '',
    `Saturated runs alternate hello, 304 and 200, ${ROUNDS} rounds; each path shows its median round next to that round's hello. Share of hello per round — 304: ${perRound('notModified')}; 200: ${perRound('full')}. CPU µs/answer is the server process's user + system time per answer.`,
    '',
    '| path | req/s | p50 ms | p99 ms | of hello | CPU µs/answer | bytes/answer | statuses |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    row('bare Hono "hello" (baseline, 304 round)', at304.baseline, at304.baseline),
    row('GET /api/v1/receiver/schedule → 304', at304.notModified, at304.baseline),
    row('bare Hono "hello" (baseline, 200 round)', at200.baseline, at200.baseline),
    row('GET /api/v1/receiver/schedule → 200', at200.full, at200.baseline),
    row(`paced: bare Hono "hello"`, r.pacedHello, r.pacedHello),
    row('paced: schedule → 304', r.paced304, r.pacedHello),
    row('paced: schedule → 200', r.paced200, r.pacedHello),
    '',
    `Log ingestion: 50 receivers × 500-event batches: ${fmt(r.logs.perSecond * 500)} events/s (${fmt(r.logs.perSecond, 1)} batches/s, p50 ${fmt(r.logs.p50Ms, 1)} ms, p99 ${fmt(r.logs.p99Ms, 1)} ms; ${statuses(r.logs)})`,
    '',
    `Emergency push: ${fmt(r.arrivals.length)} of ${fmt(PUSH_CLIENTS)} open SSE channels got "play"; POST answered in ${fmt(r.postMs, 1)} ms; first ${fmt(r.arrivals[0] ?? NaN, 1)} ms, median ${fmt(p50, 1)} ms, last ${fmt(last, 1)} ms after the POST was sent. The server's CPU for it, from the POST until 1 s after the last play arrived (booking, lookup, every play and schedule push): ${fmt(r.pushCpuMs)} ms.`,
    `Server memory (RSS) ${fmt(r.rssBefore)} MB → ${fmt(r.rssAfter)} MB with ${fmt(PUSH_CLIENTS)} idle channels: ${fmt(((r.rssAfter - r.rssBefore) * 1024) / PUSH_CLIENTS, 1)} KB each.`,
    '',
    `Goals: manifest ≥ 50 % of hello — 304 ${ok(share(at304, 'notModified') >= 0.5)}, 200 ${ok(share(at200, 'full') >= 0.5)}; p99 < 20 ms at ${fmt(CONNECTIONS)} paced connections — ${ok(worstP99 < 20)} (worst ${fmt(worstP99, 1)} ms); emergency to ${fmt(PUSH_CLIENTS)} receivers < 1 s — ${ok(r.arrivals.length === PUSH_CLIENTS && last < 1000)}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
