import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, opendir, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MissingSourceError, type MediaStore, type UploadTarget } from '../domain/ports/media-store.js';
import { ownerTag, removeOrphansIn } from './orphans.node.js';
import { asStorageFull, writing } from './storage-full.js';

const sha256Pattern = /^[0-9a-f]{64}$/;
const assetExtensions = new Set(['mp3', 'opus']);
const keyPattern = /^(tmp\/([0-9a-f]{8}_)?|src\/)[0-9a-f-]{36}$/;
const uuidPattern = /^[0-9a-f-]{36}$/;

/**
 * The media store on disk. Every write that finds the disk full (`beginUpload().write/finish`,
 * `keepUpload`, `putAsset`, `scratchPath`, `makeWorkFolder`) throws a `StorageFullError`.
 */
export interface FileMediaStore extends MediaStore {
  /** The file behind a key made by this store (for ffmpeg); throws for anything else. */
  pathOf(key: string): string;
  /**
   * A local file of an upload or kept original for ffmpeg to read: the file itself on disk, a copy
   * fetched into `workDir` when the originals are elsewhere (an object store).
   */
  localSource(key: string, workDir: string): Promise<string>;
  /** Moves a file into the content-addressed area; the same content twice is stored once. */
  putAsset(file: string, ext: 'mp3' | 'opus'): Promise<{ sha256: string; bytes: number }>;
  /** A fresh path in the store's scratch area for work files. */
  scratchPath(ext: string): Promise<string>;
  /** A fresh, empty folder in the scratch area for one job's work files (`tmp/job-…`). */
  makeWorkFolder(): Promise<string>;
  /** Null when the disk cannot be asked (the root does not exist yet). */
  freeBytes(): Promise<number | null>;
  /**
   * Removes what a killed process left in `tmp/`: job work folders (`job-*`) and temporary uploads
   * and scratch files, when nothing in them changed for `olderThanMs`; the bound spares the work of
   * another process sharing the root. With `includeOwn`, what carries this store's owner tag goes
   * whatever its age: meant for start-up, before the process begins any work, when everything of
   * its own was left by its previous run.
   */
  removeOrphans(olderThanMs: number, options?: { readonly includeOwn?: boolean }): Promise<OrphansRemoved>;
  readonly root: string;
}

export interface FileMediaStoreOptions {
  /**
   * Who works in this store (the process's stable worker id). Its temporary uploads, scratch files
   * and work folders carry a short tag of it, so that a restart can tell its own leftovers, which
   * no live process owns, from another instance's work in progress. The id itself never becomes
   * part of a path.
   */
  readonly owner?: string;
}

