import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/ports/unavailable.js';
import { createFileMediaStore, type FileMediaStore } from '../../src/media/file-store.node.js';
import { createS3Bucket, type S3Bucket } from '../../src/media/s3-bucket.js';
import { createS3NodeMediaStore } from '../../src/media/s3-store.node.js';
import { s3Credentials, startLocalS3, type LocalS3 } from '../support/s3.js';

/** What each backend shows the contract: its store, and the objects it keeps for good. */
interface Backend {
  readonly store: FileMediaStore;
  /** Keys of what is kept (originals and audio), relative to the store. */
  kept(): Promise<string[]>;
  /** Removes a kept object behind the store's back. */
  removeBehind(key: string): Promise<void>;
  /** Local files left in the work area. */
  scratch(): Promise<string[]>;
}

async function filesUnder(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? filesUnder(root, join(dir, e.name)) : [relative(root, join(dir, e.name))],
    ),
  );
  return nested.flat().sort();
}

let base: string;
let s3: LocalS3;
let bucket: S3Bucket;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'loa-contract-'));
  s3 = await startLocalS3();
  bucket = createS3Bucket({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: 'contract',
    accessKeyId: s3Credentials.AWS_ACCESS_KEY_ID,
    secretAccessKey: s3Credentials.AWS_SECRET_ACCESS_KEY,
  });
});
afterAll(async () => {
  await s3?.close();
  await rm(base, { recursive: true, force: true });
});

const backends: Record<string, () => Promise<Backend>> = {
  disk: async () => {
    const root = await mkdtemp(join(base, 'disk-'));
    return {
      store: createFileMediaStore(root),
      kept: async () => (await filesUnder(root)).filter((f) => !f.startsWith('tmp/')),
      removeBehind: (key) => rm(join(root, key)),
      scratch: async () => filesUnder(join(root, 'tmp')),
    };
  },
  s3: async () => {
    const scratchRoot = await mkdtemp(join(base, 's3-scratch-'));
    const all = async () => {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix: '', ...(cursor && { cursor }) });
        keys.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return keys.sort();
    };
    // Each test starts from an empty bucket folder.
    await bucket.delete(await all());
    return {
      store: createS3NodeMediaStore(bucket, scratchRoot),
      kept: all,
      removeBehind: (key) => bucket.delete(key),
      scratch: async () => filesUnder(join(scratchRoot, 'tmp')),
    };
  },
};

