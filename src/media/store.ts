import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/** File kinds the store keeps: encoded outputs and the audio formats uploads arrive in. */
export const MEDIA_EXTENSIONS = [
  'mp3',
  'opus',
  'ogg',
  'webm',
  'm4a',
  'aac',
  'mp4',
  'wav',
  'flac',
  'amr',
  '3gp',
  'bin',
] as const;
export type MediaExt = (typeof MEDIA_EXTENSIONS)[number];

export interface StoredFile {
  readonly sha256: string;
  readonly bytes: number;
  /** `ab/cd/<sha256>.<ext>`, relative to the store's root. */
  readonly key: string;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive, as in an HTTP `Range` header; defaults to the last byte. */
  readonly end?: number;
}

export interface OpenedFile {
  readonly stream: ReadStream;
  /** Size of the whole file. */
  readonly size: number;
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/** A range that does not fit the file: the caller answers 416. */
export class RangeNotSatisfiableError extends Error {
  override readonly name = 'RangeNotSatisfiableError';
  constructor(readonly size: number) {
    super(`range not satisfiable for a file of ${size} bytes`);
  }
}

/**
 * Content-addressed audio: uploads and work files live in `tmp/` until `putFile` moves them to
 * `ab/cd/<sha256>.<ext>`. Every path is built from a validated hex SHA-256 and an allow-listed
 * extension, or is one the store handed out itself: never from a name a user sent.
 */
export interface MediaStore {
  readonly root: string;
  /** A fresh, unused path under `tmp/` (the file is not created). */
  createTempPath(ext: MediaExt): Promise<string>;
  /** A fresh folder under `tmp/` for one job's work files; same disk, so `putFile` renames. */
  createTempDir(): Promise<string>;
  /** A write stream into a fresh temp file, for an upload as it arrives. */
  createTempWriteStream(ext: MediaExt): Promise<{ readonly path: string; readonly stream: WriteStream }>;
  /** Hashes a temp file and moves it under its SHA-256; if that content is already stored, the temp file is deleted. */
  putFile(tempPath: string, ext: MediaExt): Promise<StoredFile>;
  /** Opens a stored file, whole or a byte range; undefined when it is not there. */
  open(sha256: string, ext: MediaExt, range?: ByteRange): Promise<OpenedFile | undefined>;
  has(sha256: string, ext: MediaExt): Promise<boolean>;
  /** Deletes a temp file or folder the store handed out; missing is fine. */
  removeTemp(tempPath: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Throws unless `sha256` is 64 lowercase hex digits and `ext` is allow-listed. */
export function mediaKey(sha256: string, ext: string): string {
  if (!SHA256.test(sha256)) throw new Error('invalid sha256');
  if (!(MEDIA_EXTENSIONS as readonly string[]).includes(ext)) throw new Error('invalid media extension');
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${ext}`;
}

async function sha256Of(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * The media store on local disk.
 *
 * @example
 * const store = createFileMediaStore('./media');
 * const { path, stream } = await store.createTempWriteStream('m4a');
 * // … pipe the upload into stream …
 * const { sha256, key } = await store.putFile(path, 'm4a');
 */
export function createFileMediaStore(root: string): MediaStore {
  const base = resolve(root);
  const tmp = join(base, 'tmp');
  const pathOf = (sha256: string, ext: MediaExt): string => join(base, ...mediaKey(sha256, ext).split('/'));

  /** Only paths inside `tmp/` (and not `tmp/` itself) are the store's temp files. */
  const ownTemp = (path: string): string => {
    const full = resolve(path);
    const rel = relative(tmp, full);
    if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..') || resolve(tmp, rel) !== full) {
      throw new Error('not a temp path of this media store');
    }
    return full;
  };

  const checkExt = (ext: string): MediaExt => {
    if (!(MEDIA_EXTENSIONS as readonly string[]).includes(ext)) throw new Error('invalid media extension');
    return ext as MediaExt;
  };

  const createTempPath = async (ext: MediaExt): Promise<string> => {
    await mkdir(tmp, { recursive: true });
    return join(tmp, `${randomUUID()}.${checkExt(ext)}`);
  };

  return {
    root: base,
    createTempPath,

    async createTempDir() {
      await mkdir(tmp, { recursive: true });
      return mkdtemp(join(tmp, 'work-'));
    },

    async createTempWriteStream(ext) {
      const path = await createTempPath(ext);
      return { path, stream: createWriteStream(path, { flags: 'wx' }) };
    },

    async putFile(tempPath, ext) {
      const from = ownTemp(tempPath);
      const { sha256, bytes } = await sha256Of(from);
      const key = mediaKey(sha256, checkExt(ext));
      const target = pathOf(sha256, ext);
      const existing = await stat(target).catch(() => undefined);
      if (existing) {
        await rm(from, { force: true });
        return { sha256, bytes: existing.size, key };
      }
      await mkdir(join(target, '..'), { recursive: true });
      // Same file system as tmp/: an atomic rename; two writers of the same content leave one file.
      await rename(from, target);
      return { sha256, bytes, key };
    },

    async open(sha256, ext, range) {
      if (!SHA256.test(sha256)) return undefined;
      const path = pathOf(sha256, ext);
      const info = await stat(path).catch(() => undefined);
      if (!info) return undefined;
      const size = info.size;
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      if (range && (!Number.isInteger(start) || start < 0 || start >= size || end < start)) {
        throw new RangeNotSatisfiableError(size);
      }
      return { stream: createReadStream(path, { start, end: Math.max(end, start) }), size, start, end };
    },

    async has(sha256, ext) {
      if (!SHA256.test(sha256)) return false;
      return (await stat(pathOf(sha256, ext)).catch(() => undefined))?.isFile() ?? false;
    },

    async removeTemp(tempPath) {
      await rm(ownTemp(tempPath), { recursive: true, force: true });
    },
  };
}
