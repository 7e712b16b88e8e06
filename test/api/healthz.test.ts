import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { createHarness, type Harness } from '../support/harness.js';

/** The health check is public: it names what runs, never where it lives on disk. */
describe('GET /healthz', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h?.close());

  it('says which database and which ffmpeg version, with no file path', async () => {
    const res = await h.request('/healthz');
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { database: { detail: string }; ffmpeg: { detail: string } };
    expect(body.database.detail).toBe('sqlite');
    expect(body.ffmpeg.detail).toMatch(/^\S+ \((env|path|npm)\)$/);
    const { ffmpeg, ffprobe } = await resolveFfmpeg({ FFMPEG_PATH: h.runtime.config.FFMPEG_PATH });
    for (const path of [
      h.runtime.config.DATA_DIR,
      resolve(h.runtime.config.DATA_DIR),
      h.runtime.config.MEDIA_DIR,
      ffmpeg,
      ffprobe,
    ]) {
      expect(text).not.toContain(path);
    }
    expect(text).not.toContain('/');
  });
});

describe('GET /healthz with a broken ffmpeg', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'loa-no-ffmpeg-'));
  const ffmpeg = join(dir, 'ffmpeg');
  beforeAll(async () => {
    // A file that is not executable: the configured ffmpeg cannot run.
    writeFileSync(ffmpeg, 'not a program');
    h = await createHarness('sqlite', { FFMPEG_PATH: ffmpeg });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 without naming the path it was given', async () => {
    const res = await h.request('/healthz');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'degraded', ffmpeg: { ok: false } });
    expect(text).not.toContain(dir);
    expect(text).not.toContain(h.runtime.config.DATA_DIR);
    expect(text).not.toContain('/');
  });
});
