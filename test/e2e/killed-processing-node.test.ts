/**
 * A processing node (`loa worker --edge`) killed with -9 in the middle of a job, for real: the node and
 * its ffmpeg die holding the edge's lease, the original it fetched and a work folder. Started again
 * under the same name, it clears what its dead run left before it leases anything, spares another
 * node's fresh work in the same folder, and does the job once the dead run's lease has run out.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerTag } from '../../src/media/orphans.node.js';
import { ffmpegFixture } from '../support/audio-fixtures.js';
import { loaBin } from '../support/serve.js';
import { signInTo, startWranglerDev, wranglerBin, type WranglerDev } from '../support/wrangler-dev.js';
import { until } from '../support/until.js';

const processingToken = 'processing-token-for-tests-0123456789';
const adminPassword = 'admin-password-for-tests';
const nodeName = 'may-xa-coc-san';
const HOUR = 3600_000;

/** Five minutes of audio: seconds of ffmpeg work, long enough to be killed in. */
const recording = ffmpegFixture('killed-node.mp3', [
  ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=300'],
  ...['-ac', '1', '-b:a', '64k'],
]);

interface Node {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly gone: Promise<void>;
}

describe('a processing node killed with -9 during a job', () => {
  let edge: WranglerDev;
  let admin: string;
  let work: string;
  const nodes: Node[] = [];

  beforeAll(async () => {
    edge = await startWranglerDev({
      LOA_PROCESSING_TOKEN: processingToken,
      LOA_ADMIN_PASSWORD: adminPassword,
    });
    work = await mkdtemp(join(tmpdir(), 'loa-killed-node-'));
    admin = await signInTo(edge.url, 'admin', adminPassword);
  }, 120_000);
  afterAll(async () => {
    for (const n of nodes) {
      try {
        process.kill(-n.child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await edge?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** `loa worker --edge …` in its own process group, so that a kill reaches its ffmpeg too. */
  function startNode(): Node {
    const child = spawn(
      process.execPath,
      [loaBin, 'worker', '--edge', edge.url, '--token', processingToken, '--node', nodeName, '--work', work],
      { env: { ...process.env, LOG_LEVEL: 'info' }, detached: true },
    );
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const node = {
      child,
      output: () => output,
      gone: new Promise<void>((r) => child.once('close', () => r())),
    };
    nodes.push(node);
    return node;
  }

  const announcement = async (id: string) =>
    (await (
      await fetch(`${edge.url}/api/v1/announcements/${id}`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { status: string; variants: { id: string; status: string }[] };

  /** The edge's job rows, read from the local D1 `wrangler dev` is using (asked again while it is busy). */
  async function jobsOf(variantId: string): Promise<{ status: string; attempts: number }[]> {
    const args = [
      ...[wranglerBin, 'd1', 'execute', 'loa', '--json', '--local', '--persist-to', edge.state, '--command'],
      `select status, attempts from jobs where data like '%${variantId}%'`,
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        const out = execFileSync(process.execPath, args, { stdio: 'pipe' }).toString();
        return (JSON.parse(out) as { results: { status: string; attempts: number }[] }[])[0]!.results;
      } catch (error) {
        if (attempt === 10 || !String((error as { stderr?: Buffer }).stderr).includes('SQLITE_BUSY'))
          throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  it('clears its dead run’s leftovers at the next start, and the job is then done once', async () => {
    const form = new FormData();
    form.set('title', 'Thông báo dài');
    form.set('language', 'vi');
    form.set('category', 'general');
    form.set('file', new File([recording], 'dai.mp3', { type: 'audio/mpeg' }));
    const made = await fetch(`${edge.url}/api/v1/announcements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    expect(made.status, await made.clone().text()).toBe(202);
    const { id } = (await made.json()) as { id: string };
    const variantId = (await announcement(id)).variants[0]!.id;

    const tmp = join(work, 'tmp');
    const tag = ownerTag(nodeName);
    const first = startNode();
    const workFolder = await until(
      async () => (await readdir(tmp).catch(() => [])).find((n) => n.startsWith(`job-${tag}_`)),
      60_000,
    );
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.gone;
    const killedAt = Date.now();
    const left = await readdir(tmp);
    const source = left.find((n) => n.startsWith(`${tag}_`));
    expect(source, left.join(', ')).toBeDefined();
    expect(left).toContain(workFolder);
    expect(await jobsOf(variantId)).toEqual([{ status: 'running', attempts: 1 }]);

    // Another node working in the same folder: its fresh work is live, its two-hour-old upload is not.
    const othersWork = 'job-0badc0de_a1b2c3';
    await mkdir(join(tmp, othersWork));
    await writeFile(join(tmp, othersWork, 'levelled.f32'), new Uint8Array(16));
    const othersOld = `0badc0de_${randomUUID()}`;
    await writeFile(join(tmp, othersOld), 'a dead node’s upload');
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
    await utimes(join(tmp, othersOld), twoHoursAgo, twoHoursAgo);

    const second = startNode();
    // Cleared at start, long before the dead run's lease (a minute) lets the job be leased again.
    await until(async () => {
      const now = await readdir(tmp);
      return !now.includes(workFolder) && !now.includes(source!) && !now.includes(othersOld);
    }, 20_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(await readdir(tmp)).toEqual([othersWork]);
    expect((await announcement(id)).status).not.toBe('ready');

    await until(async () => (await announcement(id)).status === 'ready' || undefined, 150_000);
    expect(await jobsOf(variantId)).toEqual([{ status: 'done', attempts: 2 }]);
    // The node logs the job after the edge has taken it: the status can be seen first.
    await until(() => second.output().includes('"msg":"job done"') || undefined, 10_000);
    // Nothing of the finished job stays on the node once its clean-up has run: the edge has the MP3.
    const kept = async () =>
      (await readdir(work, { recursive: true })).filter((f) => /\.(mp3|opus|wav)$|_[0-9a-f-]{36}/.test(f));
    await until(async () => (await kept()).length === 0 || undefined, 10_000).catch(() => undefined);
    expect(await kept()).toEqual([]);
    expect(await readdir(tmp)).toEqual([othersWork]);

    second.child.kill('SIGTERM');
    await second.gone;
    expect(second.output().match(/"msg":"job done"/g), second.output()).toHaveLength(1);
  }, 300_000);
});
