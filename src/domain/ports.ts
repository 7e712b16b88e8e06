/** Small interfaces for side effects, so that services are tested with fakes for time and nothing else. */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface IdGenerator {
  /** A new opaque unique id. */
  id(): string;
  /** A new secret for a bearer token: high-entropy, URL-safe. */
  token(): string;
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562): the millisecond first, then a counter, then randomness, so ids sort in creation
 * order. Lists page by id and items created in the same millisecond keep their order (slot packing).
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
  } else {
    lastMs = nowMs;
    sequence = 0;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const webIds: IdGenerator = {
  id: () => uuidv7(),
  token: () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  },
};

/** Password hashing is a port: scrypt from node:crypto on Node, another KDF where that is missing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: string): { digest(encoding: 'hex'): string } };
}

// Looked up at run time so that the core still imports nothing Node-only (Workers keep Web Crypto).
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

/**
 * Tokens are 256-bit random values, so a plain SHA-256 is a safe and fast digest to store. On Node it is
 * computed synchronously: Web Crypto's digest is a thread-pool round trip that measured a third of the
 * cost of a receiver's manifest poll.
 */
export async function hashToken(token: string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(token).digest('hex');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A temporary file receiving an upload as it streams in. */
export interface UploadTarget {
  readonly key: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes the file; returns its size. */
  finish(): Promise<number>;
}

export interface StoredAsset {
  readonly body: ReadableStream<Uint8Array>;
  readonly size: number;
}

/**
 * Where audio lives. Uploads stream into temporary files; kept uploads become sources (originals kept for
 * retries); encoded audio is stored under its SHA-256. Keys are made by the store, never by users.
 */
export interface MediaStore {
  beginUpload(): Promise<UploadTarget>;
  /** Keeps an accepted upload as a source (the original, kept for retries); returns its new key. */
  keepUpload(uploadKey: string): Promise<string>;
  /** Removes a temporary upload or a source; missing files are fine. */
  discard(key: string): Promise<void>;
  /** Opens an encoded file, whole or a byte range (inclusive end), or null when it is not there. */
  openAsset(sha256: string, ext: string, range?: { start: number; end: number }): Promise<StoredAsset | null>;
  sizeOfAsset(sha256: string, ext: string): Promise<number | null>;
}

/** Why an input cannot become broadcast audio, in words a commune cadre can act on. */
export interface AudioRejection {
  readonly status: 413 | 415 | 422;
  readonly code: string;
  readonly message: string;
  readonly messageEn: string;
}

/** Checks an upload with ffprobe before it is accepted: is it audio, within the limits? */
export interface AudioInspector {
  inspect(uploadKey: string): Promise<AudioRejection | null>;
}
