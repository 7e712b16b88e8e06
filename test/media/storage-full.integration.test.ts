/**
 * A full disk, for real: small tmpfs mounts (root only). Without the right to mount, the tests are
 * skipped with one line saying so.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeAudioWork } from '../../src/media/audio-work.node.js';
import { resolveFfmpeg, type FfmpegBinaries } from '../../src/media/ffmpeg-binaries.js';
import { createFileMediaStore } from '../../src/media/file-store.node.js';
import { processAudio } from '../../src/media/pipeline.js';
import { StorageFullError } from '../../src/media/storage-full.js';
import { DEFAULT_ENCODING_TARGETS } from '../../src/media/targets.js';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { emptyDisk, mountTmpfs, unmountTmpfs } from '../support/tmpfs.js';
import { createFixtures, type FixtureFactory } from './fixtures.js';

const MiB = 1024 * 1024;

const base = await mkdtemp(join(tmpdir(), 'loa-media-full-'));
/** 2 MiB: room for a 17 s recording, not for its 3.3 MB levelled intermediate. */
const small = join(base, 'small');
/** Room for bytes, but only 16 files and folders. */
const fewInodes = join(base, 'few-inodes');
const refused = (await mountTmpfs(small, 'size=2m')) ?? (await mountTmpfs(fewInodes, 'size=2m,nr_inodes=16'));
if (refused) console.log(`storage-full tests skipped: cannot mount a tmpfs here (${refused})`);

let fixtures: FixtureFactory;
let binaries: FfmpegBinaries;

beforeAll(async () => {
  fixtures = await createFixtures();
  binaries = await resolveFfmpeg(process.env);
});
afterEach(async () => {
  if (refused) return;
  for (const mount of [small, fewInodes]) await emptyDisk(mount);
});
afterAll(async () => {
  await fixtures?.cleanup();
  for (const mount of [small, fewInodes]) await unmountTmpfs(mount);
  await rm(base, { recursive: true, force: true });
});

describe.skipIf(refused !== undefined)('a full media disk', () => {
  it('fails an upload that does not fit with StorageFullError, at the write or at the finish', async () => {
    const media = createFileMediaStore(small);
    const upload = await media.beginUpload();
    const chunk = new Uint8Array(64 * 1024).fill(7);
    const outcome = (async () => {
      for (let written = 0; written < 3 * MiB; written += chunk.length) await upload.write(chunk);
      return upload.finish();
    })();
    await expect(outcome).rejects.toBeInstanceOf(StorageFullError);
    await expect(outcome).rejects.toMatchObject({ retryable: true, cause: { code: 'ENOSPC' } });
  });

  it('reports the free space of its disk, as it fills', async () => {
    const media = createFileMediaStore(small);
    const empty = await media.freeBytes();
    expect(Math.abs((empty ?? 0) - 2 * MiB)).toBeLessThanOrEqual(64 * 1024);
    await writeFile(join(small, 'filler'), new Uint8Array(MiB));
    const after = await media.freeBytes();
    expect(Math.abs((empty ?? 0) - (after ?? 0) - MiB)).toBeLessThanOrEqual(64 * 1024);
  });

  it('fails processing a good recording with StorageFullError when ffmpeg cannot write, never as damaged', async () => {
    const input = await fixtures.get('clippedHot');
    const processing = processAudio({ input, workDir: join(small, 'work'), binaries });
    await expect(processing).rejects.toBeInstanceOf(StorageFullError);
    await expect(processing).rejects.toMatchObject({ retryable: true });
    await expect(processing).rejects.toThrow(/No space left on the media disk while ffmpeg was writing/);
    // The same recording on a disk with room is fine.
    const result = await processAudio({ input, workDir: join(base, 'roomy'), binaries });
    expect(result.outputs).toHaveLength(1);
  });

  it('makes the job see StorageFullError, not a rejected input, for an upload and for a text', async () => {
    const media = createFileMediaStore(small);
    const work = createNodeAudioWork({
      binaries: Promise.resolve(binaries),
      media,
      tts: createEspeakEngine(),
    });
    const key = `src/${randomUUID()}`;
    await mkdir(join(small, 'src'));
    await copyFile(await fixtures.get('clippedHot'), media.pathOf(key));
    const upload = work.process({ kind: 'file', key }, DEFAULT_ENCODING_TARGETS);
    await expect(upload).rejects.toBeInstanceOf(StorageFullError);

    // Filled to the last few kB, the spoken text itself cannot be written.
    await writeFile(join(small, 'filler'), new Uint8Array(2 * MiB - 8 * 1024)).catch(() => undefined);
    const text = work.process(
      { kind: 'text', text: 'Thông báo của Ủy ban nhân dân xã.', voice: 'vi', language: 'vi' },
      DEFAULT_ENCODING_TARGETS,
    );
    await expect(text).rejects.toBeInstanceOf(StorageFullError);
    await expect(text).rejects.toMatchObject({ cause: { code: 'ENOSPC' } });
  });

  it('fails storing an encoded file with StorageFullError when no folder can be made for it', async () => {
    const media = createFileMediaStore(fewInodes);
    const file = await media.scratchPath('mp3');
    await writeFile(file, 'not really an mp3, but bytes to store');
    for (let i = 0; ; i++) {
      const full = await writeFile(join(fewInodes, `f${i}`), '').then(
        () => false,
        () => true,
      );
      if (full) break;
    }
    const stored = media.putAsset(file, 'mp3');
    await expect(stored).rejects.toBeInstanceOf(StorageFullError);
    await expect(stored).rejects.toMatchObject({ cause: { code: 'ENOSPC' } });
  });
});
