/**
 * The scale-out profile's processes for real: `loa serve`, `loa worker` and `loa dispatch` spawned
 * against one PostgreSQL database and one S3 bucket, each doing only its part; a worker stopped with
 * SIGTERM in the middle of a job hands it back and exits within its bound; a stopping `serve` closes
 * push channels with a `retry:` hint.
 */
import pg from 'pg';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegFixture, speechWav } from '../support/audio-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { serveLoa, type RunningServer } from '../support/serve.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

const password = 'admin-password-for-tests';
const enabled = Boolean(process.env.TEST_DATABASE_URL);
if (!enabled) process.stdout.write('Process-role tests skipped: they need PostgreSQL (TEST_DATABASE_URL).\n');

/** Five minutes of audio: a few seconds of processing, long enough to stop a worker in. */
const longRecording = ffmpegFixture('process-roles-long.mp3', [
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=330:duration=300',
  '-ac',
  '1',
  '-b:a',
  '64k',
]);

let database: TestDatabase;
let s3: LocalS3;
let dir: string;
let sql: pg.Client;
const processes: RunningServer[] = [];

beforeAll(async () => {
  if (!enabled) return;
  database = await createTestDatabase('postgres');
  s3 = await startLocalS3();
  dir = await mkdtemp(join(tmpdir(), 'loa-roles-'));
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  if (!enabled) return;
  await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
  await sql?.end();
  await s3?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** One process of the profile, each with its own scratch folder: nothing is shared on disk. */
async function start(
  command: 'serve' | 'worker' | 'dispatch',
  name: string,
  extra: Record<string, string> = {},
) {
  const running = await serveLoa(
    {
      ...s3.env('roles'),
      DATABASE_URL: database.url!,
      DATA_DIR: join(dir, name, 'data'),
      MEDIA_DIR: join(dir, name, 'scratch'),
      LOA_ADMIN_PASSWORD: password,
      LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-for-tests',
      WORKER_ID: name,
      LOG_LEVEL: 'info',
      ...extra,
    },
    command,
  );
  processes.push(running);
  return running;
}

async function until<T>(condition: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signIn(server: RunningServer): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  return ((await res.json()) as { token: string }).token;
}

async function upload(
  server: RunningServer,
  token: string,
  bytes: Uint8Array,
  name: string,
): Promise<string> {
  const form = new FormData();
  form.set('title', `Thông báo ${name}`);
  form.set('language', 'vi');
  form.set('file', new Blob([bytes]), name);
  const res = await fetch(`${server.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const metric = async (server: RunningServer, line: RegExp) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.match(line)?.[1] ?? 0);
};

/**
 * One request on a raw kept-alive connection: the answer's `Keep-Alive` header, then how long after the
 * answer the server closes the idle connection (`close`; `end` closes it from this side instead).
 */
function keptAlive(
  server: RunningServer,
): Promise<{ header: string | undefined; closed: Promise<number>; end: () => void }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let head = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk;
      if (!head.includes('\r\n\r\n')) return;
      const answeredAt = Date.now();
      resolve({
        header: /^keep-alive: (.*)$/im.exec(head)?.[1]?.trim(),
        closed: new Promise((closed) => socket.once('close', () => closed(Date.now() - answeredAt))),
        end: () => socket.destroy(),
      });
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: loa\r\nConnection: keep-alive\r\n\r\n');
  });
}

describe.runIf(enabled)('serve, worker and dispatch as separate processes on one PostgreSQL', () => {
  let serve: RunningServer;
  let token: string;

  it('serves HTTP without processing audio; a worker processes it; one of two dispatchers leads', async () => {
    serve = await start('serve', 'serve-1');
    token = await signIn(serve);
    const id = await upload(serve, token, speechWav(), 'ngan.wav');
    // Nobody processes it while no worker runs.
    await new Promise((r) => setTimeout(r, 1500));
    const job = await sql.query(`select status from jobs`);
    expect(job.rows.map((r) => r.status)).toEqual(['queued']);

    const worker = await start('worker', 'worker-1', { JOB_CONCURRENCY: '1' });
    const ready = await until(async () => {
      const a = (await (
        await fetch(`${serve.url}/api/v1/announcements/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { status: string };
      return a.status === 'ready' && a;
    }, 60_000);
    expect(ready.status).toBe('ready');
    expect(
      await metric(
        worker,
        /loa_job_duration_seconds_count\{role="worker",name="process-variant",outcome="done"\} (\d+)/,
      ),
    ).toBe(1);
    expect(await metric(serve, /loa_job_duration_seconds_count\{[^}]*\} (\d+)/)).toBe(0);
    // The worker answers only for its health and metrics.
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/api/v1/hamlets`)).status).toBe(404);

    const first = await start('dispatch', 'dispatch-1');
    await until(
      () => metric(first, /loa_dispatcher_tick_seconds_count\{role="dispatch",leader="true"\} (\d+)/),
      30_000,
    );
    const second = await start('dispatch', 'dispatch-2');
    await until(
      () => metric(second, /loa_dispatcher_tick_seconds_count\{role="dispatch",leader="false"\} (\d+)/),
      30_000,
    );
    expect(
      await metric(second, /loa_dispatcher_tick_seconds_count\{role="dispatch",leader="true"\} (\d+)/),
    ).toBe(0);
    expect(await metric(serve, /loa_dispatcher_tick_seconds_count\{[^}]*\} (\d+)/)).toBe(0);
    await worker.stop();
  }, 120_000);

  it('keeps an idle connection open for KEEP_ALIVE_S, longer than a reverse proxy keeps its own', async () => {
    // Node's own 5 s would have nginx (60 s) send requests on connections Loa is closing.
    const kept = await keptAlive(serve);
    expect(kept.header).toBe('timeout=75');
    kept.end();
    const short = await start('worker', 'worker-keep-alive', { KEEP_ALIVE_S: '1' });
    const idle = await keptAlive(short);
    expect(idle.header).toBe('timeout=1');
    const closedAfterMs = await idle.closed;
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(5000);
    await short.stop();
  }, 60_000);

  it('hands a job back on SIGTERM and exits within its bound; another worker finishes it', async () => {
    const worker = await start('worker', 'worker-2', { JOB_CONCURRENCY: '1', SHUTDOWN_TIMEOUT_S: '2' });
    const id = await upload(serve, token, longRecording, 'dai.mp3');
    await until(async () => {
      const row = await sql.query(`select status, leased_by from jobs`);
      return row.rows.some((r) => r.status === 'running' && r.leased_by === 'worker-2');
    }, 30_000);
    const stoppedAt = Date.now();
    await worker.stop();
    const tookMs = Date.now() - stoppedAt;
    expect(tookMs).toBeLessThan(3000);
    expect(worker.output()).toContain('jobs handed back');
    const back = await sql.query(`select status, leased_by from jobs where status <> 'done'`);
    expect(back.rows).toEqual([{ status: 'queued', leased_by: null }]);

    await start('worker', 'worker-3', { JOB_CONCURRENCY: '1' });
    const done = await until(async () => {
      const a = (await (
        await fetch(`${serve.url}/api/v1/announcements/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { status: string };
      return a.status !== 'queued' && a.status !== 'processing' && a;
    }, 90_000);
    expect(done.status).toBe('ready');
  }, 150_000);

  it('closes push channels with a retry hint when serve stops', async () => {
    const res = await fetch(`${serve.url}/api/v1/receivers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hamletId: 'un-ta', name: 'Loa cổng thôn' }),
    });
    const receiver = (await res.json()) as { token: string };
    const events = await fetch(`${serve.url}/api/v1/receiver/events`, {
      headers: { authorization: `Bearer ${receiver.token}` },
    });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(async () => text.includes('event: schedule'), 5000);
    const stoppedAt = Date.now();
    await serve.stop();
    await read;
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    const hints = [...text.matchAll(/retry: (\d+)/g)].map((m) => Number(m[1]));
    // The hint on connecting, then the one of the shutdown, within the spread.
    expect(hints.length).toBe(2);
    expect(hints[1]).toBeGreaterThanOrEqual(750);
    expect(hints[1]).toBeLessThanOrEqual(3000);
  }, 30_000);
});
