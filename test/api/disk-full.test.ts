/**
 * A media disk that fills up, for real: the media folder of a running service on a small tmpfs
 * (root only; skipped with one line otherwise). Uploads that do not fit answer 507 and leave
 * nothing; processing waits for space instead of failing; the health check and the office's
 * monitor page show low space.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegFixture } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startRealServer, type RealServer } from '../support/real-server.js';
import { emptyDisk, fillDisk, mountTmpfs, unmountTmpfs } from '../support/tmpfs.js';
import { multipartFrame } from '../support/multipart-frame.js';

const MiB = 1024 * 1024;
const base = await mkdtemp(join(tmpdir(), 'loa-disk-full-'));
/** 2 MiB: a 3 MiB upload does not fit. */
const small = join(base, 'small');
/** 8 MiB: room for a short recording and its processing, until it is filled. */
const roomy = join(base, 'roomy');
const refused = (await mountTmpfs(small, 'size=2m')) ?? (await mountTmpfs(roomy, 'size=8m'));
if (refused) console.log(`disk-full tests skipped: cannot mount a tmpfs here (${refused})`);

/** A real three-second recording (a tone), 130 kB as WAV: a 48 kHz float intermediate is 576 kB. */
const recording = ffmpegFixture('disk-full-tone.wav', [
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=523:duration=3',
  '-ac',
  '1',
  '-ar',
  '22050',
]);

function uploadForm(): FormData {
  const form = new FormData();
  form.set('title', 'Lịch tiêm phòng gia súc');
  form.set('language', 'vi');
  form.set('category', 'nong-nghiep');
  form.set('file', new Blob([recording], { type: 'audio/wav' }), 'ghi-am.wav');
  return form;
}

/**
 * POSTs a multipart upload of `bytes` over a real connection and resolves with the answer as soon as
 * it comes, even while the body is still being sent (a server may answer an upload before reading
 * all of it, and then stop reading).
 */
