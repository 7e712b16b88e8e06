import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { createHarness, type Harness } from '../support/harness.js';
import { storedMp3, taggedMp3 } from './support/tagged-mp3.js';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * The test's bucket, counting the bytes the Worker takes out of it: a body is handed over 64 KB at a
 * time as it is read, as R2 streams it, and `arrayBuffer()` takes the whole object.
 */
function countingBucket(bucket: Env['MEDIA'], tamper?: (key: string, gets: number) => boolean) {
  const read = { bytes: 0, whole: 0 };
  const gets = new Map<string, number>();
  const counted = (body: ReadableStream<Uint8Array>) => {
    const reader = body.getReader();
    let rest: Uint8Array = new Uint8Array();
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (rest.length === 0) {
            const next = await reader.read();
            if (next.done) return controller.close();
            rest = next.value;
          }
          const slice = rest.subarray(0, 65_536);
          rest = rest.subarray(slice.length);
          read.bytes += slice.length;
          controller.enqueue(slice);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  };
  const counting = {
    head: bucket.head.bind(bucket),
    put: bucket.put.bind(bucket),
    delete: bucket.delete.bind(bucket),
    list: bucket.list.bind(bucket),
    createMultipartUpload: bucket.createMultipartUpload.bind(bucket),
    get: async (key: string, options?: Parameters<Env['MEDIA']['get']>[1]) => {
      const object = await bucket.get(key, options);
      if (!object) return null;
      gets.set(key, (gets.get(key) ?? 0) + 1);
      // Another byte than was stored, as a bucket serving a damaged copy would give.
      const changed = tamper?.(key, gets.get(key)!)
        ? object.body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                const copy = chunk.slice();
                copy[copy.length - 1]! ^= 0x01;
                controller.enqueue(copy);
              },
            }),
          )
        : object.body;
      return {
        key: object.key,
        size: object.size,
        uploaded: object.uploaded,
        get body() {
          return counted(changed);
        },
        arrayBuffer: async () => {
          const whole = await object.arrayBuffer();
          read.bytes += whole.byteLength;
          read.whole += whole.byteLength;
          return whole;
        },
      };
    },
  } as Env['MEDIA'];
  return { bucket: counting, read };
}

/**
 * The edge runs no ffmpeg: an upload that says it is processed already (the upload page levels and
 * encodes in the browser) is decoded in the Worker with mpg123 (WebAssembly) and measured with Loa's
 * meter. On target it is ready at once; anything else is refused with 422 and nothing is kept.
 */
