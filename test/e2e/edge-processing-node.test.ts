import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loudgain } from '../media/loudgain.js';
import { speechWav } from '../support/audio-fixtures.js';
import { runLoa } from '../support/serve.js';
import { hasTool } from '../support/tools.js';
import { signInTo, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.js';

const processingToken = 'processing-token-for-tests-0123456789';
const adminPassword = 'admin-password-for-tests';

/**
 * The edge profile as `npx wrangler dev --local` runs it (workerd, local D1 and R2), and a real
 * processing node, `loa worker --edge URL --token T`, doing its audio with this machine's ffmpeg and
 * espeak-ng: a typed text becomes ready, and what the node sends is measured by loudgain.
 */
describe('a processing node for the edge profile', () => {
  let edge: WranglerDev;
  let admin: string;
  let work: string;
  beforeAll(async () => {
    edge = await startWranglerDev({
      LOA_PROCESSING_TOKEN: processingToken,
      LOA_ADMIN_PASSWORD: adminPassword,
    });
    work = await mkdtemp(join(tmpdir(), 'loa-node-'));
    admin = await signInTo(edge.url, 'admin', adminPassword);
  }, 120_000);
  afterAll(async () => {
    await edge?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}, token = admin) =>
    fetch(`${edge.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  const postJson = (path: string, body: unknown, token = admin) =>
    api(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      token,
    );
  const announcement = async (id: string) =>
    (await (await api(`/api/v1/announcements/${id}`)).json()) as {
      status: string;
      error: string | null;
      variants: { status: string; error: string | null; audio: { url: string } | null }[];
    };
  const worker = (node = 'node-test') =>
    runLoa(
      ['worker', '--edge', edge.url, '--token', processingToken, '--node', node, '--work', work, '--once'],
      {
        LOG_LEVEL: 'warn',
      },
    );

  it('refuses a node without the token, and has no job for it when nothing waits', async () => {
    const wrong = await postJson('/api/v1/processing/lease', { node: 'x' }, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A person's session is not a processing token either.
    expect((await postJson('/api/v1/processing/lease', { node: 'x' })).status).toBe(401);
    expect((await postJson('/api/v1/processing/lease', { node: 'x' }, processingToken)).status).toBe(204);
  });

  it.skipIf(!hasTool('loudgain'))(
    'speaks a typed text: queued on the edge, ready once the node has run, on target by loudgain',
    async () => {
      const made = await postJson('/api/v1/announcements', {
        title: 'Họp thôn tối nay',
        language: 'vi',
        category: 'general',
        text: 'Mời bà con thôn Ún Tà đến nhà văn hóa họp lúc 19 giờ 30 tối nay.',
        voice: 'vi',
      });
      expect(made.status).toBe(202);
      const { id, status } = (await made.json()) as { id: string; status: string };
      expect(status).toBe('queued');
      const run = await worker();
      expect(run.code, run.stderr).toBe(0);
      const a = await announcement(id);
      expect(a.status).toBe('ready');
      const audio = await fetch(`${edge.url}${a.variants[0]!.audio!.url}`);
      expect(audio.status).toBe(200);
      const file = join(work, 'spoken.mp3');
      await writeFile(file, new Uint8Array(await audio.arrayBuffer()));
      const measured = await loudgain(file);
      expect(Math.abs(measured.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
      expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    },
    120_000,
  );

  it('levels a recording uploaded unprocessed, and fails a damaged one for good with the reason', async () => {
    const upload = async (bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.set('title', name);
      form.set('language', 'vi');
      form.set('category', 'general');
      form.set('file', new File([bytes], name, { type: 'audio/wav' }));
      const res = await api('/api/v1/announcements', { method: 'POST', body: form });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const good = await upload(speechWav(), 'ghi-am.wav');
    // A WAV header over noise: the sniff at the door lets it in, the node's ffprobe and decode refuse it.
    const noise = new Uint8Array(64_000).map((_, i) => (i * 7919 + 13) % 251);
    noise.set(new TextEncoder().encode('RIFF'), 0);
    noise.set(new TextEncoder().encode('WAVE'), 8);
    const bad = await upload(noise, 'hong.wav');
    const run = await worker();
    expect(run.code, run.stderr).toBe(0);
    expect((await announcement(good)).status).toBe('ready');
    const failed = await announcement(bad);
    expect(failed.status).toBe('failed');
    expect(failed.variants[0]!.error).toMatch(/[ạảãáàâấầẩẫậăắằẳẵặđêếềểễệôốồổỗộơớờởỡợưứừửữự]/);
    // Failed for good: nothing is left for a node.
    expect((await postJson('/api/v1/processing/lease', { node: 'x' }, processingToken)).status).toBe(204);
    // The node keeps no audio of the jobs it did: the edge has it.
    const kept = (await readdir(work, { recursive: true })).filter(
      (f) => /\.(mp3|opus|wav)$/.test(f) && f !== 'spoken.mp3',
    );
    expect(kept).toEqual([]);
  }, 120_000);

  it('takes a result only from the node holding the job', async () => {
    const made = await postJson('/api/v1/announcements', {
      title: 'Thông báo ngắn',
      language: 'vi',
      category: 'general',
      text: 'Xin cảm ơn.',
      voice: 'vi',
    });
    expect(made.status).toBe(202);
    const leased = await postJson('/api/v1/processing/lease', { node: 'node-a' }, processingToken);
    expect(leased.status).toBe(200);
    const lease = (await leased.json()) as { jobId: string; source: { kind: string; text: string } };
    expect(lease.source).toMatchObject({ kind: 'text', text: 'Xin cảm ơn.' });
    const job = encodeURIComponent(lease.jobId);
    const other = await postJson(
      `/api/v1/processing/jobs/${job}/failure`,
      { node: 'node-b', error: 'x' },
      processingToken,
    );
    expect(other.status).toBe(409);
    // node-a gives it back as a passing failure: the job waits for its back-off, the version is queued again.
    const back = await postJson(
      `/api/v1/processing/jobs/${job}/failure`,
      { node: 'node-a', error: 'ffmpeg crashed' },
      processingToken,
    );
    expect(back.status).toBe(200);
    expect(((await back.json()) as { status: string }).status).toBe('failed');
    const { id } = (await made.json()) as { id: string };
    expect((await announcement(id)).status).toBe('queued');
  });
});
