/**
 * `loa serve` killed with -9 in the middle of an audio job, for real: a process (and its ffmpeg) dies
 * holding a job lease, a work folder and a half-received upload. What the next process does with
 * them depends on who it is: the same worker id takes its job back at once and clears its own
 * leftovers; another worker waits for the short lease and spares what may be live work.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegFixture } from '../support/audio-fixtures.js';
import { serveLoa, type RunningServer } from '../support/serve.js';
import { multipartFrame } from '../support/multipart-frame.js';
import { until } from '../support/until.js';

const HOUR = 3600_000;
const password = 'admin-password-for-tests';

/** Five minutes of audio: about five seconds of processing here, long enough to be killed in. */
const recording = ffmpegFixture('killed-serve.mp3', [
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:duration=300',
  '-ac',
  '1',
  '-b:a',
  '64k',
]);

const dirs: string[] = [];
const servers: RunningServer[] = [];
const uploads: ClientRequest[] = [];
afterAll(async () => {
  uploads.forEach((u) => u.destroy());
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function setUp(workerId: string, extra: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'loa-killed-'));
  dirs.push(dir);
  const env = {
    DATA_DIR: join(dir, 'data'),
    MEDIA_DIR: join(dir, 'media'),
    LOA_ADMIN_PASSWORD: password,
    JOB_CONCURRENCY: '1',
    ...extra,
  };
  return { dir, env, tmp: join(dir, 'media', 'tmp'), src: join(dir, 'media', 'src'), workerId };
}

async function serve(env: Record<string, string>): Promise<RunningServer> {
  const server = await serveLoa(env);
  servers.push(server);
  return server;
}

interface JobRow {
  id: string;
  status: string;
  attempts: number;
  leased_by: string | null;
  lease_until: string | null;
  updated_at: string;
}

/** The one job row, read from the service's SQLite file while it runs. */
function jobRow(dataDir: string): JobRow | undefined {
  const db = new SqliteDatabase(join(dataDir, 'loa.sqlite'));
  try {
    return db.prepare('select id, status, attempts, leased_by, lease_until, updated_at from jobs').get() as
      JobRow | undefined;
  } finally {
    db.close();
  }
}