describe('uploads processed in the browser, checked in the Worker', () => {
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const form = (file: Uint8Array, name: string, processed = 'true', title = 'Lịch tiêm phòng') => {
    const data = new FormData();
    data.set('title', title);
    data.set('language', 'vi');
    data.set('category', 'health');
    data.set('processed', processed);
    data.set('file', new File([file], name, { type: 'audio/mpeg' }));
    return data;
  };
  const upload = (data: FormData, path = '/api/v1/announcements') =>
    h.request(path, { method: 'POST', token: h.tokens.secretary, body: data });
  const storedObjects = async () =>
    (await h.runtime.db.kysely.selectFrom('announcements').select('id').execute()).length;

  it('takes an MP3 on target: ready at once, no job queued, the asset playable from R2', async () => {
    const res = await upload(form(bytes(audio.processedMp3), 'thong-bao.mp3'));
    expect(res.status, await res.clone().text()).toBe(202);
    const { id, status } = (await res.json()) as { id: string; status: string };
    expect(status).toBe('ready');
    const jobs = await h.runtime.db.kysely.selectFrom('jobs').select('id').execute();
    expect(jobs).toEqual([]);
    const got = (await (
      await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary })
    ).json()) as {
      status: string;
      variants: {
        status: string;
        audio: { url: string; loudness: { integratedLufs: number; truePeakDbtp: number } };
      }[];
    };
    expect(got.status).toBe('ready');
    const v = got.variants[0]!;
    expect(v.status).toBe('ready');
    expect(Math.abs(v.audio.loudness.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
    expect(v.audio.loudness.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    const media = await h.request(new URL(v.audio.url, 'http://loa.test').pathname);
    expect(media.status).toBe(200);
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(bytes(audio.processedMp3));
  });

  it('refuses what is off target, not MP3, stereo or not audio with 422 and keeps nothing', async () => {
    const before = await storedObjects();
    const originals = async () => (await (env as Env).MEDIA.list({ prefix: 'src/' })).objects.length;
    const originalsBefore = await originals();
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['6 dB too quiet', bytes(audio.quietMp3), 'nho.mp3', /LUFS/],
      ['stereo', bytes(audio.stereoMp3), 'stereo.mp3', /MP3/],
      ['a WAV', bytes(audio.speechWav), 'ghi-am.wav', /MP3/],
      ['a PDF', new TextEncoder().encode('%PDF-1.4\n%%EOF\n'), 'van-ban.mp3', /MP3/],
    ];
    for (const [what, file, name, message] of cases) {
      const res = await upload(form(file, name));
      expect(res.status, what).toBe(422);
      expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string };
      expect(problem.type, what).toBe('urn:loa:problem:not_processed');
      expect(JSON.stringify(problem), what).toMatch(message);
      // The cadre is told what to do, in Vietnamese.
      expect(JSON.stringify(problem), what).toMatch(/gửi lại bản ghi gốc/);
    }
    expect(await storedObjects()).toBe(before);
    expect(await originals()).toBe(originalsBefore);
  });

  it('answers an MP3 sent again under its Idempotency-Key with the first announcement, kept once', async () => {
    const originals = async () => (await (env as Env).MEDIA.list({ prefix: 'src/' })).objects.length;
    const send = () =>
      h.request('/api/v1/announcements', {
        method: 'POST',
        token: h.tokens.secretary,
        body: form(bytes(audio.processedMp3), 'thong-bao.mp3', 'true', 'Họp thôn về làm đường'),
        headers: { 'idempotency-key': 'edge-5c7d9e1f' },
      });
    const first = await send();
    expect(first.status, await first.clone().text()).toBe(202);
    const made = (await first.json()) as { id: string; status: string };
    const before = [await storedObjects(), await originals()];

    const again = await send();
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(made);
    expect([await storedObjects(), await originals()]).toEqual(before);
  });

  it('looks at the first bytes of an unprocessed recording, not the whole of it, to tell what it is', async () => {
    const media = countingBucket((env as Env).MEDIA);
    const runtime = await createEdgeRuntime({ ...(env as Env), MEDIA: media.bucket });
    // Under R2's 5 MiB part, so that it is stored in one put; a recording may be 100 MB, and the isolate
    // has 128 MB for everything it does.
    const wav = new Uint8Array(4.5 * 1024 * 1024);
    wav.set(new TextEncoder().encode('RIFF\x00\x00\x00\x00WAVEfmt '));
    const data = form(wav, 'cuoc-hop.wav', 'false', 'Họp thôn tháng 11');
    const res = await runtime.app.request('/api/v1/announcements', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.secretary}` },
      body: data,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(((await res.json()) as { status: string }).status).toBe('queued');
    expect(media.read.bytes).toBeLessThan(1024 * 1024);

    const pdf = form(new TextEncoder().encode('%PDF-1.4\n%%EOF\n'), 'van-ban.wav', 'false');
    const refused = await runtime.app.request('/api/v1/announcements', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.secretary}` },
      body: pdf,
    });
    expect(refused.status).toBe(415);
  });

  it('streams a processed MP3 into R2: measured and hashed as it is read, copied a part at a time', async () => {
    const media = countingBucket((env as Env).MEDIA);
    const runtime = await createEdgeRuntime({ ...(env as Env), MEDIA: media.bucket });
    // Over R2's 5 MiB part: the copy goes up as a multipart upload, never held whole.
    const mp3 = bytes(audio.processedMp3);
    const file = new Uint8Array(mp3.length * Math.ceil((5.5 * 1024 * 1024) / mp3.length));
    for (let at = 0; at < file.length; at += mp3.length) file.set(mp3, at);
    const res = await runtime.app.request('/api/v1/announcements', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.secretary}` },
      body: form(file, 'ban-tin-dai.mp3', 'true', 'Bản tin dài'),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(((await res.json()) as { status: string }).status).toBe('ready');
    expect(media.read.whole).toBe(0);
    // Read twice as a stream: once to measure and hash, once to copy (and hash again).
    expect(media.read.bytes).toBe(2 * file.length);
    const stored = await storedMp3(file);
    expect(stored?.size).toBe(file.length);
  });

  it('stores nothing when R2 gives other bytes for the copy than it gave for the measurement', async () => {
    const media = countingBucket((env as Env).MEDIA, (key, gets) => key.startsWith('src/') && gets === 2);
    const runtime = await createEdgeRuntime({ ...(env as Env), MEDIA: media.bucket });
    const file = taggedMp3(bytes(audio.processedMp3), 40);
    const before = await storedObjects();
    const res = await runtime.app.request('/api/v1/announcements', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.secretary}` },
      body: form(file, 'thong-bao.mp3', 'true', 'Thông báo hỏng khi chép'),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { type: string }).type).toBe('urn:loa:problem:media_unavailable');
    expect(await storedMp3(file)).toBeNull();
    expect(await storedObjects()).toBe(before);
  });

  it('processes a WAV sent without the claim as before: queued for a processing node', async () => {
    const res = await upload(form(bytes(audio.speechWav), 'ghi-am.wav', 'false'));
    expect(res.status).toBe(202);
    expect(((await res.json()) as { status: string }).status).toBe('queued');
  });
});
