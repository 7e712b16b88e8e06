import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MissingSourceError } from '../domain/ports/media-store.js';
import { StoreUnavailableError } from '../domain/ports/unavailable.js';
import { createFileMediaStore, type FileMediaStore, type FileMediaStoreOptions } from './file-store.node.js';
import { assetKey, createR2MediaStore, writeObject } from './r2-store.js';
import type { S3Bucket } from './s3-bucket.js';

const contentTypes = { mp3: 'audio/mpeg', opus: 'audio/ogg' } as const;

async function streamFileTo(file: string, target: ReturnType<typeof writeObject>): Promise<number> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      await target.write(chunk as Buffer);
    }
    return await target.finish();
  } catch (error) {
    await target.abort();
    throw error;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The media store over S3, with what the Node pipeline needs of a store: local files to run ffmpeg on. */
export interface S3NodeMediaStore extends FileMediaStore {
  /** A link to encoded audio that anyone may GET for `seconds`, or null when it is not there. */
  assetUrl(sha256: string, ext: string, seconds: number): Promise<string | null>;
}

/**
 * The media store of the scale-out profile: kept originals (`src/<uuid>`) and encoded audio
 * (`ab/cd/<sha256>.<ext>`) in an S3 bucket that every instance shares, and only what one process is
 * working on in a local scratch folder (`scratchRoot`): uploads while they arrive and are inspected,
 * and each job's work files. Nothing that must outlive the process stays on its disk.
 *
 * An upload streams to a local file first (ffprobe reads it before the 202), then into the bucket a
 * 5 MiB part at a time when it is kept; an upload that fails on the way is aborted, so the bucket holds
 * either the whole original or nothing of it.
 */
export function createS3NodeMediaStore(
  bucket: S3Bucket,
  scratchRoot: string,
  options: FileMediaStoreOptions = {},
): S3NodeMediaStore {
  const scratch = createFileMediaStore(scratchRoot, options);
  const objects = createR2MediaStore(bucket);
  const unavailable = (doing: string, error: unknown) =>
    error instanceof StoreUnavailableError
      ? error
      : new StoreUnavailableError('media', `S3 failed while ${doing}: ${(error as Error).message}`, {
          cause: error,
        });

  return {
    root: scratch.root,
    beginUpload: () => scratch.beginUpload(),
    scratchPath: (ext) => scratch.scratchPath(ext),
    makeWorkFolder: () => scratch.makeWorkFolder(),
    removeOrphans: (olderThanMs, opts) => scratch.removeOrphans(olderThanMs, opts),

    pathOf(key) {
      if (!key.startsWith('tmp/')) throw new Error('kept originals are in the bucket: use localSource');
      return scratch.pathOf(key);
    },

    async keepUpload(tmpKey) {
      if (!tmpKey.startsWith('tmp/')) throw new Error('only uploads can be kept');
      const key = `src/${tmpKey.slice(-36)}`;
      await streamFileTo(scratch.pathOf(tmpKey), writeObject(bucket, key));
      await scratch.discard(tmpKey);
      return key;
    },

    async discard(key) {
      if (key.startsWith('tmp/')) return scratch.discard(key);
      return objects.discard(key);
    },

    async localSource(key, workDir) {
      if (key.startsWith('tmp/')) return scratch.pathOf(key);
      const object = await objects.openUpload(key);
      if (!object) throw new MissingSourceError(`the original ${key} is not in the bucket any more`);
      const file = join(workDir, 'original');
      await pipeline(Readable.fromWeb(object.body as never), createWriteStream(file));
      return file;
    },

    async putAsset(file, ext) {
      const sha256 = await sha256Of(file);
      const key = assetKey(sha256, ext);
      const bytes = (await stat(file)).size;
      try {
        // Content-addressed: the same audio twice is one object, and a HEAD spares the second upload.
        if (!(await bucket.head(key)))
          await streamFileTo(file, writeObject(bucket, key, { contentType: contentTypes[ext] }));
      } catch (error) {
        throw unavailable('storing audio', error);
      }
      await rm(file, { force: true });
      return { sha256, bytes };
    },

    async assetUrl(sha256, ext, seconds) {
      if ((await objects.sizeOfAsset(sha256, ext)) === null) return null;
      return bucket.presign(assetKey(sha256, ext), seconds);
    },

    freeBytes: () => objects.freeBytes(),
    sizeOfAsset: (sha256, ext) => objects.sizeOfAsset(sha256, ext),
    openAsset: (sha256, ext, range) => objects.openAsset(sha256, ext, range),
    keptOriginals: (olderThanMs) => objects.keptOriginals(olderThanMs),
  };
}