const assetPathOf = (sha256: string, ext: string) =>
  `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${ext}`;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe.each(Object.keys(backends))('the media store contract on %s', (name) => {
  const open = backends[name]!;

  it('streams an upload in chunks, keeps it as an original, and gives it back whole for processing', async () => {
    const { store, kept, scratch } = await open();
    // 12 MiB in 256 KiB chunks: more than two 5 MiB parts of a multipart upload.
    const bytes = randomBytes(12 * 1024 * 1024);
    const target = await store.beginUpload();
    for (let at = 0; at < bytes.length; at += 256 * 1024)
      await target.write(bytes.subarray(at, at + 256 * 1024));
    expect(await target.finish()).toBe(bytes.length);
    const key = await store.keepUpload(target.key);
    expect(key).toMatch(/^src\/[0-9a-f-]{36}$/);
    expect(await kept()).toEqual([key]);
    expect(await scratch()).toEqual([]);
    const work = await store.makeWorkFolder();
    const local = await store.localSource(key, work);
    expect((await readFile(local)).equals(bytes)).toBe(true);
    await rm(work, { recursive: true, force: true });
  });

  it('stores encoded audio under its hash, answers head and byte ranges, and the same content twice is one object', async () => {
    const { store, kept } = await open();
    const audio = randomBytes(300_000);
    const first = await store.scratchPath('mp3');
    await writeFile(first, audio);
    const stored = await store.putAsset(first, 'mp3');
    const second = await store.scratchPath('mp3');
    await writeFile(second, audio);
    const again = await store.putAsset(second, 'mp3');
    expect(again).toEqual(stored);
    expect(stored.bytes).toBe(audio.length);
    expect(await kept()).toEqual([assetPathOf(stored.sha256, 'mp3')]);

    expect(await store.sizeOfAsset(stored.sha256, 'mp3')).toBe(audio.length);
    const whole = await store.openAsset(stored.sha256, 'mp3');
    expect(whole!.size).toBe(audio.length);
    expect((await readAll(whole!.body)).equals(audio)).toBe(true);
    const range = await store.openAsset(stored.sha256, 'mp3', { start: 1000, end: 1999 });
    expect(range!.size).toBe(1000);
    expect((await readAll(range!.body)).equals(audio.subarray(1000, 2000))).toBe(true);
  });

  it('answers null for audio that is not there, also when it was deleted behind its back', async () => {
    const { store, removeBehind } = await open();
    const missing = 'f'.repeat(64);
    expect(await store.sizeOfAsset(missing, 'mp3')).toBeNull();
    expect(await store.openAsset(missing, 'mp3')).toBeNull();
    const file = await store.scratchPath('opus');
    await writeFile(file, randomBytes(2000));
    const stored = await store.putAsset(file, 'opus');
    await removeBehind(assetPathOf(stored.sha256, 'opus'));
    expect(await store.sizeOfAsset(stored.sha256, 'opus')).toBeNull();
    expect(await store.openAsset(stored.sha256, 'opus', { start: 0, end: 9 })).toBeNull();
  });

  it('deletes a kept original and lists the old ones for the sweep', async () => {
    const { store, kept } = await open();
    const target = await store.beginUpload();
    await target.write(randomBytes(1000));
    await target.finish();
    const key = await store.keepUpload(target.key);
    const listed: string[] = [];
    for await (const batch of store.keptOriginals(-60_000)) listed.push(...batch);
    expect(listed).toEqual([key]);
    await store.discard(key);
    await store.discard(key);
    expect(await kept()).toEqual([]);
  });

  it('leaves nothing of an upload given up half-way', async () => {
    const { store, kept, scratch } = await open();
    const target = await store.beginUpload();
    await target.write(randomBytes(6 * 1024 * 1024));
    await (target.abort ? target.abort() : target.finish());
    await store.discard(target.key);
    expect(await kept()).toEqual([]);
    expect(await scratch()).toEqual([]);
  });
});

describe('the S3 store when the bucket fails', () => {
  it('keeps no part of an original whose upload fails after the first part, and says the store is unavailable', async () => {
    const scratchRoot = await mkdtemp(join(base, 's3-failing-'));
    let parts = 0;
    // The store's connection breaks after the first 5 MiB part has gone.
    const failing = createS3Bucket(
      {
        endpoint: s3.endpoint,
        region: 'us-east-1',
        bucket: s3.bucket,
        prefix: 'failing',
        accessKeyId: s3Credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: s3Credentials.AWS_SECRET_ACCESS_KEY,
      },
      async (input, init) => {
        const request = new Request(input, init);
        if (request.url.includes('partNumber=') && ++parts > 1)
          throw new TypeError('fetch failed: socket hang up');
        return fetch(request);
      },
    );
    const store = createS3NodeMediaStore(failing, scratchRoot);
    const target = await store.beginUpload();
    await target.write(randomBytes(11 * 1024 * 1024));
    await target.finish();
    const error = await store.keepUpload(target.key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(parts).toBe(2);
    const listed = await failing.list({ prefix: '' });
    expect(listed.objects).toEqual([]);
    // The upload is still the caller's to discard; after that nothing is left anywhere.
    await store.discard(target.key);
    expect(await filesUnder(join(scratchRoot, 'tmp'))).toEqual([]);
  });

  it('names the variable to fix when the bucket cannot be used', async () => {
    const location = {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: '',
      accessKeyId: s3Credentials.AWS_ACCESS_KEY_ID,
      secretAccessKey: s3Credentials.AWS_SECRET_ACCESS_KEY,
    };
    await expect(createS3Bucket(location).check()).resolves.toBeUndefined();
    await expect(createS3Bucket({ ...location, accessKeyId: 'NOT-A-KEY' }).check()).rejects.toThrow(
      /^AWS_ACCESS_KEY_ID: the object store refused the credentials/,
    );
    await expect(createS3Bucket({ ...location, bucket: 'no-such-bucket' }).check()).rejects.toThrow(
      /^MEDIA_URL: there is no bucket "no-such-bucket"/,
    );
    await expect(createS3Bucket({ ...location, endpoint: 'http://127.0.0.1:9' }).check()).rejects.toThrow(
      /^S3_ENDPOINT: the object store at http:\/\/127\.0\.0\.1:9 cannot be reached/,
    );
  });
});
