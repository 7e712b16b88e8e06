import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MediaStore, UploadTarget } from '../domain/ports/media-store.js';
import { removeOrphansIn } from './orphans.node.js';
import { asStorageFull, writing } from './storage-full.js';

const sha256Pattern = /^[0-9a-f]{64}$/;
const assetExtensions = new Set(['mp3', 'opus']);
const keyPattern = /^(tmp|src)\/[0-9a-f-]{36}$/;

/**
 * The media store on disk. Every write that finds the disk full (`beginUpload().write/finish`,
 * `keepUpload`, `putAsset`, `scratchPath`) throws a `StorageFullError` (`storage-full.ts`).
 */
export interface FileMediaStore extends MediaStore {
  /** The file behind a key made by this store (for ffmpeg); throws for anything else. */
  pathOf(key: string): string;
  /** Moves a file into the content-addressed area; the same content twice is stored once. */
  putAsset(file: string, ext: 'mp3' | 'opus'): Promise<{ sha256: string; bytes: number }>;
  /** A fresh path in the store's scratch area for work files. */
  scratchPath(ext: string): Promise<string>;
  /**
   * Bytes the store's disk still has for it (what an unprivileged process may write), for the
   * health check; null when the disk cannot be asked (the root does not exist yet).
   */
  freeBytes(): Promise<number | null>;
  /**
   * Removes what a killed process left in `tmp/`: job work folders (`job-*`) and temporary uploads
   * and scratch files, when nothing in them changed for `olderThanMs`. Meant for start-up, before
   * jobs run; the bound spares the work of another process sharing the root.
   */
  removeOrphans(olderThanMs: number): Promise<OrphansRemoved>;
  readonly root: string;
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
export function createFileMediaStore(root: string): FileMediaStore {
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

    async beginUpload(): Promise<UploadTarget> {
      await writing('receiving an upload', () => mkdir(join(root, 'tmp'), { recursive: true }));
      const key = `tmp/${randomUUID()}`;
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
      const key = `src/${tmpKey.slice('tmp/'.length)}`;
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
      return join(root, 'tmp', `${randomUUID()}.${ext.replace(/[^a-z0-9]/g, '')}`);
    },

    async freeBytes() {
      const disk = await statfs(root).catch(() => null);
      return disk ? disk.bavail * disk.bsize : null;
    },

    removeOrphans(olderThanMs) {
      return removeOrphansIn(join(root, 'tmp'), olderThanMs);
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
