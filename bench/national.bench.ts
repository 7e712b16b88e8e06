// `npm run bench:national`: the scale-out profile on this one machine, with a simulated country.
// PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test:
// a fresh database is made and dropped), media in s3rver, three `loa serve` (more when the open-file
// limit needs it), one `loa dispatch`, two `loa worker`, and 3,321 communes, 30,000 hamlets and
// NATIONAL_RECEIVERS receivers (50,000) holding push channels from loopback addresses 127.0.0.2–201.
// Each figure is printed with a baseline measured in the same run (the province's emergency for the
// country's, polling at a tenth of the rate, one worker, one idle connection), and whose CPU the
// country's emergency took, read from /proc. Prints a table for the README; it is not a test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalS3 } from '../test/support/s3.js';
import { api, signIn, uploadRecording } from './national/api.js';
import { seedCountry } from './national/country.js';
import { sendLogsAroundDeadServe } from './national/log-events.js';
import { sendCountryEmergency } from './national/country-emergency.js';
import {
  emergencyPushSeconds,
  killChildren,
  NOFILE,
  poll,
  progress,
  raised,
  report,
  servesFor,
  startHolder,
  startLoa,
} from './national/processes.js';
import { fmt, now, quantile, rssMb, sleep } from './national/util.js';

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
const SERVES = servesFor(RECEIVERS);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

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
    const { tokens, cocSanHamlets } = await seedCountry(shared, dir, {
      communes: COMMUNES,
      hamlets: HAMLETS,
      receivers: RECEIVERS,
      provinceHamlets: PROVINCE_HAMLETS,
      provinceReceivers: PROVINCE_RECEIVERS,
    });

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
    const token = await signIn(serves[0]!.url, 'admin', PASSWORD);
    const uploadTo = (base: string, n: number, seconds: number) => uploadRecording(base, token, n, seconds);
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
    const { sendMs, nationLast, nationReached, emergencyEvents, afterEventMs, sendCpu, pushTimes } =
      await sendCountryEmergency({
        serves,
        holders,
        databaseUrl,
        receivers: RECEIVERS,
        provincePassword: PROVINCE_PASSWORD,
      });
    progress(
      `province: last channel at ${fmt(provinceLast)} ms (${provinceReached}); country: ${fmt(nationLast)} ms (${nationReached}), ${emergencyEvents} event(s), the last channel ${fmt(afterEventMs)} ms after it`,
    );

    // ---- manifest polling: every receiver once a minute for 20 s, after a tenth of that rate for 20 s,
    // from a process of its own (bench/national/poller.ts)
    const tokensFile = join(dir, 'tokens-all.json');
    writeFileSync(tokensFile, JSON.stringify(tokens));
    const ports = serves.map((s) => s.port);
    const pollRate = RECEIVERS / 60;
    // The country's emergency sent every channel a new schedule version too: let that settle first.
    await sleep(5000);
    progress('manifest polling');
    const quiet = await poll(tokensFile, ports, pollRate / 10, 20_000);
    const busy = await poll(tokensFile, ports, pollRate, 20_000);
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
    const logs = await sendLogsAroundDeadServe({
      serves,
      sql,
      tokens: tokens.slice(0, PROVINCE_RECEIVERS),
      hamlets: cocSanHamlets,
      occurrences,
    });

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
        `${fmt(logs.sent)} sent, ${fmt(logs.stored)} stored, ${logs.retries} batches retried${logs.refused && `; refused: ${logs.refused}`}`,
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