function variantOf(dataDir: string): { status: string; source_key: string; audio_sha256: string | null } {
  const db = new SqliteDatabase(join(dataDir, 'loa.sqlite'));
  try {
    return db.prepare('select status, source_key, audio_sha256 from announcement_variants').get() as never;
  } finally {
    db.close();
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

async function upload(server: RunningServer, token: string): Promise<string> {
  const form = new FormData();
  form.set('title', 'Thông báo dài');
  form.set('language', 'vi');
  form.set('file', new Blob([recording], { type: 'audio/mpeg' }), 'dai.mp3');
  const res = await fetch(`${server.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** An upload that sends the start of its file and then nothing more, as a phone losing its signal. */
function stalledUpload(server: RunningServer, token: string): void {
  const { contentType, head } = multipartFrame({ title: 'Mất sóng' }, { name: 'a.mp3' });
  const req = httpRequest(`${server.url}/api/v1/announcements`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': contentType,
      'content-length': String(10 * 1024 * 1024),
    },
  });
  req.on('error', () => undefined);
  req.write(head);
  req.write(recording.subarray(0, 64 * 1024));
  uploads.push(req);
}

/**
 * Starts a server as `workerId`, sends a long recording and a stalled upload, and kills the server
 * the moment the job has its work folder. Returns what it left: the job's lease, the folder, the
 * temporary upload.
 */
async function killDuringJob(s: Awaited<ReturnType<typeof setUp>>, env: Record<string, string>) {
  const first = await serve(env);
  const token = await signIn(first);
  stalledUpload(first, token);
  const upload1 = await until(
    async () => (await readdir(s.tmp).catch(() => [])).find((n) => /[0-9a-f-]{36}$/.test(n)),
    30_000,
  );
  const id = await upload(first, token);
  const workFolder = await until(
    async () => (await readdir(s.tmp)).find((n) => n.startsWith('job-')),
    30_000,
  );
  // Names tell whose they are without telling the worker id (a host name and a path).
  expect(`${upload1} ${workFolder}`).not.toContain(s.workerId);
  await first.kill();
  const lease = jobRow(env.DATA_DIR!)!;
  expect(lease).toMatchObject({ status: 'running', leased_by: s.workerId, attempts: 1 });
  expect(await readdir(s.tmp)).toEqual(expect.arrayContaining([upload1, workFolder]));
  return { id, lease, killedAt: Date.now(), workFolder, upload: upload1 };
}

describe('loa serve killed with -9 during an audio job', () => {
  it('is taken over at once by the same worker id, which clears its leftovers and unclaimed originals', async () => {
    const s = await setUp('box-a');
    const env = { ...s.env, WORKER_ID: s.workerId };
    const killed = await killDuringJob(s, env);
    // The default lease is short: a minute, not ten.
    const leaseMs = Date.parse(killed.lease.lease_until!) - Date.parse(killed.lease.updated_at);
    expect(leaseMs).toBeGreaterThan(0);
    expect(leaseMs).toBeLessThanOrEqual(60_000);

    // What the media store holds besides: the job's own original (old, in use), an original no
    // announcement took (old: a process died before committing it), one being accepted right now,
    // and another instance's work in progress.
    const source = variantOf(s.env.DATA_DIR).source_key;
    const abandoned = join(s.src, randomUUID());
    const arriving = join(s.src, randomUUID());
    await writeFile(abandoned, 'kept, never committed');
    await writeFile(arriving, 'kept a moment ago');
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
    for (const file of [abandoned, join(s.env.MEDIA_DIR, source)])
      await utimes(file, twoHoursAgo, twoHoursAgo);
    const othersWork = 'job-0badc0de_a1b2c3';
    await mkdir(join(s.tmp, othersWork));
    await writeFile(join(s.tmp, othersWork, 'levelled.f32'), new Uint8Array(16));

    const second = await serve(env);
    const tmpAfterStart = await readdir(s.tmp);
    expect(tmpAfterStart).not.toContain(killed.workFolder);
    expect(tmpAfterStart).not.toContain(killed.upload);
    expect(tmpAfterStart).toContain(othersWork);
    expect((await readdir(s.src)).sort()).toEqual(
      [source.slice('src/'.length), arriving.slice(s.src.length + 1)].sort(),
    );

    const done = await until(() => {
      const row = jobRow(s.env.DATA_DIR);
      return row?.status === 'done' ? row : undefined;
    }, 60_000);
    // Finished before the dead process's lease would even have run out.
    expect(Date.parse(done.updated_at)).toBeLessThan(Date.parse(killed.lease.lease_until!));
    expect(done).toMatchObject({ leased_by: 'box-a', attempts: 2 });
    expect(variantOf(s.env.DATA_DIR)).toMatchObject({ status: 'ready', audio_sha256: expect.any(String) });
    const token = await signIn(second);
    const announcement = await fetch(`${second.url}/api/v1/announcements/${killed.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await announcement.json()).toMatchObject({ status: 'ready', variants: [{ status: 'ready' }] });
    expect(await readdir(s.tmp)).toEqual([othersWork]);
  }, 120_000);

  it('is taken over by another worker id once the short lease has run out, sparing the leftovers', async () => {
    const s = await setUp('box-a');
    const lease = { JOB_LEASE_S: '5' };
    const killed = await killDuringJob(s, { ...s.env, ...lease, WORKER_ID: 'box-a' });
    const leaseUntil = Date.parse(killed.lease.lease_until!);
    expect(leaseUntil - killed.killedAt).toBeLessThanOrEqual(5_000);

    await serve({ ...s.env, ...lease, WORKER_ID: 'box-b' });
    // Seen while it runs: when box-b leased it (a lease sets `updated_at`).
    const taken = await until(() => {
      const row = jobRow(s.env.DATA_DIR);
      return row?.leased_by === 'box-b' ? row : undefined;
    }, 60_000);
    expect(Date.parse(taken.updated_at)).toBeGreaterThanOrEqual(leaseUntil);
    // The queue looks every second when idle.
    expect(Date.parse(taken.updated_at) - leaseUntil).toBeLessThan(5_000);
    const done = await until(() => {
      const row = jobRow(s.env.DATA_DIR);
      return row?.status === 'done' ? row : undefined;
    }, 60_000);
    expect(done).toMatchObject({ leased_by: 'box-b', attempts: 2 });
    expect(variantOf(s.env.DATA_DIR).status).toBe('ready');
    // box-b cannot tell box-a's fresh leftovers from live work: they wait for the hour's bound.
    expect(await readdir(s.tmp)).toEqual(expect.arrayContaining([killed.workFolder, killed.upload]));
  }, 120_000);
});
