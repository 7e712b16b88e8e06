/**
 * A processing node (`loa worker --edge`) killed with -9 after it made the MP3 and while the edge was
 * still taking it, against a stand-in edge that holds that first answer back, so that the moment is
 * certain. The MP3 and everything else of the dead run are cleared when the node starts again under
 * the same name, before it leases anything; the job it then gets again is sent once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAudioTargets } from '../src/domain/commune.js';
import { ownerTag } from '../src/media/orphans.node.js';
import { loaBin } from './support/serve.js';
import { until } from './support/until.js';

const token = 'processing-token-for-tests-0123456789';
const nodeName = 'may-xa-coc-san';
const jobId = 'job-1';

/**
 * The processing lane of an edge deployment with one typed text to speak: leased to whoever asks until
 * a result is taken, as the edge does once a dead node's lease has run out. The first result is held
 * without an answer (the Worker still measuring it); the next ones are taken.
 */
function standInEdge() {
  const seen = { leases: 0, results: 0, taken: 0, failures: 0 };
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://edge').pathname;
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path === '/api/v1/processing/lease') {
        if (seen.taken > 0) return void res.writeHead(204).end();
        seen.leases++;
        return json(200, {
          jobId,
          attempt: seen.leases,
          leaseUntil: new Date(Date.now() + 60_000).toISOString(),
          targets: defaultAudioTargets,
          source: { kind: 'text', text: 'Xin cảm ơn bà con.', voice: 'vi', language: 'vi' },
        });
      }
      if (path === `/api/v1/processing/jobs/${jobId}/lease`) return json(200, { leaseUntil: '' });
      if (path === `/api/v1/processing/jobs/${jobId}/result`) {
        seen.results++;
        if (seen.results === 1) return void held.push(res);
        seen.taken++;
        return json(200, { status: 'ready' });
      }
      if (path === `/api/v1/processing/jobs/${jobId}/failure`) {
        seen.failures++;
        return json(200, { status: 'failed' });
      }
      res.writeHead(404).end();
    });
  });
  return { server, seen, held };
}

describe('a processing node killed with -9 while the edge takes its MP3', () => {
  const edge = standInEdge();
  let url: string;
  let work: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await new Promise<void>((resolve) => edge.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(edge.server.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), 'loa-node-killed-'));
  });
  afterAll(async () => {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    edge.held.forEach((res) => res.destroy());
    edge.server.closeAllConnections();
    await new Promise((resolve) => edge.server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  /** `loa worker --edge …` in its own process group, so that a kill reaches what it started too. */
  function startNode(...extra: string[]) {
    const child = spawn(
      process.execPath,
      [loaBin, 'worker', '--edge', url, '--token', token, '--node', nodeName, '--work', work, ...extra],
      { env: { ...process.env, LOG_LEVEL: 'info' }, detached: true },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const gone = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    return { child, output: () => output, gone };
  }

  it('clears the MP3 it had made at the next start, and sends the job once', async () => {
    const first = startNode();
    await until(() => edge.seen.results === 1 || undefined, 60_000);
    const left = await readdir(work, { recursive: true });
    const mp3 = left.filter((f) => f.endsWith('.mp3'));
    expect(mp3, left.join(', ')).toHaveLength(1);
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.gone;
    expect(await readdir(work, { recursive: true })).toEqual(expect.arrayContaining(mp3));
    // Its name tells whose it is, so that a restart knows it for its own.
    expect(mp3[0]).toMatch(new RegExp(`^tmp/${ownerTag(nodeName)}_[0-9a-f-]{36}\\.mp3$`));

    const second = startNode('--once');
    expect(await second.gone, second.output()).toBe(0);
    expect(second.output()).toMatch(/"files":1[^]*work folder cleared of leftovers/);
    expect(edge.seen).toEqual({ leases: 2, results: 2, taken: 1, failures: 0 });
    expect(second.output().match(/"msg":"job done"/g)).toHaveLength(1);
    // Nothing is left of either run: the edge has the MP3.
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
    expect((await readdir(work, { recursive: true })).filter((f) => f.endsWith('.mp3'))).toEqual([]);
  }, 120_000);
});
