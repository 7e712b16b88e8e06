import { StorageFullError, type MediaStore, type UploadTarget } from '../domain/ports/media-store.js';
import { StoreUnavailableError } from '../domain/ports/unavailable.js';
import { toHex, workersSha256 } from './sha256-stream.js';

/** The part of Cloudflare's R2 binding Loa uses (`@cloudflare/workers-types`' `R2Bucket` fits it). */
export interface R2ObjectLike {
  readonly key: string;
  readonly size: number;
  readonly uploaded: Date;
}
export interface R2ObjectBodyLike extends R2ObjectLike {
  readonly body: ReadableStream<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export interface R2MultipartUploadLike {
  uploadPart(part: number, value: Uint8Array): Promise<{ partNumber: number; etag: string }>;
  complete(parts: { partNumber: number; etag: string }[]): Promise<unknown>;
  abort(): Promise<void>;
}
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(
    key: string,
    options?: { range?: { offset: number; length: number } },
  ): Promise<R2ObjectBodyLike | null>;
  put(
    key: string,
    value: Uint8Array | ReadableStream<Uint8Array> | string,
    options?: { httpMetadata?: { contentType?: string } },
  ): Promise<unknown>;
  delete(keys: string | string[]): Promise<void>;
  list(options: {
    prefix: string;
    cursor?: string;
    limit?: number;
  }): Promise<{ objects: R2ObjectLike[]; truncated: boolean; cursor?: string }>;
  createMultipartUpload(
    key: string,
    options?: { httpMetadata?: { contentType?: string } },
  ): Promise<R2MultipartUploadLike>;
}

