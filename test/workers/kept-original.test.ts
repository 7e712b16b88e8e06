import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { D1Binding } from '../../src/db/d1/binding.js';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { createHarness, type Harness } from '../support/harness.js';

const testEnv = env as unknown as Env;
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** `seconds` of a 440 Hz tone as 48 kHz 16-bit mono WAV. */
function toneWav(seconds: number): Uint8Array {
  const samples = seconds * 48_000;
  const wav = new Uint8Array(44 + samples * 2);
  const view = new DataView(wav.buffer);
  const ascii = (at: number, text: string) => wav.set(new TextEncoder().encode(text), at);
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 48_000, true);
  view.setUint32(28, 96_000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++)
    view.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48_000)), true);
  return wav;
}

/**
 * The upload page sends the browser's MP3 first (the version is ready at once), then the original
 * recording: it takes the MP3's place as the version's kept original, so that a retry or a processing
 * node can make the audio again from it.
 */
describe('the original kept after a processed upload', () => {
  let h: Harness;
  const audio = inject('edgeAudio');
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const db = () => h.runtime.db.kysely;
  const originals = async () => (await testEnv.MEDIA.list({ prefix: 'src/' })).objects.map((o) => o.key);
  const fileForm = (file: Uint8Array, name: string, type = 'audio/wav') => {
    const data = new FormData();
    data.set('file', new File([file], name, { type }));
    return data;
  };

  /** A version made ready by the browser's MP3, and the key of the MP3 it keeps as its source for now. */
  async function processedUpload(): Promise<{ id: string; mp3Key: string }> {
    const data = new FormData();
    data.set('title', 'Lịch tiêm phòng');
    data.set('language', 'vi');
    data.set('category', 'health');
    data.set('processed', 'true');
    data.set('file', new File([bytes(audio.processedMp3)], 'thong-bao.mp3', { type: 'audio/mpeg' }));
    const res = await h.request('/api/v1/announcements', {
      method: 'POST',
      token: h.tokens.secretary,
      body: data,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id, status } = (await res.json()) as { id: string; status: string };
    expect(status).toBe('ready');
    return { id, mp3Key: (await source(id)).source_key! };
  }
  const source = (id: string) =>
    db()
      .selectFrom('announcement_variants')
      .select(['source_key', 'source_name', 'probe', 'status'])
      .where('announcement_id', '=', id)
      .executeTakeFirstOrThrow();
  type App = { request(path: string, init: RequestInit): Response | Promise<Response> };
  const sendOriginal = (id: string, form: FormData, token = h.tokens.secretary, app: App = h.runtime.app) =>
    app.request(`/api/v1/announcements/${id}/variants/vi/original`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });

  it('keeps the WAV in the MP3’s place, leaves the version ready, and removes the MP3 copy', async () => {
    const { id, mp3Key } = await processedUpload();
    const res = await sendOriginal(id, fileForm(bytes(audio.speechWav), 'ghi-am.wav'));
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ id, language: 'vi', bytes: bytes(audio.speechWav).length });
    const kept = await source(id);
    expect(kept.status).toBe('ready');
    expect(kept.source_name).toBe('ghi-am.wav');
    expect(kept.source_key).not.toBe(mp3Key);
    expect(JSON.parse(kept.probe!).probe.formatName).toBe('wav');
    const stored = await testEnv.MEDIA.get(kept.source_key!);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes(audio.speechWav));
    expect(await testEnv.MEDIA.head(mp3Key)).toBeNull();
    const audit = await db()
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', id)
      .where('action', '=', 'announcement.keep_original')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('keeps an original larger than the 1 MB that bounds a JSON body, as a minute recorded on a phone is', async () => {
    const { id } = await processedUpload();
    const wav = toneWav(12);
    expect(wav.byteLength).toBeGreaterThan(1024 * 1024);
    const res = await sendOriginal(id, fileForm(wav, 'ghi-am-dai.wav'));
    expect(res.status, await res.clone().text()).toBe(201);
    const kept = await source(id);
    expect(kept.source_name).toBe('ghi-am-dai.wav');
    expect((await testEnv.MEDIA.head(kept.source_key!))?.size).toBe(wav.byteLength);
  });

  it('keeps one original: a second answers 409 and is not stored', async () => {
    const { id } = await processedUpload();
    expect((await sendOriginal(id, fileForm(bytes(audio.speechWav), 'ghi-am.wav'))).status).toBe(201);
    const before = await originals();
    const again = await sendOriginal(id, fileForm(bytes(audio.speechWav), 'lan-hai.wav'));
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await again.json()) as { detailVi: string }).detailVi).toMatch(/đã có bản ghi gốc/);
    expect((await source(id)).source_name).toBe('ghi-am.wav');
    expect(await originals()).toEqual(before);
  });

  it('refuses a file that is not audio with the pipeline’s words and keeps the MP3 as it was', async () => {
    const { id, mp3Key } = await processedUpload();
    const before = await originals();
    const res = await sendOriginal(
      id,
      fileForm(new TextEncoder().encode('%PDF-1.4\n%%EOF\n'), 'van-ban.wav', 'application/pdf'),
    );
    expect(res.status).toBe(415);
    expect((await source(id)).source_key).toBe(mp3Key);
    expect(await originals()).toEqual(before);
  });

  it('answers 503 when D1 cannot be reached, keeping neither the file nor the change', async () => {
    const { id, mp3Key } = await processedUpload();
    const before = await originals();
    const flaky = writesFail(testEnv.DB as unknown as D1Binding);
    const runtime = await createEdgeRuntime({ ...testEnv, DB: flaky.binding as unknown as Env['DB'] });
    // Reads answer, so the checks pass and the file streams into R2; then no write reaches D1.
    flaky.state.down = true;
    const res = await sendOriginal(
      id,
      fileForm(bytes(audio.speechWav), 'ghi-am.wav'),
      h.tokens.secretary,
      runtime.app,
    );
    flaky.state.down = false;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detailVi: string }).detailVi).toMatch(/chưa có gì được lưu/);
    expect((await source(id)).source_key).toBe(mp3Key);
    expect(await originals()).toEqual(before);
  });

  it('answers 503 when R2 fails while the original is written, and changes nothing', async () => {
    const { id, mp3Key } = await processedUpload();
    const before = await originals();
    const broken = {
      ...testEnv.MEDIA,
      head: testEnv.MEDIA.head.bind(testEnv.MEDIA),
      get: testEnv.MEDIA.get.bind(testEnv.MEDIA),
      list: testEnv.MEDIA.list.bind(testEnv.MEDIA),
      delete: testEnv.MEDIA.delete.bind(testEnv.MEDIA),
      put: () => Promise.reject(new Error('R2 internal error')),
      createMultipartUpload: () => Promise.reject(new Error('R2 internal error')),
    } as unknown as Env['MEDIA'];
    const runtime = await createEdgeRuntime({ ...testEnv, MEDIA: broken });
    const res = await sendOriginal(
      id,
      fileForm(bytes(audio.speechWav), 'ghi-am.wav'),
      h.tokens.secretary,
      runtime.app,
    );
    expect(res.status).toBe(503);
    expect((await source(id)).source_key).toBe(mp3Key);
    expect(await originals()).toEqual(before);
  });
});

/** A D1 binding whose writes fail while `down` is set (reads answer), as when D1 is overloaded. */
function writesFail(real: D1Binding) {
  const state = { down: false };
  const fail = () => Promise.reject(new Error('D1_ERROR: Network connection lost.'));
  type Statement = ReturnType<D1Binding['prepare']>;
  const reals = new WeakMap<Statement, Statement>();
  const wrap = (statement: Statement): Statement => {
    const wrapped: Statement = {
      bind: (...values) => wrap(statement.bind(...values)),
      all: () => statement.all(),
      run: () => (state.down ? fail() : statement.run()),
    };
    reals.set(wrapped, statement);
    return wrapped;
  };
  const binding: D1Binding = {
    prepare: (sql) => wrap(real.prepare(sql)),
    batch: (statements) => (state.down ? fail() : real.batch(statements.map((s) => reals.get(s)!))),
  };
  return { binding, state };
}
