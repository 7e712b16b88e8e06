import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementWithAudio } from '../support/announcement-fixtures.js';
import { speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { createS3Bucket } from '../../src/media/s3-bucket.js';
import { writeObject } from '../../src/media/r2-store.js';
import { s3Credentials, startLocalS3, type LocalS3 } from '../support/s3.js';

const body = async (res: Response) => (await res.json()) as any;

function recording(title: string): FormData {
  const data = new FormData();
  data.set('title', title);
  data.set('language', 'vi');
  data.set('category', 'khac');
  data.set('file', new Blob([speechWav()], { type: 'audio/wav' }), 'ghi-am.wav');
  return data;
}

describe('media in an S3 bucket: uploads, processing and GET /media', () => {
  let s3: LocalS3;
  let h: Harness;
  let presigned: Harness;
  let mp3: { url: string; sha256: string; bytes: number };

  beforeAll(async () => {
    s3 = await startLocalS3();
    h = await createHarness('sqlite', s3.env('province-15'));
    presigned = await createHarness('sqlite', { ...s3.env('province-15'), MEDIA_REDIRECT: 'presigned' });
  });
  afterAll(async () => {
    await h?.close();
    await presigned?.close();
    await s3?.close();
  });

  /** The bucket the service writes to, as a test reads it behind the service's back. */
  const theBucket = () =>
    createS3Bucket({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: 'province-15',
      accessKeyId: s3Credentials.AWS_ACCESS_KEY_ID,
      secretAccessKey: s3Credentials.AWS_SECRET_ACCESS_KEY,
    });

  it('processes an upload kept in the bucket and streams its audio with Range and ETag', async () => {
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: recording('Họp thôn tối nay'),
    });
    expect(res.status).toBe(202);
    const { id } = await body(res);
    await h.runtime.jobs.drain();
    const a = await body(await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary }));
    expect(a.status).toBe('ready');
    mp3 = a.variants[0].audio;
    // Nothing of the upload or the job stays on this instance's disk.
    expect(readdirSync(join(h.runtime.media.root, 'tmp'))).toEqual([]);

    const whole = await h.request(mp3.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${mp3.sha256}"`);
    const bytes = new Uint8Array(await whole.arrayBuffer());
    expect(bytes.length).toBe(mp3.bytes);
    const part = await h.request(mp3.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${mp3.bytes}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    expect((await h.request(mp3.url, { headers: { 'if-none-match': `"${mp3.sha256}"` } })).status).toBe(304);
    expect((await h.request(`/media/${'0'.repeat(64)}.mp3`)).status).toBe(404);
  });

  it('redirects to a short-lived link of the bucket when MEDIA_REDIRECT=presigned', async () => {
    // The same bucket under another database: content there uses the audio too.
    await announcementWithAudio(presigned, 'same-audio', mp3);
    const res = await presigned.request(mp3.url);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/province-15/`)).toBe(true);
    expect(location).toContain('X-Amz-Expires=300');
    const fetched = await fetch(location, { headers: { range: 'bytes=0-9' } });
    expect(fetched.status).toBe(206);
    expect((await fetched.arrayBuffer()).byteLength).toBe(10);
    expect((await presigned.request(`/media/${'0'.repeat(64)}.mp3`)).status).toBe(404);

    // A HEAD (a podcast app checking an enclosure) is answered here: a link signed for GET would be
    // refused by the bucket for a HEAD.
    const head = await presigned.request(mp3.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(mp3.bytes));
    expect(head.headers.get('content-type')).toBe('audio/mpeg');

    // Withdrawn, it gets no link any more (the bucket would serve anyone holding one).
    const withdrawn = await presigned.request('/api/v1/announcements/same-audio/withdraw', {
      method: 'POST',
      token: presigned.tokens.officer,
    });
    expect(withdrawn.status).toBe(200);
    const refused = await presigned.request(mp3.url);
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();
    expect((await presigned.request(mp3.url, { method: 'HEAD' })).status).toBe(404);
  });

  it('stores a recording long enough to go up in parts with its audio type, as players fetch it from the bucket', async () => {
    const bucket = theBucket();
    // Twelve minutes of 64 kbit/s MP3 are over 5 MB: more than one part.
    const bytes = new Uint8Array(6 * 1024 * 1024).fill(0x55);
    const target = writeObject(bucket, 'test/long.mp3', { contentType: 'audio/mpeg' });
    await target.write(bytes);
    expect(await target.finish()).toBe(bytes.length);
    const fetched = await fetch(await bucket.presign('test/long.mp3', 60), { method: 'GET' });
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('audio/mpeg');
    expect((await fetched.arrayBuffer()).byteLength).toBe(bytes.length);
  });

  it('shows "audio missing" for audio deleted behind its back, and a retry makes it again from the original', async () => {
    const bucket = theBucket();
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: recording('Lịch tiêm phòng'),
    });
    const { id } = await body(res);
    await h.runtime.jobs.drain();
    const get = async () =>
      body(await h.request(`/api/v1/announcements/${id}`, { token: h.tokens.secretary }));
    const ready = await get();
    const audio = ready.variants[0].audio;
    const keyOf = (sha: string, ext: string) => `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}.${ext}`;
    await bucket.delete(keyOf(audio.sha256, audio.format));

    const missing = await get();
    expect(missing.status).toBe('failed');
    expect(missing.variants[0].status).toBe('failed');
    expect(missing.error).toContain('Mất âm thanh');
    const retried = await h.request(`/api/v1/announcements/${id}/retry`, {
      method: 'POST',
      token: h.tokens.secretary,
    });
    expect(retried.status).toBe(202);
    await h.runtime.jobs.drain();
    const again = await get();
    expect(again.status).toBe('ready');
    expect((await h.request(again.variants[0].audio.url)).status).toBe(200);

    // Without its original, the retry fails at once and says to upload it again.
    const originals = await bucket.list({ prefix: 'src/' });
    await bucket.delete(originals.objects.map((o) => o.key));
    await bucket.delete(keyOf(again.variants[0].audio.sha256, 'mp3'));
    expect((await get()).status).toBe('failed');
    h.clock.advance(60_000);
    await h.request(`/api/v1/announcements/${id}/retry`, { method: 'POST', token: h.tokens.secretary });
    await h.runtime.jobs.drain();
    const gone = await get();
    expect(gone.status).toBe('failed');
    expect(gone.error).toContain('Hãy tải tệp ghi âm lên lại');
  });

  it('answers an upload with 503 when the bucket fails, and keeps nothing of it', async () => {
    const before = await body(await h.request('/api/v1/announcements', { token: h.tokens.secretary }));
    await s3.close();
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: recording('Không lưu được'),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('retry-after')).toBeTruthy();
    const after = await body(await h.request('/api/v1/announcements', { token: h.tokens.secretary }));
    expect(after.items.length).toBe(before.items.length);
    expect(readdirSync(join(h.runtime.media.root, 'tmp'))).toEqual([]);
  });
});

describe('a bucket that cannot be used stops the start', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3();
  });
  afterAll(() => s3?.close());

  it('names the credentials when the store refuses them', async () => {
    await expect(createHarness('sqlite', { ...s3.env(), AWS_ACCESS_KEY_ID: 'NOT-A-KEY' })).rejects.toThrow(
      /AWS_ACCESS_KEY_ID: the object store refused the credentials/,
    );
  });

  it('names the endpoint when nothing answers there', async () => {
    await expect(createHarness('sqlite', { ...s3.env(), S3_ENDPOINT: 'http://127.0.0.1:9' })).rejects.toThrow(
      /S3_ENDPOINT: the object store at http:\/\/127.0.0.1:9 cannot be reached/,
    );
  });

  it('wants the keys when MEDIA_URL names a bucket', async () => {
    await expect(createHarness('sqlite', { MEDIA_URL: 's3://loa-media' })).rejects.toThrow(
      /AWS_ACCESS_KEY_ID: must be set when MEDIA_URL is an s3:\/\/ bucket/,
    );
  });
});