function postUpload(
  url: string,
  token: string,
  bytes: Uint8Array,
): Promise<{ status: number; type: string; body: string }> {
  const { contentType, head, tail } = multipartFrame(
    { title: 'Bản ghi dài', language: 'vi', category: 'chung' },
    { name: 'dai.wav', type: 'audio/wav' },
  );
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/v1/announcements`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': contentType,
        'content-length': String(head.length + bytes.length + tail.length),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body: text });
        req.destroy();
      });
    });
    // Writing on after the answer may meet a closed connection: the answer is what counts.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    req.write(head);
    for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
    req.end(tail);
  });
}

afterAll(async () => {
  for (const mount of [small, roomy]) await unmountTmpfs(mount);
  await rm(base, { recursive: true, force: true });
});

describe.skipIf(refused !== undefined)('a full media disk, seen from the service', () => {
  describe('on a 2 MiB disk', () => {
    let h: Harness;
    let server: RealServer;
    beforeAll(async () => {
      h = await createHarness('sqlite', { MEDIA_DIR: small, MEDIA_MIN_FREE_MB: '1' });
      server = await startRealServer(h);
    });
    afterAll(async () => {
      await server?.stop();
      await h?.close();
    });
    afterEach(async () => {
      for (const name of await readdir(small)) if (name === 'filler') await rm(join(small, name));
    });

    const tmpFiles = () => readdir(join(small, 'tmp')).catch(() => []);

    it('answers an upload that fills the disk with 507 in Vietnamese, keeps nothing, and serves on', async () => {
      const answer = await postUpload(server.url, h.tokens.secretary, new Uint8Array(3 * MiB).fill(7));
      expect(answer.status, answer.body).toBe(507);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(answer.body) as Record<string, unknown>;
      expect(problem).toMatchObject({ type: 'urn:loa:problem:storage_full', status: 507 });
      expect(problem.detailVi).toMatch(/^Ổ đĩa lưu âm thanh của máy chủ đã đầy\./);
      expect(problem.detailVi).toMatch(/báo cán bộ kỹ thuật/);
      expect(await tmpFiles()).toEqual([]);
      expect(await readdir(small)).toEqual(['tmp']);
      const list = await h.request('/api/v1/announcements', { token: h.tokens.secretary });
      expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);

      // The disk has its room back: the next upload, over the network too, is accepted.
      const next = await fetch(`${server.url}/api/v1/announcements`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.secretary}` },
        body: uploadForm(),
      });
      expect(next.status, await next.clone().text()).toBe(202);
    });

    it('reports the free space in /healthz, degraded below MEDIA_MIN_FREE_MB, with no path in it', async () => {
      const healthy = await fetch(`${server.url}/healthz`);
      const ok = (await healthy.json()) as { status: string; media: Record<string, unknown> };
      expect(healthy.status).toBe(200);
      expect(ok.status).toBe('ok');
      expect(ok.media).toMatchObject({ ok: true, freeBytes: expect.any(Number) });
      expect(ok.media.freeBytes as number).toBeGreaterThan(MiB);
      expect(ok.media.freeBytes as number).toBeLessThanOrEqual(2 * MiB);

      await fillDisk(small, 512 * 1024);
      const low = await fetch(`${server.url}/healthz`);
      const text = await low.text();
      expect(low.status).toBe(503);
      const degraded = JSON.parse(text) as { status: string; media: Record<string, unknown> };
      expect(degraded.status).toBe('degraded');
      expect(degraded.media).toMatchObject({ ok: false, detail: expect.stringMatching(/below the 1 MB/) });
      expect(degraded.media.freeBytes as number).toBeLessThan(MiB);
      expect(text).not.toContain(base);
    });

    it('warns the office on the monitor page, in Vietnamese, while space is low', async () => {
      const monitor = () =>
        fetch(`${server.url}/giam-sat`, { headers: { authorization: `Bearer ${h.tokens.officer}` } });
      const roomyPage = await (await monitor()).text();
      expect(roomyPage).not.toContain('id="low-disk"');

      await fillDisk(small, 512 * 1024);
      const page = await monitor();
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/id="low-disk"[^>]*>Ổ đĩa lưu âm thanh của máy chủ sắp đầy: chỉ còn 0 MB trống/);
      expect(html).toContain('cần ít nhất 1 MB');
      expect(html).toContain('Hãy báo cán bộ kỹ thuật giải phóng dung lượng.');
    });
  });

  describe('while processing', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness('sqlite', { MEDIA_DIR: roomy, MEDIA_MIN_FREE_MB: '0' });
    });
    afterAll(async () => {
      await h?.close();
      await emptyDisk(roomy);
    });

    const announcement = async (id: string) =>
      (await (await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary })).json()) as {
        status: string;
        error: string | null;
        variants: { status: string; error: string | null }[];
      };
    const job = () =>
      h.runtime.db.kysely
        .selectFrom('jobs')
        .select(['status', 'attempts', 'run_at', 'last_error'])
        .executeTakeFirstOrThrow();

    it('keeps the job waiting with back-off, says why in Vietnamese, and processes it once space is freed', async () => {
      const accepted = await h.request('/api/v1/announcements', {
        method: 'POST',
        token: h.tokens.secretary,
        body: uploadForm(),
      });
      expect(accepted.status).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      // The disk fills up before the job runs: its levelled intermediate does not fit.
      const filler = await fillDisk(roomy, 128 * 1024);

      // 30 s, 1 min, 2 min … at most 10 minutes between looks at the disk.
      const backoffS = [30, 60, 120, 240, 480, 600, 600];
      // Longer than the job's five attempts: waiting for space never fails a good recording.
      for (let attempt = 1; attempt <= backoffS.length; attempt++) {
        await h.runtime.jobs.drain();
        const waiting = await announcement(id);
        expect(waiting.status).toBe('queued');
        expect(waiting.variants[0]).toMatchObject({
          status: 'queued',
          error: expect.stringMatching(/^Ổ đĩa đầy, đang chờ để xử lý lại\./),
        });
        expect(waiting.error).toMatch(/^vi: Ổ đĩa đầy, đang chờ để xử lý lại\./);
        const row = await job();
        expect(row).toMatchObject({ status: 'queued', last_error: expect.stringMatching(/No space left/) });
        expect(Number(row.attempts)).toBe(attempt);
        expect(Date.parse(row.run_at) - h.clock.now().getTime()).toBe(backoffS[attempt - 1]! * 1000);
        expect(await readdir(join(roomy, 'tmp'))).toEqual([]);
        h.clock.advance(backoffS[attempt - 1]! * 1000);
      }

      await rm(filler);
      await h.runtime.jobs.drain();
      const ready = await announcement(id);
      expect(ready).toMatchObject({
        status: 'ready',
        error: null,
        variants: [{ status: 'ready', error: null }],
      });
      expect(await job()).toMatchObject({ status: 'done', last_error: null });
    });
  });
});
