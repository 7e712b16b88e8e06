// `npm run bench:national`: the scale-out profile on this one machine, with a simulated country.
// PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test:
// a fresh database is made and dropped), media in s3rver, three `loa serve` (more when the open-file
// limit needs it), one `loa dispatch`, two `loa worker`, and 3,321 communes, 30,000 hamlets and
// NATIONAL_RECEIVERS receivers (50,000) holding push channels from loopback addresses 127.0.0.2–201.
// Each figure is printed with a baseline measured in the same run (the province's emergency for the
// country's, polling at a tenth of the rate, one worker, one idle connection), and whose CPU the
// country's emergency took, read from /proc. Prints a table for the README; it is not a test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { cpus, loadavg } from 'node:os';
import { loadConfig } from '../src/config.js';
import { hashToken, webIds } from '../src/domain/ports/ids.js';
import { decodeNotification } from '../src/events/notification.node.js';
import { createNodeRuntime } from '../src/node.js';
import { startLocalS3 } from '../test/support/s3.js';
import { busySeconds, cpuByProcess } from './support/cpu.js';

const RECEIVERS = Number(process.env.NATIONAL_RECEIVERS ?? 50_000);
const AUDIO_JOBS = Number(process.env.NATIONAL_AUDIO_JOBS ?? 200);
const AUDIO_SECONDS = Number(process.env.NATIONAL_AUDIO_SECONDS ?? 60);
const COMMUNES = 3321;
const HAMLETS = 30_000;
/** The "province": one commune of 100 hamlets and 1,500 receivers, booked through the API. */
const PROVINCE_HAMLETS = 100;
const PROVINCE_RECEIVERS = Math.min(1500, RECEIVERS);
const HOLDERS = 3;
const PASSWORD = 'bench-admin-password';
const PROVINCE_PASSWORD = 'bench-province-password';
/**
 * Open files each process may have: above the channels a `serve` may take over when another dies and the
 * sockets of a load generator. The limit is raised for the children with prlimit(1) where the run may
 * (root with CAP_SYS_RESOURCE); in a container without it the hard limit stays, and the run starts as many
 * `serve` as it takes for the survivors of a kill to stay under it.
 */