/** The media store in R2, plus what the edge stores itself: audio already encoded (`putAsset`). */
export interface R2MediaStore extends MediaStore {
  /**
   * Stores encoded audio under its SHA-256; the same bytes twice are one object. `created` when this
   * call wrote it (it was not there before).
   */
  putAsset(
    bytes: Uint8Array,
    ext: 'mp3' | 'opus',
  ): Promise<{ sha256: string; bytes: number; created: boolean }>;
  /**
   * Stores an upload as encoded audio under the SHA-256 it was measured with, streamed from the upload a
   * part at a time: the bytes copied must be `expected.bytes` long and hash to `expected.sha256`, or
   * nothing is stored (R2 gave other bytes than the ones measured). `created` when it wrote the object.
   */
  putAssetFromUpload(
    key: string,
    ext: 'mp3',
    expected: { readonly sha256: string; readonly bytes: number },
  ): Promise<{ created: boolean }>;
  /** Removes encoded audio; audio that is not there is removed already. */
  removeAsset(sha256: string, ext: 'mp3' | 'opus'): Promise<void>;
  /** A stream of an upload or kept original, for a processing node that fetches it. */
  openUpload(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>;
}

const sha256Pattern = /^[0-9a-f]{64}$/;
const keyPattern = /^src\/[0-9a-f-]{36}$/;
// R2 takes parts of at least 5 MiB (but the last): an upload is buffered a part at a time, never whole.
const PART_BYTES = 5 * 1024 * 1024;
const contentTypes = { mp3: 'audio/mpeg', opus: 'audio/ogg' } as const;

/** Where encoded audio lives in a bucket: `ab/cd/<sha256>.<ext>`, from a checked hash only. */
export const assetKey = (sha256: string, ext: string): string => {
  if (!sha256Pattern.test(sha256) || !(ext in contentTypes)) throw new Error('invalid asset key');
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${ext}`;
};
const checkKey = (key: string) => {
  if (!keyPattern.test(key)) throw new Error('invalid media key');
  return key;
};

/**
 * Streams one object into a bucket a part at a time (one put when it stays under a part): at most
 * 5 MiB of it is held in memory. `abort` gives up a multipart upload so that no parts are left.
 */
export function writeObject(
  bucket: R2BucketLike,
  key: string,
  options: { readonly contentType?: string } = {},
): UploadTarget & { abort(): Promise<void> } {
  let multipart: R2MultipartUploadLike | undefined;
  const parts: { partNumber: number; etag: string }[] = [];
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let total = 0;
  /** The first `bytes` buffered (all of them by default), as one array; the rest stays buffered. */
  const joined = (bytes = bufferedBytes) => {
    const whole = new Uint8Array(bytes);
    let at = 0;
    while (at < bytes) {
      const chunk = buffered.shift()!;
      const used = chunk.subarray(0, bytes - at);
      whole.set(used, at);
      at += used.length;
      if (used.length < chunk.length) buffered.unshift(chunk.subarray(used.length));
    }
    bufferedBytes -= bytes;
    return whole;
  };
  // The type goes with the object however it is written: a player fetching it from the bucket reads it.
  const metadata = options.contentType ? { httpMetadata: { contentType: options.contentType } } : {};
  // R2 completes an upload only when every part but the last has the same size, whatever sizes the
  // request's chunks came in: parts are cut at exactly `PART_BYTES`.
  const flushPart = async (bytes = PART_BYTES) => {
    const part = joined(bytes);
    multipart ??= await r2('starting an upload', () => bucket.createMultipartUpload(key, metadata));
    const upload = multipart;
    parts.push(await r2('storing an upload', () => upload.uploadPart(parts.length + 1, part)));
  };
  let finished: Promise<number> | undefined;
  let completed = false;
  return {
    key,
    async write(chunk) {
      buffered.push(chunk.slice());
      bufferedBytes += chunk.length;
      total += chunk.length;
      while (bufferedBytes >= PART_BYTES) await flushPart();
    },
    finish() {
      finished ??= (async () => {
        if (!multipart) {
          // Small enough for one put: most phone recordings.
          const whole = joined();
          await r2('storing an upload', () => bucket.put(key, whole, metadata));
        } else {
          if (bufferedBytes > 0) await flushPart(bufferedBytes);
          const upload = multipart;
          await r2('finishing an upload', () => upload.complete(parts));
        }
        completed = true;
        return total;
      })();
      return finished;
    },
    async abort() {
      buffered = [];
      bufferedBytes = 0;
      if (completed || !multipart) return;
      // A store that cannot abort (or is down) drops the parts itself after its own expiry.
      await multipart.abort().catch(() => undefined);
    },
  };
}

/** R2's failures are the bucket's, not the file's: 503, try again; R2 does not fill up. */
async function r2<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StorageFullError || error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError('media', `R2 failed while ${doing}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

/** The stream's chunks; a consumer that stops early cancels the rest (R2 stops sending it). */
export async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield next.value;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * The media store in an R2 bucket: `src/<uuid>` for uploads (R2 cannot rename, so an upload is written
 * where a kept original lives, and one nobody kept is swept with the abandoned originals after an hour),
 * `ab/cd/<sha256>.<ext>` for encoded audio. Keys are made here or from a checked SHA-256, never from a
 * name a user sent.
 */
export function createR2MediaStore(bucket: R2BucketLike): R2MediaStore {
  return {
    async beginUpload(): Promise<UploadTarget> {
      return writeObject(bucket, `src/${crypto.randomUUID()}`);
    },
    async keepUpload(key) {
      return checkKey(key);
    },
    async discard(key) {
      if (!keyPattern.test(key)) return;
      await r2('removing a file', () => bucket.delete(key));
    },
    async putAsset(bytes, ext) {
      const sha256 = await sha256Hex(bytes);
      const key = assetKey(sha256, ext);
      const there = await r2('looking up audio', () => bucket.head(key));
      if (!there) {
        await r2('storing audio', () =>
          bucket.put(key, bytes, { httpMetadata: { contentType: contentTypes[ext] } }),
        );
      }
      return { sha256, bytes: bytes.length, created: !there };
    },
    async removeAsset(sha256, ext) {
      await r2('removing audio', () => bucket.delete(assetKey(sha256, ext)));
    },
    async putAssetFromUpload(key, ext, expected) {
      const target = assetKey(expected.sha256, ext);
      if (await r2('looking up audio', () => bucket.head(target))) return { created: false };
      const object = await r2('reading an upload', () => bucket.get(checkKey(key)));
      const writer = writeObject(bucket, target, { contentType: contentTypes[ext] });
      try {
        const hash = workersSha256();
        let copied = 0;
        for await (const chunk of object ? chunksOf(object.body) : []) {
          copied += chunk.length;
          if (copied > expected.bytes) break;
          await hash.write(chunk);
          await writer.write(chunk);
        }
        // Checked before the object is complete: a mismatch leaves no object under the hash.
        if (copied !== expected.bytes || (await hash.hex()) !== expected.sha256)
          throw new StoreUnavailableError('media', `R2 gave other bytes for ${key} than were measured`);
        await writer.finish();
        return { created: true };
      } catch (error) {
        await writer.abort();
        throw error;
      }
    },
    async openUpload(key) {
      const object = await r2('reading an upload', () => bucket.get(checkKey(key)));
      return object ? { body: object.body, size: object.size } : null;
    },
    async sizeOfAsset(sha256, ext) {
      const object = await r2('looking up audio', () => bucket.head(assetKey(sha256, ext)));
      return object ? object.size : null;
    },
    async openAsset(sha256, ext, range) {
      const key = assetKey(sha256, ext);
      const object = await r2('reading audio', () =>
        bucket.get(key, range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : {}),
      );
      if (!object) return null;
      return { body: object.body, size: range ? range.end - range.start + 1 : object.size };
    },
    async freeBytes() {
      return null;
    },
    async *keptOriginals(olderThanMs) {
      const before = Date.now() - olderThanMs;
      let cursor: string | undefined;
      do {
        const page = await r2('listing originals', () =>
          bucket.list({ prefix: 'src/', limit: 500, ...(cursor && { cursor }) }),
        );
        const old = page.objects.filter((o) => o.uploaded.getTime() < before).map((o) => o.key);
        if (old.length > 0) yield old;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    },
  };
}

/**
 * The first `bytes` of an upload, read from R2's stream, which is then let go: a recording may be 100 MB
 * and an isolate has 128 MB for all of its requests.
 */
export async function headOfUpload(media: R2MediaStore, key: string, bytes: number): Promise<Uint8Array> {
  const upload = await media.openUpload(key);
  if (!upload) return new Uint8Array();
  const reader = upload.body.getReader();
  const head = new Uint8Array(bytes);
  let filled = 0;
  try {
    while (filled < bytes) {
      const chunk = await reader.read();
      if (chunk.done) break;
      const part = chunk.value.subarray(0, bytes - filled);
      head.set(part, filled);
      filled += part.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return head.subarray(0, filled);
}
