import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementWithAudio } from '../support/announcement-fixtures.js';
import { ffmpegFixture, speechWav } from '../support/audio-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const body = async (res: Response) => (await res.json()) as any;

function form(
  fields: Record<string, string>,
  file?: { bytes: Uint8Array; name: string; type?: string },
): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  if (file)
    data.set('file', new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  return data;
}

describe('announcements: upload, text, processing, approval, media', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { UPLOAD_LIMIT_MB: '2' });
  });
  afterAll(() => h.close());

  const mediaFiles = (sub: 'tmp' | 'src') => {
    try {
      return readdirSync(join(h.runtime.media.root, sub));
    } catch {
      return [];
    }
  };
  const upload = (token: string, data: FormData, path = '/api/v1/announcements') =>
    h.request(path, { method: 'POST', token, body: data });
  const get = async (id: string, token = h.tokens.secretary) =>
    body(await h.request(`/api/v1/announcements/${id}`, { token }));

  let readyId: string;

  it('accepts a phone recording at once (202), processes it as a job, and reports loudness before → after', async () => {
    const res = await upload(
      h.tokens.secretary,
      form(
        { title: 'Lịch tiêm phòng gia súc', language: 'vi', category: 'nong-nghiep' },
        { bytes: speechWav(), name: 'ghi âm.wav', type: 'audio/wav' },
      ),
    );
    expect(res.status).toBe(202);
    const accepted = await body(res);
    expect(accepted).toEqual({ id: expect.any(String), status: 'queued' });
    expect((await get(accepted.id)).status).toBe('queued');

    await h.runtime.jobs.drain();
    const a = await get(accepted.id);
    expect(a).toMatchObject({ status: 'ready', approval: 'pending', hamletId: 'un-ta', error: null });
    const [variant] = a.variants;
    expect(variant).toMatchObject({ language: 'vi', status: 'ready', source: 'upload' });
    expect(variant.audio.format).toBe('mp3');
    expect(variant.audio.url).toBe(`/media/${variant.audio.sha256}.mp3`);
    expect(Math.abs(variant.audio.loudness.integratedLufs + 16)).toBeLessThanOrEqual(0.5);
    expect(variant.audio.loudness.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    expect(variant.audio.source.codec).toBe('pcm_s16le');
    expect(variant.audio.source.integratedLufs).not.toBeCloseTo(-16, 0);
    expect(variant.audio.peaks.length).toBeGreaterThan(100);
    expect(variant.audio.durationMs).toBeGreaterThan(1000);
    expect(mediaFiles('tmp')).toEqual([]);
    readyId = accepted.id;
  });

  it('keeps every upload as its own original on Node: a later original answers 409 and nothing is stored', async () => {
    const before = mediaFiles('src').length;
    const res = await upload(
      h.tokens.secretary,
      form({}, { bytes: speechWav(), name: 'goc.wav', type: 'audio/wav' }),
      `/api/v1/announcements/${readyId}/variants/vi/original`,
    );
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await body(res)).detailVi).toMatch(/đã có bản ghi gốc/);
    expect(mediaFiles('src')).toHaveLength(before);
    expect(mediaFiles('tmp')).toEqual([]);
    // A version the caller has not: 404, as for reading it.
    const missing = await upload(
      h.tokens.secretary,
      form({}, { bytes: speechWav(), name: 'goc.wav', type: 'audio/wav' }),
      `/api/v1/announcements/${readyId}/variants/hmong/original`,
    );
    expect(missing.status).toBe(404);
  });

  it('is idempotent: processing the same variant again stores no second asset', async () => {
    const db = h.runtime.db.kysely;
    const before = await db.selectFrom('audio_assets').select('sha256').execute();
    const variant = await db
      .selectFrom('announcement_variants')
      .select(['id', 'audio_sha256'])
      .where('announcement_id', '=', readyId)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('announcement_variants')
      .set({ status: 'queued' })
      .where('id', '=', variant.id)
      .execute();
    await h.runtime.jobs.enqueue(
      { name: 'process-variant', data: { variantId: variant.id } },
      { id: `again-${variant.id}` },
    );
    await h.runtime.jobs.drain();
    const after = await db.selectFrom('audio_assets').select('sha256').execute();
    expect(after.map((a) => a.sha256).sort()).toEqual(before.map((a) => a.sha256).sort());
    const again = await db
      .selectFrom('announcement_variants')
      .select(['status', 'audio_sha256'])
      .where('id', '=', variant.id)
      .executeTakeFirstOrThrow();
    expect(again).toEqual({ status: 'ready', audio_sha256: variant.audio_sha256 });
  });

  it('serves the audio with ETag, caching that checks again, and byte ranges', async () => {
    const { audio } = (await get(readyId)).variants[0];
    const whole = await h.request(audio.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    expect(whole.headers.get('cache-control')).toBe('public, no-cache');
    expect(whole.headers.get('etag')).toBe(`"${audio.sha256}"`);
    const bytes = new Uint8Array(await whole.arrayBuffer());
    expect(bytes.length).toBe(audio.bytes);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    expect(digest).toBe(audio.sha256);

    const part = await h.request(audio.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${audio.bytes}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100, 200));
    const tail = await h.request(audio.url, { headers: { range: `bytes=${audio.bytes - 10}-` } });
    expect((await tail.arrayBuffer()).byteLength).toBe(10);
    expect((await h.request(audio.url, { headers: { range: `bytes=${audio.bytes + 5}-` } })).status).toBe(
      416,
    );
    expect((await h.request(audio.url, { headers: { 'if-none-match': `"${audio.sha256}"` } })).status).toBe(
      304,
    );
    expect(
      (await h.request(audio.url, { headers: { 'if-none-match': `"other", W/"${audio.sha256}"` } })).status,
    ).toBe(304);
    // A range that cannot be read as one is ignored, as HTTP asks: the whole file, not an error.
    for (const range of ['bytes=0-9,20-29', 'bytes=200-100', 'items=0-9']) {
      const ignored = await h.request(audio.url, { headers: { range } });
      expect(ignored.status).toBe(200);
      expect((await ignored.arrayBuffer()).byteLength).toBe(audio.bytes);
    }
    expect((await h.request(`/media/${'0'.repeat(64)}.mp3`)).status).toBe(404);
    expect((await h.request('/media/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
  });

  it('answers a HEAD of the audio with its size and opens no file for it', async () => {
    // Larger than a stream's first read, which would otherwise reach the end and close the file itself.
    const file = join(h.runtime.config.MEDIA_DIR, 'head-check.bin');
    writeFileSync(file, randomBytes(1 << 20));
    const stored = await h.runtime.media.putAsset(file, 'mp3');
    // Served only while content uses it.
    await announcementWithAudio(h, 'head-check', stored);
    const audio = { url: `/media/${stored.sha256}.mp3`, bytes: stored.bytes };
    const descriptors = () => readdirSync('/proc/self/fd').length;
    const before = descriptors();
    for (let i = 0; i < 40; i++) {
      const head = await h.request(audio.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(audio.bytes));
    }
    const part = await h.request(audio.url, { method: 'HEAD', headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-length')).toBe('100');
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${audio.bytes}`);
    // A stream's file opens on a later turn of the event loop: give it those turns before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(descriptors() - before).toBeLessThan(20);
  });

  it('turns a typed text into speech, and adds a second-language recording as a variant', async () => {
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      json: {
        title: 'Họp thôn',
        language: 'vi',
        text: 'Lúc 7h30 ngày 28/11/2026, UBND xã họp tại nhà văn hóa thôn Ún Tà.',
        voice: 'vi-vn-x-central',
      },
    });
    expect(res.status).toBe(202);
    const { id } = await body(res);
    const variant = await upload(
      h.tokens.secretary,
      form(
        { language: 'giay' },
        { bytes: speechWav('Thông báo bằng tiếng Giáy.', 'giay'), name: 'giay.wav' },
      ),
      `/api/v1/announcements/${id}/variants`,
    );
    expect(variant.status).toBe(202);
    await h.runtime.jobs.drain();
    const a = await get(id);
    expect(a.status).toBe('ready');
    expect(a.variants.map((v: any) => [v.language, v.source, v.status])).toEqual([
      ['vi', 'text', 'ready'],
      ['giay', 'upload', 'ready'],
    ]);
    const again = await upload(
      h.tokens.secretary,
      form({ language: 'giay' }, { bytes: speechWav('Lần nữa.', 'giay2'), name: 'giay.wav' }),
      `/api/v1/announcements/${id}/variants`,
    );
    expect(again.status).toBe(409);

    // Approval gates scheduling; once approved, each hamlet plays its own languages in its own order.
    const at = '2026-12-01T09:00:00+07:00';
    const early = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: id, hamletIds: ['un-ta'], at },
    });
    expect(early.status).toBe(422);
    expect((await body(early)).detailVi).toMatch(/chưa được văn phòng xã duyệt/);
    expect(
      (await h.request(`/api/v1/announcements/${id}/approve`, { method: 'POST', token: h.tokens.secretary }))
        .status,
    ).toBe(403);
    const approved = await h.request(`/api/v1/announcements/${id}/approve`, {
      method: 'POST',
      token: h.tokens.officer,
    });
    expect((await body(approved)).approval).toBe('approved');
    const scheduled = await h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.officer,
      json: { announcementId: id, hamletIds: ['un-ta', 'thon-4'], at },
    });
    expect(scheduled.status).toBe(201);
    const [vi, giay] = a.variants.map((v: any) => v.audio.durationMs);
    const durations = Object.fromEntries(
      (await body(scheduled)).occurrences.map((o: any) => [o.hamletId, o.durationMs]),
    );
    expect(durations).toEqual({ 'un-ta': vi + giay, 'thon-4': vi });
  });

  it('keeps approval apart from processing: reject with a reason, audit rows written', async () => {
    const res = await h.request(`/api/v1/announcements/${readyId}/reject`, {
      method: 'POST',
      token: h.tokens.officer,
      json: { reason: 'Sai ngày họp' },
    });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({
      status: 'ready',
      approval: 'rejected',
      approvalReason: 'Sai ngày họp',
    });
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', readyId)
      .execute();
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['announcement.create', 'announcement.reject']),
    );
    expect(
      (
        await h.request(`/api/v1/announcements/${readyId}/reject`, {
          method: 'POST',
          token: h.tokens.officer,
          json: { reason: '  ' },
        })
      ).status,
    ).toBe(400);
  });

  describe('bad input: 4xx problem+json with an actionable message, nothing left on disk, server healthy', () => {
    const meta = { title: 'Thông báo', language: 'vi', category: 'chung' };
    const png = ffmpegFixture('image.png', ['-f', 'lavfi', '-i', 'color=c=red:s=32x32', '-frames:v', '1']);
    const cases: [string, () => FormData, number, RegExp][] = [
      ['a zero-byte file', () => form(meta, { bytes: new Uint8Array(0), name: 'empty.mp3' }), 422, /0 byte/],
      ['a PNG renamed .mp3', () => form(meta, { bytes: png, name: 'anh.mp3', type: 'audio/mpeg' }), 415, /./],
      [
        'a PDF renamed .mp3',
        () =>
          form(meta, {
            bytes: new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n'),
            name: 'vanban.mp3',
          }),
        415,
        /./,
      ],
      [
        'a WAV header with garbage',
        () => {
          const wav = speechWav('Một hai ba', 'garbage');
          const garbage = wav.slice();
          garbage.set(randomBytes(garbage.length - 44), 44);
          return form(meta, { bytes: garbage, name: 'hong.wav' });
        },
        415,
        /./,
      ],
      [
        'a video with no audio',
        () =>
          form(meta, {
            bytes: ffmpegFixture('video.mp4', [
              '-f',
              'lavfi',
              '-i',
              'testsrc=s=64x64:d=1',
              '-pix_fmt',
              'yuv420p',
            ]),
            name: 'video.mp4',
          }),
        415,
        /./,
      ],
      [
        '12 channels',
        () =>
          form(meta, {
            bytes: ffmpegFixture('twelve.wav', [
              '-f',
              'lavfi',
              '-i',
              `aevalsrc=${Array(12).fill('sin(440*2*PI*t)').join('|')}:s=8000:d=1`,
            ]),
            name: '12.wav',
          }),
        422,
        /12/,
      ],
      [
        // A tap on the record button: ffmpeg 5.1's dynaudnorm crashed on it in every retry.
        'a recording of a tenth of a second',
        () =>
          form(meta, {
            bytes: ffmpegFixture('tap.wav', ['-f', 'lavfi', '-i', 'sine=f=440:r=22050', '-t', '0.1']),
            name: 'tap.wav',
          }),
        422,
        /quá ngắn/,
      ],
      [
        'a 3-hour file',
        () =>
          form(meta, {
            bytes: ffmpegFixture('long.flac', [
              '-f',
              'lavfi',
              '-i',
              'anullsrc=r=8000:cl=mono',
              '-t',
              '10800',
              '-c:a',
              'flac',
            ]),
            name: 'dai.flac',
          }),
        422,
        /3 giờ/,
      ],
      [
        'a file name with ../',
        () => form(meta, { bytes: speechWav('a', 'p1'), name: '../../etc/passwd.wav' }),
        400,
        /tên tệp|file name/i,
      ],
      [
        'a file name with NUL',
        () => form(meta, { bytes: speechWav('a', 'p2'), name: 'a\u0000b.wav' }),
        400,
        /./,
      ],
      [
        'a 300-character file name',
        () => form(meta, { bytes: speechWav('a', 'p3'), name: `${'a'.repeat(296)}.wav` }),
        400,
        /255/,
      ],
      [
        'a title of only spaces',
        () => form({ ...meta, title: '    ' }, { bytes: speechWav('a', 'p4'), name: 'a.wav' }),
        400,
        /title/,
      ],
      [
        'a language no hamlet uses',
        () => form({ ...meta, language: 'fr' }, { bytes: speechWav('a', 'p5'), name: 'a.wav' }),
        422,
        /fr/,
      ],
      ['no file at all', () => form(meta), 400, /file/],
      [
        'a file over the size limit',
        () => form(meta, { bytes: new Uint8Array(3 * 1_048_576).fill(7), name: 'big.wav' }),
        413,
        /2 MB/,
      ],
    ];

    it.each(cases)('%s', async (_name, make, status, pattern) => {
      const res = await upload(h.tokens.secretary, make());
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(text).toMatch(pattern);
      expect(mediaFiles('tmp')).toEqual([]);
      expect((await h.request('/healthz')).status).toBe(200);
    });

    it('refuses empty and over-long texts', async () => {
      const post = (text: string) =>
        h.request('/api/v1/announcements', {
          method: 'POST',
          token: h.tokens.secretary,
          json: { title: 'T', language: 'vi', text },
        });
      expect((await post('   ')).status).toBe(400);
      // Refused, never cut, with the limit and the count in both languages.
      const long = await post('Thông báo. '.repeat(5000));
      expect(long.status).toBe(400);
      const problem = await body(long);
      expect(problem.detail).toMatch(/at most 5000 characters; this text has 54999/);
      expect(problem.errors).toEqual([
        {
          field: 'text',
          message: expect.stringContaining('this text has 54999'),
          messageVi:
            'Văn bản dài 54999 ký tự, vượt giới hạn 5000 ký tự. Hãy rút gọn hoặc chia thành nhiều thông báo.',
        },
      ]);
      expect(problem.detailVi).toContain('Văn bản dài 54999 ký tự, vượt giới hạn 5000 ký tự.');
      expect((await post('a'.repeat(5001))).status).toBe(400);
      // Nothing a voice could read: refused at once, in words for a typed text, not after a failed job.
      for (const nothing of ['...', '—', '😀😀', '\u200b']) {
        const refused = await post(nothing);
        expect(refused.status, nothing).toBe(400);
        expect((await body(refused)).errors).toEqual([
          {
            field: 'text',
            message: 'has no letter or digit to read',
            messageVi: 'Văn bản không có chữ hay số nào để đọc. Hãy gõ nội dung thông báo.',
          },
        ]);
      }
    });

    it('leaves the kept originals of refused uploads nowhere', async () => {
      const before = mediaFiles('src').length;
      await upload(h.tokens.secretary, form(meta, { bytes: png, name: 'x.mp3' }));
      expect(mediaFiles('src').length).toBe(before);
    });
  });

  it('fails at once, asking for the recording again, when the original is gone from the store, and retries on request once it is back', async () => {
    const res = await upload(
      h.tokens.secretary,
      form(
        { title: 'Mất tệp', language: 'vi', category: 'chung' },
        { bytes: speechWav('Một hai ba bốn năm.', 'lost'), name: 'a.wav' },
      ),
    );
    expect(res.status).toBe(202);
    const { id } = await body(res);
    const variant = await h.runtime.db.kysely
      .selectFrom('announcement_variants')
      .select('source_key')
      .where('announcement_id', '=', id)
      .executeTakeFirstOrThrow();
    const original = h.runtime.media.pathOf(variant.source_key!);
    const kept = readFileSync(original);
    // The store answers that the original is not there: no back-off helps, the office is told at once.
    rmSync(original);
    await h.runtime.jobs.drain();
    const failed = await get(id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Không tìm thấy bản ghi gốc/);
    const job = await h.runtime.db.kysely
      .selectFrom('jobs')
      .select(['status', 'attempts'])
      .where('id', 'like', `process-variant:%`)
      .where('status', '=', 'failed')
      .execute();
    expect(job.some((j) => j.attempts === 1)).toBe(true);

    writeFileSync(original, kept);
    const retry = await h.request(`/api/v1/announcements/${id}/retry`, {
      method: 'POST',
      token: h.tokens.secretary,
    });
    expect(retry.status).toBe(202);
    expect((await get(id)).status).toBe('queued');
    await h.runtime.jobs.drain();
    expect((await get(id)).status).toBe('ready');
  });
});
