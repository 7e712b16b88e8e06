import { StorageFullError } from '../domain/ports/media-store.js';

// The error is the kernel's, so that services and the edge recognise it without importing this adapter.
export { StorageFullError };

/** errno codes of a write with no room: the file system is full, or the quota is used up. */
const NO_SPACE_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** How ffmpeg (strerror) says the same on stderr. */
const NO_SPACE_TEXT = /No space left on device|Disk quota exceeded/;

/**
 * Whether a tool's stderr says a write found no room, e.g. ffmpeg's
 * `av_interleaved_write_frame(): No space left on device`.
 */
export function saysNoSpace(stderr: string): boolean {
  return NO_SPACE_TEXT.test(stderr);
}

/** Whether an error from `node:fs` (or one a stream emitted) is a write that found no room. */
export function isNoSpace(error: unknown): boolean {
  if (error instanceof StorageFullError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NO_SPACE_CODES.has(code);
}

/**
 * The error to throw for `error`: a {@link StorageFullError} when it is a write that found no room,
 * else `error` itself.
 *
 * @example
 * try { await mkdir(dir) } catch (error) { throw asStorageFull(error, 'creating a work folder') }
 */
export function asStorageFull(error: unknown, doing: string): unknown {
  if (error instanceof StorageFullError || !isNoSpace(error)) return error;
  return new StorageFullError(doing, { cause: error });
}

/**
 * Runs a write to the media disk, turning "no space" into a {@link StorageFullError}.
 *
 * @example await writing('storing an encoded file', () => rename(file, target));
 */
export async function writing<T>(doing: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw asStorageFull(error, doing);
  }
}
