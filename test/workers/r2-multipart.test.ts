import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { writeObject } from '../../src/media/r2-store.js';
import type { Env } from '../../src/worker.js';

const MiB = 1024 * 1024;

/** Bytes that tell their own position apart, so a part stored out of place or twice shows. */
function pattern(length: number, from = 0): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = ((from + i) * 2654435761) >>> 24;
  return bytes;
}

const digest = async (bytes: ArrayBuffer | Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16)).join('');

/**
 * R2 takes the parts of a multipart upload only when all but the last are the same size, while a request
 * body arrives in chunks of whatever size the network gives: a recording over 5 MiB must still be stored.
 */
describe('an upload over one part, streamed into R2', () => {
  const bucket = (env as unknown as Env).MEDIA;

  it.each([
    ['chunks of 6 MiB and 100 bytes', [6 * MiB, 100]],
    ['chunks of 5 MiB, 6 MiB and 100 bytes', [5 * MiB, 6 * MiB, 100]],
    ['odd chunks over four parts', [3 * MiB + 7, 4 * MiB + 11, 5 * MiB - 3, 1234, 6 * MiB + 5]],
    ['exactly two parts', [5 * MiB, 5 * MiB]],
  ])('stores %s whole and in order', async (_, sizes) => {
    const key = `src/${crypto.randomUUID()}`;
    const target = writeObject(bucket, key);
    let at = 0;
    for (const size of sizes) {
      await target.write(pattern(size, at));
      at += size;
    }
    expect(await target.finish()).toBe(at);
    const stored = await bucket.get(key);
    expect(stored?.size).toBe(at);
    // Compared by digest: a diff of megabytes would not fit the test's memory.
    expect(await digest(await stored!.arrayBuffer())).toBe(await digest(pattern(at)));
    await bucket.delete(key);
  });
});
