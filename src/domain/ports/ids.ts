export interface IdGenerator {
  /** A new opaque unique id. */
  id(): string;
  /** A new secret for a bearer token: high-entropy, URL-safe. */
  token(): string;
}

let lastMs = 0;
let sequence = 0;

// Drawn from the system's random source 256 ids at a time: asking it for 16 bytes per id took about a
// quarter of the time of placing an airing, and a dispatcher tick may place 15,000.
const POOL_BYTES = 16 * 256;
let pool = new Uint8Array(0);
let used = 0;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function randomBytes16(): Uint8Array {
  if (used + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  used += 16;
  return pool.subarray(used - 16, used);
}

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
  const bytes = randomBytes16();
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let hex = '';
  for (const b of bytes) hex += HEX[b];
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