const WANTED_FILES = 200_000;
const raised = (() => {
  try {
    execFileSync('prlimit', [`--nofile=${WANTED_FILES}:${WANTED_FILES}`, '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const NOFILE = raised ? WANTED_FILES : Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim());
const withFiles = (args: readonly string[]): [string, string[]] =>
  raised
    ? ['prlimit', [`--nofile=${NOFILE}:${NOFILE}`, '--', ...args]]
    : ['sh', ['-c', `ulimit -n ${NOFILE} && exec "$0" "$@"`, ...args]];
/** Room for what a `serve` holds besides channels: database pool, event bus, log files, the polling. */
const FILES_BESIDES_CHANNELS = 2500;
/** At least three; more when the channels of a killed one would take the others past the file limit. */
const SERVES = (() => {
  for (let n = 3; ; n++) if (Math.ceil(RECEIVERS / (n - 1)) + FILES_BESIDES_CHANNELS <= NOFILE) return n;
})();
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
const root = fileURLToPath(new URL('..', import.meta.url));
const loaBin = join(root, 'bin/loa.js');

const children: ChildProcess[] = [];
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const now = () => performance.timeOrigin + performance.now();
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const progress = (text: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** A mono 16 kHz WAV of a tone, different per `n`, `seconds` long. */
function toneWav(n: number, seconds: number): Uint8Array {
  const rate = 16_000;
  const samples = rate * seconds;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(rate, 24);
  buffer.writeUInt32LE(rate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  const f = 200 + n * 3;
  for (let i = 0; i < samples; i++) {
    // A tone that swells every second, so that the levelling has speech-like work to do.
    const envelope = 0.3 + 0.25 * Math.sin((2 * Math.PI * i) / rate);
    buffer.writeInt16LE(Math.round(12_000 * envelope * Math.sin((2 * Math.PI * f * i) / rate)), 44 + i * 2);
  }
  return buffer;
}

/** Ends every process this run started (each `loa` with its ffmpeg: they lead their own group). */
function killChildren(): void {
  for (const child of children) {
    try {
      if (child.pid) process.kill(child.spawnargs.includes(loaBin) ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      // Already gone (the killed ones).
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });

interface Process {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
}

function startLoa(role: string, name: string, env: Record<string, string>): Promise<Process> {
  return new Promise((resolve, reject) => {
    const child = spawn(...withFiles([process.execPath, loaBin, role]), {
      env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', WORKER_ID: name, LOG_LEVEL: 'info' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.once('exit', (code, signal) => progress(`${name} exited (${signal ?? code})`));
    let out = '';
    const onData = (d: Buffer) => {
      if (out === null) return;
      out += d.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        out = null as unknown as string;
        const port = Number(match[1]);
        resolve({ name, child, port, url: `http://127.0.0.1:${port}` });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => out !== null && reject(new Error(`${name} exited with ${code}:\n${out}`)));
  });
}

/** The sums of a serve's `loa_emergency_push_seconds` by phase: the time its emergencies took there. */
async function emergencyPushSeconds(url: string): Promise<{ lookup: number; pushed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (phase: string) =>
    Number(
      new RegExp(`loa_emergency_push_seconds_sum\\{[^}]*phase="${phase}"[^}]*\\} ([\\d.e-]+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  return { lookup: sum('lookup'), pushed: sum('pushed') };
}

interface Holder {
  readonly child: ChildProcess;
  command(line: string, expect: string): Promise<string>;
}

function startHolder(tokensFile: string, ports: readonly number[], base: number): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ...withFiles([
        process.execPath,
        '--import',
        'tsx',
        join(root, 'bench/national/channels.ts'),
        tokensFile,
        ports.join(','),
        String(base),
      ]),
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(child);
    const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const at = waiting.findIndex((w) => line.startsWith(w.prefix));
      if (at >= 0) waiting.splice(at, 1)[0]!.resolve(line);
    });
    const holder: Holder = {
      child,
      command(line, expect) {
        return new Promise((done) => {
          waiting.push({ prefix: expect, resolve: done });
          if (line) child.stdin!.write(`${line}\n`);
        });
      },
    };
    holder.command('', 'READY').then(() => resolve(holder), reject);
    child.once('exit', (code) => reject(new Error(`channel holder exited with ${code}`)));
  });
}

interface Report {
  readonly arrivals: number[];
  readonly played: boolean[];
  readonly reconnections: { cutAt: number; backAt: number }[];
  readonly open: number;
}
const report = async (holders: readonly Holder[]) =>
  Promise.all(
    holders.map(async (h) => JSON.parse((await h.command('report', 'REPORT ')).slice(7)) as Report),
  );

async function main(): Promise<void> {
  const started = Date.now();
  // The machine is shared: its load is part of what the figures measure.
  const loads: number[] = [];
  const sampling = setInterval(() => loads.push(loadavg()[0]!), 5000);
  sampling.unref();
  progress(`load average at the start: ${load()}`);
  const dir = mkdtempSync(join(tmpdir(), 'loa-national-'));
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `loa_national_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const s3 = await startLocalS3('loa-national');
  const shared = {
    ...s3.env('country'),
    DATABASE_URL: databaseUrl,
    LOA_ADMIN_PASSWORD: PASSWORD,
    LOA_PROVINCE_ADMIN_PASSWORD: PROVINCE_PASSWORD,
    // A killed worker's job is taken over when its lease runs out: 20 s instead of a minute.
    JOB_LEASE_S: '20',
  };
  const sql = new pg.Client({ connectionString: databaseUrl });
  try {
    // ---- the country, written straight into the database (the API would take hours for it)
    process.stderr.write(
      `seeding ${fmt(COMMUNES)} communes, ${fmt(HAMLETS)} hamlets, ${fmt(RECEIVERS)} receivers…\n`,
    );
    const seeder = await createNodeRuntime(
      loadConfig({
        ...shared,
        DATA_DIR: join(dir, 'seed'),
        MEDIA_DIR: join(dir, 'seed-media'),
        LOG_LEVEL: 'warn',
      }),
      { logger: pino({ level: 'warn' }) },
    );
    const db = seeder.db.kysely;
    const stamp = new Date().toISOString();
    const cocSan = await db
      .selectFrom('communes')
      .selectAll()
      .where('id', '=', 'coc-san')
      .executeTakeFirstOrThrow();
    const existingCommunes = Number(
      (
        await db
          .selectFrom('communes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const existingHamlets = await db.selectFrom('hamlets').select(['id', 'commune_id']).execute();
    const newCommunes = Array.from({ length: COMMUNES - existingCommunes }, (_, i) => ({
      id: `bench-c-${i}`,
      name: `Xã ${i}`,
      code: String(90_000 + i),
      province_code: cocSan.province_code,
      province_id: cocSan.province_id,
      time_zone: cocSan.time_zone,
      settings: cocSan.settings,
      created_at: stamp,
      updated_at: stamp,
    }));
    const hamletRows: {
      id: string;
      commune_id: string;
      name: string;
      languages: string;
      lat: null;
      lon: null;
      created_at: string;
      updated_at: string;
      deleted_at: null;
    }[] = [];
    const cocSanHamlets = existingHamlets.filter((h) => h.commune_id === 'coc-san').map((h) => h.id);
    for (let i = cocSanHamlets.length; i < PROVINCE_HAMLETS; i++) {
      const id = `bench-h-cs-${i}`;
      cocSanHamlets.push(id);
      hamletRows.push({
        id,
        commune_id: 'coc-san',
        name: `Thôn ${i}`,
        languages: '["vi"]',
        lat: null,
        lon: null,
        created_at: stamp,
        updated_at: stamp,
        deleted_at: null,
      });
    }
    const otherHamlets: string[] = existingHamlets.filter((h) => h.commune_id !== 'coc-san').map((h) => h.id);
    for (let i = 0; otherHamlets.length + cocSanHamlets.length < HAMLETS; i++) {
      const id = `bench-h-${i}`;
      otherHamlets.push(id);
      hamletRows.push({
        id,
        commune_id: newCommunes[i % newCommunes.length]!.id,
        name: `Thôn ${i}`,
        languages: '["vi"]',
        lat: null,
        lon: null,
        created_at: stamp,
        updated_at: stamp,
        deleted_at: null,
      });
    }
    const tokens: string[] = [];
    const receiverRows: {
      id: string;
      hamlet_id: string;
      name: string;
      token_hash: string;
      created_at: string;
      updated_at: string;
    }[] = [];
    for (let i = 0; i < RECEIVERS; i++) {
      const token = webIds.token();
      tokens.push(token);
      const hamlet =
        i < PROVINCE_RECEIVERS
          ? cocSanHamlets[i % cocSanHamlets.length]!
          : otherHamlets[i % otherHamlets.length]!;
      receiverRows.push({
        id: `bench-rx-${i}`,
        hamlet_id: hamlet,
        name: `Cụm loa ${i}`,
        token_hash: await hashToken(token),
        created_at: stamp,
        updated_at: stamp,
      });
    }
    // The example receivers of the commune files have no token anyone knows: disabled, out of the count.
    await db.updateTable('receivers').set({ disabled_at: stamp }).execute();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < newCommunes.length; i += 1000)
        await trx
          .insertInto('communes')
          .values(newCommunes.slice(i, i + 1000))
          .execute();
      for (let i = 0; i < hamletRows.length; i += 2000)
        await trx
          .insertInto('hamlets')
          .values(hamletRows.slice(i, i + 2000))
          .execute();
      for (let i = 0; i < receiverRows.length; i += 2000)
        await trx
          .insertInto('receivers')
          .values(receiverRows.slice(i, i + 2000))
          .execute();
    });
    await seeder.close();

    // ---- the processes
    progress(
      `starting ${SERVES} serve, 1 dispatch, 1 worker (the second joins for the audio queue); ${fmt(NOFILE)} open files each${raised ? '' : ' (the hard limit here: prlimit may not raise it)'}`,
    );
    const env = (name: string) => ({
      ...shared,
      DATA_DIR: join(dir, name, 'data'),
      MEDIA_DIR: join(dir, name, 'scratch'),
    });
    const serves = await Promise.all(
      Array.from({ length: SERVES }, (_, i) => startLoa('serve', `serve-${i + 1}`, env(`serve-${i + 1}`))),
    );
    const dispatch = await startLoa('dispatch', 'dispatch-1', env('dispatch-1'));
    const startWorker = (n: number) =>
      startLoa('worker', `worker-${n}`, { ...env(`worker-${n}`), JOB_CONCURRENCY: '1' });
    const workers = [await startWorker(1)];
    const idle = serves.map((s) => rssMb(s.child.pid!));

    // ---- baseline: one receiver opening its channel on the idle service, until its first event
    const connectOnce = async () => {
      const abort = new AbortController();
      const t = now();
      const res = await fetch(`${serves[0]!.url}/api/v1/receiver/events`, {
        headers: { authorization: `Bearer ${tokens[RECEIVERS - 1]}` },
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('event: schedule')) seen += Buffer.from((await reader.read()).value!).toString();
      const ms = now() - t;
      abort.abort();
      return ms;
    };
    const idleConnects: number[] = [];
    for (let i = 0; i < 7; i++) idleConnects.push(await connectOnce());
    const idleConnectMs = idleConnects.sort((a, b) => a - b)[3]!;

    // ---- every receiver holds a push channel
    progress('opening push channels');
    const share = Math.ceil(RECEIVERS / HOLDERS);
    const holderStarted = now();
    const holders = await Promise.all(
      Array.from({ length: HOLDERS }, (_, h) => {
        const file = join(dir, `tokens-${h}.json`);
        writeFileSync(file, JSON.stringify(tokens.slice(h * share, (h + 1) * share)));
        return startHolder(
          file,
          serves.map((s) => s.port),
          h * share,
        );
      }),
    );
    const connectS = (now() - holderStarted) / 1000;
    const withChannels = serves.map((s) => rssMb(s.child.pid!));
    progress(
      `channels open in ${fmt(connectS, 1)} s; serve RSS ${idle.map((m) => fmt(m)).join('/')} → ${withChannels.map((m) => fmt(m)).join('/')} MB`,
    );
    const channelCounts = await Promise.all(
      serves.map(async (s) =>
        Number(
          /loa_sse_channels_open\{[^}]*\} (\d+)/.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1] ??
            0,
        ),
      ),
    );

    // ---- sign in, one approved recording in the "province"
    const api = async (
      base: string,
      path: string,
      init: RequestInit & { token?: string; json?: unknown } = {},
    ) => {
      const headers = new Headers(init.headers);
      if (init.token) headers.set('authorization', `Bearer ${init.token}`);
      if (init.json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${base}${path}`, {
        ...init,
        headers,
        ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
      });
    };
    const token = (
      (await (
        await api(serves[0]!.url, '/api/v1/auth/login', {
          method: 'POST',
          json: { username: 'admin', password: PASSWORD },
        })
      ).json()) as { token: string }
    ).token;
    const uploadTo = async (base: string, n: number, seconds: number) => {
      const form = new FormData();
      form.set('title', `Thông báo ${n}`);
      form.set('language', 'vi');
      form.set('file', new Blob([toneWav(n, seconds)], { type: 'audio/wav' }), `tb-${n}.wav`);
      const res = await api(base, '/api/v1/announcements', { method: 'POST', token, body: form });
      if (res.status !== 202) throw new Error(`upload ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    const alert = await uploadTo(serves[0]!.url, 0, 10);
    for (;;) {
      const a = (await (await api(serves[0]!.url, `/api/v1/announcements/${alert}`, { token })).json()) as {
        status: string;
      };
      if (a.status === 'ready') break;
      if (a.status === 'failed') throw new Error('the alert failed to process');
      await sleep(200);
    }
    await api(serves[0]!.url, `/api/v1/announcements/${alert}/approve`, { method: 'POST', token, json: {} });

    // ---- emergency to the province's receivers, through the API
    progress('emergency to the province');
    await Promise.all(holders.map((h) => h.command('reset', 'OK')));
    const provinceSent = now();
    const booked = await api(serves[1]!.url, '/api/v1/broadcasts', {
      method: 'POST',
      token,
      json: { announcementId: alert, hamletIds: cocSanHamlets, priority: 'emergency' },
    });
    if (booked.status !== 201) throw new Error(`emergency ${booked.status}: ${await booked.text()}`);
    const occurrences = (
      (await booked.json()) as { occurrences: { id: string; hamletId: string; at: string }[] }
    ).occurrences;
    const bookedMs = now() - provinceSent;
    progress(`emergency booked in ${fmt(bookedMs)} ms`);
    let provinceLast = 0;
    let provinceReached = 0;
    for (const deadline = now() + 15_000; now() < deadline;) {
      const arrivals = (await report(holders)).flatMap((r) => r.arrivals);
      provinceReached = arrivals.length;
      if (arrivals.length >= PROVINCE_RECEIVERS) {
        provinceLast = Math.max(...arrivals) - provinceSent;
        break;
      }
      await sleep(100);
    }

    // ---- emergency to every receiver: a province bulletin to every commune, as an operations centre
    // sends one. Booked in one unit of work and published as one event for the whole booking; a listener
    // on the instances' channel notes when that event went out.
    progress('emergency to every receiver: a bulletin to every commune');
    const tinh = (
      (await (
        await api(serves[0]!.url, '/api/v1/auth/login', {
          method: 'POST',
          json: { username: 'tinh', password: PROVINCE_PASSWORD },
        })
      ).json()) as { token: string }
    ).token;
    const madeOfficer = await api(serves[0]!.url, '/api/v1/users', {
      method: 'POST',
      token: tinh,
      json: {
        username: 'can-bo-tinh',
        password: 'bench-officer-password',
        role: 'province_officer',
        hamletIds: [],
        displayName: 'Cán bộ tỉnh',
      },
    });
    if (madeOfficer.status !== 201)
      throw new Error(`officer ${madeOfficer.status}: ${await madeOfficer.text()}`);
    const officer = (
      (await (
        await api(serves[0]!.url, '/api/v1/auth/login', {
          method: 'POST',
          json: { username: 'can-bo-tinh', password: 'bench-officer-password' },
        })
      ).json()) as { token: string }
    ).token;
    const bulletinForm = new FormData();
    bulletinForm.set('title', 'Cảnh báo bão khẩn cấp');
    bulletinForm.set('language', 'vi');
    bulletinForm.set('level', 'emergency');
    bulletinForm.set('communeIds', 'all');
    bulletinForm.set('file', new Blob([toneWav(7, 10)], { type: 'audio/wav' }), 'bao.wav');
    const madeBulletin = await api(serves[0]!.url, '/api/v1/province/bulletins', {
      method: 'POST',
      token: officer,
      body: bulletinForm,
    });
    if (madeBulletin.status !== 202)
      throw new Error(`bulletin ${madeBulletin.status}: ${await madeBulletin.text()}`);
    const bulletinId = ((await madeBulletin.json()) as { id: string }).id;
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    let eventAt = 0;
    let emergencyEvents = 0;
    listener.on('notification', (n) => {
      if (decodeNotification(n.payload)?.event.type !== 'emergency') return;
      emergencyEvents++;
      eventAt ||= now();
    });
    await listener.query('LISTEN loa_events');
    await Promise.all(holders.map((h) => h.command('reset', 'OK')));
    const pushTimesBefore = await Promise.all(serves.map((s) => emergencyPushSeconds(s.url)));
    // Sent once its audio is ready (422 until then).
    let nationSent = 0;
    let sendMs = 0;
    let cpuAtSend: ReturnType<typeof cpuByProcess> = new Map();
    let busyAtSend = 0;
    for (const deadline = now() + 120_000; ;) {
      cpuAtSend = cpuByProcess();
      busyAtSend = busySeconds();
      nationSent = now();
      const sent = await api(serves[1]!.url, `/api/v1/province/bulletins/${bulletinId}/send`, {
        method: 'POST',
        token: officer,
      });
      sendMs = now() - nationSent;
      if (sent.status === 200) break;
      const text = await sent.text();
      if (sent.status !== 422 || now() > deadline) throw new Error(`send ${sent.status}: ${text}`);
      await sleep(300);
    }
    progress(`bulletin sent in ${fmt(sendMs)} ms`);
    let nationLast = 0;
    let nationReached = 0;
    let cpuAtLast = cpuAtSend;
    let busyAtLast = busyAtSend;
    for (const deadline = now() + 60_000; now() < deadline;) {
      const arrivals = (await report(holders)).flatMap((r) => r.arrivals);
      nationReached = arrivals.length;
      if (arrivals.length >= RECEIVERS) {
        cpuAtLast = cpuByProcess();
        busyAtLast = busySeconds();
        nationLast = Math.max(...arrivals) - nationSent;
        break;
      }
      await sleep(200);
    }
    // Whose CPU the country's emergency took, from the request until the run saw the last channel.
    const sendCpu = { serves: 0, postgres: 0, load: 0, machine: busyAtLast - busyAtSend };
    const servePids = new Set(serves.map((s) => s.child.pid!));
    const holderPids = new Set(holders.map((h) => h.child.pid!));
    for (const [pid, p] of cpuAtLast) {
      const used = p.s - (cpuAtSend.get(pid)?.s ?? 0);
      if (servePids.has(p.group)) sendCpu.serves += used;
      else if (p.name === 'postgres') sendCpu.postgres += used;
      else if (holderPids.has(pid)) sendCpu.load += used;
    }
    await listener.end();
    const afterEventMs = nationLast - (eventAt - nationSent);
    // What each serve measured of its own part: from hearing the event to its lookup done, to its last push.
    const pushTimes = (await Promise.all(serves.map((s) => emergencyPushSeconds(s.url)))).map((after, i) => ({
      lookupMs: (after.lookup - pushTimesBefore[i]!.lookup) * 1000,
      pushedMs: (after.pushed - pushTimesBefore[i]!.pushed) * 1000,
    }));
    progress(
      `province: last channel at ${fmt(provinceLast)} ms (${provinceReached}); country: ${fmt(nationLast)} ms (${nationReached}), ${emergencyEvents} event(s), the last channel ${fmt(afterEventMs)} ms after it`,
    );

    // ---- manifest polling: every receiver once a minute for 20 s, after a tenth of that rate for 20 s,
    // from a process of its own (bench/national/poller.ts)
    const tokensFile = join(dir, 'tokens-all.json');
    writeFileSync(tokensFile, JSON.stringify(tokens));
    const poll = (rate: number, forMs: number) =>
      new Promise<{ achieved: number; errors: Record<string, number>; p50: number; p99: number }>(
        (resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              join(root, 'bench/national/poller.ts'),
              tokensFile,
              serves.map((s) => s.port).join(','),
              String(rate),
              String(forMs),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          children.push(child);
          let out = '';
          child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          child.once('exit', (code) => {
            const line = /POLLED (.*)/.exec(out);
            if (line) resolve(JSON.parse(line[1]!) as never);
            else reject(new Error(`poller exited with ${code}: ${out}`));
          });
        },
      );
    const pollRate = RECEIVERS / 60;
    // The country's emergency sent every channel a new schedule version too: let that settle first.
    await sleep(5000);
    progress('manifest polling');
    const quiet = await poll(pollRate / 10, 20_000);
    const busy = await poll(pollRate, 20_000);
    const errorKinds = Object.entries(busy.errors).map(([kind, n]) => `${kind} × ${n}`);
    const errorCount = Object.values(busy.errors).reduce((a, b) => a + b, 0);
    const pollErrors = `${errorCount} errors${errorKinds.length > 0 ? ` (${errorKinds.join(', ')})` : ''}`;
    progress(
      `polling ${fmt(busy.achieved)} req/s, p50 ${fmt(busy.p50, 1)} ms, p99 ${fmt(busy.p99, 1)} ms, ${pollErrors} (a tenth of the rate: p99 ${fmt(quiet.p99, 1)} ms)`,
    );

    // ---- a dispatcher tick over the whole country
    const tickText = await (await fetch(`${dispatch.url}/metrics`)).text();
    const tickSum = Number(
      /loa_dispatcher_tick_seconds_sum\{[^}]*leader="true"\} ([\d.e-]+)/.exec(tickText)?.[1] ?? NaN,
    );
    const tickCount = Number(
      /loa_dispatcher_tick_seconds_count\{[^}]*leader="true"\} (\d+)/.exec(tickText)?.[1] ?? NaN,
    );

    // ---- audio jobs: a fifth of the queue through one worker (the baseline), then the rest through two,
    // with one serve and one worker killed with -9 meanwhile
    const SOLO = Math.max(2, Math.round(AUDIO_JOBS / 5));
    progress(`queueing ${AUDIO_JOBS} recordings of ${AUDIO_SECONDS} s (${SOLO} through one worker)`);
    await Promise.all(holders.map((h) => h.command('reset', 'OK')));
    const alive = [...serves];
    const ids: string[] = [];
    let uploadRetries = 0;
    const upload = async (n: number) => {
      for (let attempt = 0; ; attempt++) {
        const target = alive[(n + attempt) % alive.length]!;
        try {
          ids.push(await uploadTo(target.url, n, AUDIO_SECONDS));
          return;
        } catch (error) {
          uploadRetries++;
          if (attempt > 10) throw error;
        }
      }
    };
    const jobCounts = async () =>
      Object.fromEntries(
        (await sql.query(`select status, count(*)::int as n from jobs group by status`)).rows.map((r) => [
          r.status,
          r.n,
        ]),
      ) as Record<string, number>;
    await sql.connect();
    // Jobs of the recordings only: those done before (the alert, the bulletin) are not counted.
    const doneBefore = (await jobCounts()).done ?? 0;
    const settled = (counts: Record<string, number>) =>
      (counts.done ?? 0) - doneBefore + (counts.failed ?? 0);
    const audioStart = now();
    for (let n = 1; n <= SOLO; n++) await upload(n);
    while (settled(await jobCounts()) < SOLO) await sleep(250);
    const soloRate = SOLO / ((now() - audioStart) / 60_000);
    progress(`one worker: ${fmt(soloRate, 1)} jobs/min`);

    workers.push(await startWorker(2));
    const duoStart = now();
    let duoRate = NaN;
    let killedServeAt = 0;
    let killedWorkerAt = 0;
    const victim = serves.at(-1)!;
    const rest = AUDIO_JOBS - SOLO;
    const uploads = (async () => {
      for (let n = SOLO + 1; n <= AUDIO_JOBS; n++) {
        await upload(n);
        if (n === SOLO + Math.floor(rest / 4)) {
          killedServeAt = now();
          process.kill(-victim.child.pid!, 'SIGKILL');
          alive.splice(alive.indexOf(victim), 1);
          await Promise.all(
            holders.map((h) => h.command(`ports ${alive.map((s) => s.port).join(',')}`, 'OK')),
          );
        }
      }
    })();
    uploads.catch(() => undefined);
    for (;;) {
      const counts = await jobCounts();
      const done = settled(counts) - SOLO;
      // The worker dies in the middle of a job once half of the rest is done; the rate of two is taken then.
      if (!killedWorkerAt && done >= rest / 2 && (counts.running ?? 0) > 0) {
        killedWorkerAt = now();
        duoRate = done / ((killedWorkerAt - duoStart) / 60_000);
        process.kill(-workers[1]!.child.pid!, 'SIGKILL');
      }
      if (ids.length === AUDIO_JOBS && done >= rest) break;
      progress(`uploaded ${ids.length}, jobs ${JSON.stringify(counts)}`);
      await sleep(1000);
    }
    await uploads;
    const audioMinutes = (now() - audioStart) / 60_000;
    const failedJobs = (await jobCounts()).failed ?? 0;
    const ready = Number(
      (
        await sql.query(
          `select count(*)::int as n from announcements where status = 'ready' and id = any($1)`,
          [ids],
        )
      ).rows[0].n,
    );
    const reports = await report(holders);
    const reconnections = reports.flatMap((r) => r.reconnections);
    const reconnectMs = reconnections.map((r) => r.backAt - killedServeAt).sort((a, b) => a - b);
    const openAfter = reports.reduce((n, r) => n + r.open, 0);

    progress('log events');
    // ---- log events sent while one serve is dead: retried on another, none lost
    const logIds = new Set<string>();
    let logRetries = 0;
    const cocSanTokens = tokens.slice(0, PROVINCE_RECEIVERS);
    const receiverHamlet = (i: number) => cocSanHamlets[i % cocSanHamlets.length]!;
    // The first airing of the emergency in each hamlet (it repeats later).
    const occurrenceOf = new Map<string, string>();
    for (const o of [...occurrences].sort((a, b) => a.at.localeCompare(b.at)))
      if (!occurrenceOf.has(o.hamletId)) occurrenceOf.set(o.hamletId, o.id);
    let logRefused = '';
    const targets = [...serves];
    for (let i = 0; i < 200; i++) {
      const events = Array.from({ length: 10 }, () => {
        const id = randomUUID();
        logIds.add(id);
        return {
          id,
          occurrenceId: occurrenceOf.get(receiverHamlet(i))!,
          type: 'started',
          at: new Date().toISOString(),
        };
      });
      // Sent first to every instance in turn, the dead one included: a refused connection is retried on the next.
      for (let attempt = 0; ; attempt++) {
        const target = targets[(i + attempt) % targets.length]!;
        try {
          const res = await fetch(`${target.url}/api/v1/receiver/logs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${cocSanTokens[i]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          if (res.status !== 200) {
            logRefused = `${res.status} ${await res.text()}`;
            break;
          }
          break;
        } catch {
          logRetries++;
          if (attempt > 10) break;
        }
      }
    }
    const logsStored = Number(
      (
        await sql.query(`select count(*)::int as n from playback_events where event_id = any($1)`, [
          [...logIds],
        ])
      ).rows[0].n,
    );

    // A twentieth prints as 0.05×, not 0.0×.
    const ratio = (value: number, baseline: number) =>
      `${fmt(value / baseline, value / baseline < 0.1 ? 2 : 1)}×`;
    const jitterCeilingMs = 3000;
    const rows: [string, string][] = [
      [
        'receivers holding push channels',
        `${fmt(channelCounts.reduce((a, b) => a + b, 0))} of ${fmt(RECEIVERS)} (${channelCounts.map((n) => fmt(n)).join(' + ')}), opened in ${fmt(connectS, 1)} s`,
      ],
      [
        'memory per serve, idle → with channels',
        serves.map((_, i) => `${fmt(idle[i]!)} → ${fmt(withChannels[i]!)} MB`).join(', '),
      ],
      [
        'memory of dispatch, workers',
        `${fmt(rssMb(dispatch.child.pid!))} MB, ${fmt(rssMb(workers[0]!.child.pid!))} MB`,
      ],
      [
        `emergency to the province (${fmt(PROVINCE_RECEIVERS)} receivers, ${PROVINCE_HAMLETS} hamlets) — baseline`,
        `booked in ${fmt(bookedMs)} ms; last channel ${fmt(provinceLast)} ms after the request (${fmt(provinceReached)} reached)`,
      ],
      [
        `emergency to every receiver (a bulletin to ${fmt(COMMUNES)} communes, ${fmt(HAMLETS)} hamlets)`,
        `sent in ${fmt(sendMs)} ms as ${emergencyEvents} event; last channel ${fmt(nationLast)} ms after the request (${ratio(nationLast, provinceLast)} the province's), ${fmt(afterEventMs)} ms after the event (${fmt(nationReached)} reached)`,
      ],
      [
        '  … each serve, from hearing the event: lookup / last push written',
        pushTimes.map((t) => `${fmt(t.lookupMs)} / ${fmt(t.pushedMs)} ms`).join(', '),
      ],
      [
        '  … CPU from the request until the run saw the last channel',
        `${fmt(sendCpu.machine, 1)} s on the machine: the serves ${fmt(sendCpu.serves, 1)} s, PostgreSQL ${fmt(sendCpu.postgres, 1)} s, the load generators ${fmt(sendCpu.load, 1)} s, the rest ${fmt(sendCpu.machine - sendCpu.serves - sendCpu.postgres - sendCpu.load, 1)} s; the serves and PostgreSQL alone need ${fmt((sendCpu.serves + sendCpu.postgres) / cpus().length, 1)} s at the least on ${cpus().length} cores`,
      ],
      [
        `manifest polling at ${fmt(RECEIVERS)} receivers per minute`,
        `${fmt(busy.achieved)} req/s of ${fmt(pollRate)} wanted; p50 ${fmt(busy.p50, 1)} ms, p99 ${fmt(busy.p99, 1)} ms (${ratio(busy.p99, quiet.p99)} the p99 of ${fmt(quiet.p99, 1)} ms at a tenth of the rate), ${pollErrors}`,
      ],
      ['dispatcher tick (leader)', `${fmt((tickSum / tickCount) * 1000)} ms mean over ${tickCount} ticks`],
      [
        `audio jobs, ${AUDIO_JOBS} × ${AUDIO_SECONDS} s recordings, workers × 1 job`,
        `one worker ${fmt(soloRate, 1)} jobs/min (${SOLO} jobs), two ${fmt(duoRate, 1)} jobs/min (${ratio(duoRate, soloRate)}); all in ${fmt(audioMinutes, 1)} min, ${ready} ready, ${failedJobs} failed`,
      ],
      [
        `kill -9 of serve-${SERVES} (holding 1/${SERVES} of the channels)`,
        `${fmt(reconnections.length)} channels reconnected: p50 ${fmt(quantile(reconnectMs, 0.5))} ms, last ${fmt(reconnectMs.at(-1) ?? NaN)} ms (${ratio(reconnectMs.at(-1) ?? NaN, jitterCeilingMs + idleConnectMs)} the 3 s jitter ceiling + one idle connection of ${fmt(idleConnectMs, 1)} ms); ${fmt(openAfter)} open after; ${uploadRetries} uploads retried, none lost`,
      ],
      [
        'kill -9 of worker-2 in a job',
        `${killedWorkerAt ? 'killed' : 'not killed'}; its job taken over after the lease, ${ready} of ${AUDIO_JOBS} ready`,
      ],
      [
        'log events sent around the dead serve',
        `${fmt(logIds.size)} sent, ${fmt(logsStored)} stored, ${logRetries} batches retried${logRefused && `; refused: ${logRefused}`}`,
      ],
      [
        'load average (1 min) during the run',
        `${fmt(Math.min(...loads), 1)} to ${fmt(Math.max(...loads), 1)}, mean ${fmt(loads.reduce((a, b) => a + b, 0) / loads.length, 1)}, on ${cpus().length} cores`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(
      `\nnational run on ${fmt(COMMUNES)} communes, ${fmt(HAMLETS)} hamlets — ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  } finally {
    killChildren();
    await sql.end().catch(() => undefined);
    await s3.close();
    await sleep(500);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