/** What {@link FileMediaStore.removeOrphans} removed. */
export interface OrphansRemoved {
  readonly workFolders: number;
  /** Temporary uploads and scratch files. */
  readonly files: number;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The media store on local disk: `tmp/` for uploads in flight and work files, `src/` for kept originals,
 * `ab/cd/<sha256>.<ext>` for encoded audio. Every path is built from a key the store made itself or a
 * validated SHA-256, never from a name a user sent.
 */
export function createFileMediaStore(root: string, options: FileMediaStoreOptions = {}): FileMediaStore {
  const tag = options.owner === undefined ? undefined : ownerTag(options.owner);
  /** A name in `tmp/`: `<tag>_<uuid>` for an owned store, `<uuid>` otherwise. */
  const tmpName = () => (tag ? `${tag}_${randomUUID()}` : randomUUID());
  const assetPath = (sha256: string, ext: string): string => {
    if (!sha256Pattern.test(sha256) || !assetExtensions.has(ext)) throw new Error('invalid asset key');
    return join(root, sha256.slice(0, 2), sha256.slice(2, 4), `${sha256}.${ext}`);
  };
  const pathOf = (key: string): string => {
    if (!keyPattern.test(key)) throw new Error('invalid media key');
    return join(root, key);
  };

  return {
    root,
    pathOf,
    async localSource(key) {
      const path = pathOf(key);
      if (!(await stat(path).catch(() => null))) throw new MissingSourceError(`the original ${key} is gone`);
      return path;
    },

    async beginUpload(): Promise<UploadTarget> {
      await writing('receiving an upload', () => mkdir(join(root, 'tmp'), { recursive: true }));
      const key = `tmp/${tmpName()}`;
      const stream = createWriteStream(pathOf(key), { flags: 'wx' });
      let bytes = 0;
      const failed = new Promise<never>((_, reject) =>
        stream.once('error', (error) => reject(asStorageFull(error, 'receiving an upload'))),
      );
      failed.catch(() => undefined);
      return {
        key,
        async write(chunk) {
          bytes += chunk.length;
          if (!stream.write(chunk))
            await Promise.race([new Promise<void>((r) => stream.once('drain', () => r())), failed]);
        },
        async finish() {
          await Promise.race([new Promise<void>((r) => stream.end(r)), failed]);
          return bytes;
        },
      };
    },

    async keepUpload(tmpKey) {
      if (!tmpKey.startsWith('tmp/')) throw new Error('only uploads can be kept');
      const key = `src/${tmpKey.slice(-36)}`;
      await writing('keeping an upload', async () => {
        await mkdir(join(root, 'src'), { recursive: true });
        await rename(pathOf(tmpKey), pathOf(key));
      });
      return key;
    },

    async discard(key) {
      await rm(pathOf(key), { force: true });
    },

    async putAsset(file, ext) {
      const sha256 = await sha256Of(file);
      const target = assetPath(sha256, ext);
      const existing = await stat(target).catch(() => null);
      if (existing) {
        await rm(file, { force: true });
        return { sha256, bytes: existing.size };
      }
      await writing('storing an encoded file', async () => {
        await mkdir(join(target, '..'), { recursive: true });
        await rename(file, target);
      });
      return { sha256, bytes: (await stat(target)).size };
    },

    async scratchPath(ext) {
      await writing('making a work file', () => mkdir(join(root, 'tmp'), { recursive: true }));
      return join(root, 'tmp', `${tmpName()}.${ext.replace(/[^a-z0-9]/g, '')}`);
    },

    makeWorkFolder() {
      return writing('making a work folder', async () => {
        await mkdir(join(root, 'tmp'), { recursive: true });
        return mkdtemp(join(root, 'tmp', tag ? `job-${tag}_` : 'job-'));
      });
    },

    async freeBytes() {
      const disk = await statfs(root).catch(() => null);
      return disk ? disk.bavail * disk.bsize : null;
    },

    removeOrphans(olderThanMs, { includeOwn = false } = {}) {
      return removeOrphansIn(join(root, 'tmp'), olderThanMs, {
        ...(includeOwn && tag && { ownTag: tag }),
      });
    },

    async *keptOriginals(olderThanMs) {
      const before = Date.now() - olderThanMs;
      const dir = await opendir(join(root, 'src')).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (!dir) return;
      let batch: string[] = [];
      // Read as a stream: a province's store holds more originals than a listing should hold at once.
      for await (const entry of dir) {
        const name = entry.name;
        if (!entry.isFile() || !uuidPattern.test(name)) continue;
        const info = await stat(join(root, 'src', name)).catch(() => null);
        // A rename keeps the time of the upload's last write: the age is the upload's.
        if (!info?.isFile() || info.mtimeMs >= before) continue;
        batch.push(`src/${name}`);
        if (batch.length === 500) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },

    async sizeOfAsset(sha256, ext) {
      if (!sha256Pattern.test(sha256) || !assetExtensions.has(ext)) return null;
      const info = await stat(assetPath(sha256, ext)).catch(() => null);
      return info?.size ?? null;
    },

    async openAsset(sha256, ext, range) {
      if (!sha256Pattern.test(sha256) || !assetExtensions.has(ext)) return null;
      const path = assetPath(sha256, ext);
      const info = await stat(path).catch(() => null);
      if (!info) return null;
      const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
      return {
        body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>,
        size: range ? range.end - range.start + 1 : info.size,
      };
    },
  };
}
