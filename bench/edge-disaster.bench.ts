/**
 * From an officer issuing a disaster bulletin to the bulletin being on the air (booked, its header spoken):
 *
 *   - Node profile (`loa start`): the header is spoken by espeak-ng and the pipeline inside the request,
 *     which answers 201 with the bulletin on the air (the baseline);
 *   - edge profile (`wrangler dev --local`) with one processing node (`loa worker --edge`, polling every
 *     2 s) on the same machine: the request answers 202, the node leases the header, speaks it with the same
 *     pipeline and posts the MP3, which the Worker measures before it books the bulletin.
 *
 * Each bulletin replaces the one before it in the same event, as a storm's bulletins do. Run:
 * `npm run bench:edge-disaster` (about 2 minutes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loaBin, serveLoa } from '../test/support/serve.js';
import { startWranglerDev } from '../test/support/wrangler-dev.js';

const password = 'bench-admin-password';
const processingToken = 'bench-processing-token-0123456789';
const RUNS = 6;
const work = mkdtempSync(join(tmpdir(), 'loa-bench-edge-disaster-'));

interface Api {
  post(path: string, body: unknown): Promise<Response>;
  get(path: string): Promise<Response>;
}

async function signIn(base: string): Promise<Api> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const { token } = (await res.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    post: (path, body) => fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }),
    get: (path) => fetch(`${base}${path}`, { headers }),
  };
}

const until = async (what: string, check: () => Promise<boolean>, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A typed bulletin, spoken and approved, and an event for it. */
async function prepare(api: Api): Promise<{ announcementId: string; eventId: string }> {
  const made = await api.post('/api/v1/announcements', {
    title: 'Bản tin bão số 3',
    language: 'vi',
    category: 'thien-tai',
    text: 'Bão số 3 đang đi vào vùng biển vịnh Bắc Bộ. Bà con không ra suối, gia cố nhà cửa.',
    voice: 'vi',
  });
  const { id } = (await made.json()) as { id: string };
  await until('content ready', async () => {
    const a = (await (await api.get(`/api/v1/announcements/${id}`)).json()) as { status: string };
    return a.status === 'ready';
  });
  await api.post(`/api/v1/announcements/${id}/approve`, {});
  const event = await api.post('/api/v1/disaster/events', { name: 'Bão số 3', hazardType: 'storm' });
  return { announcementId: id, eventId: ((await event.json()) as { id: string }).id };
}

/** Issues bulletin n and waits until it is on the air; seconds. */
async function issue(api: Api, p: { announcementId: string; eventId: string }, n: number): Promise<number> {
  const started = performance.now();
  const res = await api.post(`/api/v1/disaster/events/${p.eventId}/bulletins`, {
    announcementId: p.announcementId,
    riskLevel: 3,
    agency: 'Đài Khí tượng Thủy văn tỉnh Lào Cai',
    // A different minute each time, so each header is a new text to speak (no content-addressed reuse).
    issuedAt: new Date(Date.now() - (60 - n) * 60_000).toISOString(),
    hamletIds: ['un-ta'],
  });
  if (res.status !== 201 && res.status !== 202) throw new Error(`${res.status} ${await res.text()}`);
  await until(`bulletin ${n} on the air`, async () => {
    const e = (await (await api.get(`/api/v1/disaster/events/${p.eventId}`)).json()) as {
      bulletins: { sequence: number }[];
    };
    return e.bulletins.some((b) => b.sequence === n);
  });
  return (performance.now() - started) / 1000;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const node = await serveLoa({
    DATA_DIR: join(work, 'data'),
    MEDIA_DIR: join(work, 'media'),
    LOA_ADMIN_PASSWORD: password,
    LOG_LEVEL: 'info',
  });
  const nodeTimes: number[] = [];
  try {
    const api = await signIn(node.url);
    const p = await prepare(api);
    for (let n = 1; n <= RUNS; n++) nodeTimes.push(await issue(api, p, n));
  } finally {
    await node.stop();
  }

  const edge = await startWranglerDev({
    LOA_PROCESSING_TOKEN: processingToken,
    LOA_ADMIN_PASSWORD: password,
  });
  const worker = spawn(
    process.execPath,
    [
      loaBin,
      'worker',
      '--edge',
      edge.url,
      '--token',
      processingToken,
      '--node',
      'bench',
      '--work',
      join(work, 'node'),
    ],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: 'ignore' },
  );
  const edgeTimes: number[] = [];
  try {
    const api = await signIn(edge.url);
    const p = await prepare(api);
    for (let n = 1; n <= RUNS; n++) edgeTimes.push(await issue(api, p, n));
  } finally {
    worker.kill('SIGTERM');
    await edge.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const base = median(nodeTimes);
  const row = (name: string, xs: readonly number[]) =>
    `${name.padEnd(46)} ${median(xs).toFixed(2).padStart(6)} s ×${(median(xs) / base).toFixed(2)}   (${xs.map((x) => x.toFixed(2)).join(', ')})`;
  console.log(`from issuing a bulletin to it being on the air, median of ${RUNS} (each run)`);
  console.log(row('Node, header spoken in the request (baseline)', nodeTimes));
  console.log(row('edge, header spoken by a processing node', edgeTimes));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
