import { env } from 'cloudflare:workers';
import { assetKey } from '../../../src/media/r2-store.js';
import type { Env } from '../../../src/worker.js';

/**
 * An MP3 behind an empty ID3v2 tag of `padding` bytes: the same audio, other bytes, so that a test's
 * file is an R2 object of its own and not one another test stored.
 */
export function taggedMp3(mp3: Uint8Array, padding: number): Uint8Array<ArrayBuffer> {
  const size = [(padding >> 21) & 0x7f, (padding >> 14) & 0x7f, (padding >> 7) & 0x7f, padding & 0x7f];
  const out = new Uint8Array(10 + padding + mp3.length);
  out.set([0x49, 0x44, 0x33, 4, 0, 0, ...size]);
  out.set(mp3, 10 + padding);
  return out;
}

/** The test bucket's object of these bytes as stored audio (`ab/cd/<sha256>.mp3`), or null. */
export async function storedMp3(file: Uint8Array) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', file));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return (env as Env).MEDIA.head(assetKey(sha256, 'mp3'));
}
