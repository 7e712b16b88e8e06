import { scryptAsync } from '@noble/hashes/scrypt.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';

// The parameters and the stored form of `passwords.node.ts` (see the reasons there), so that a hash
// made by one profile verifies on the other.
const params = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

const fromBase64Url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));

function derive(password: string, salt: Uint8Array, N: number, r: number, p: number): Promise<Uint8Array> {
  // asyncTick yields to the event loop while the hash runs, so one sign-in does not hold up the others.
  return scryptAsync(new TextEncoder().encode(password.normalize('NFC')), salt, {
    N,
    r,
    p,
    dkLen: keyLength,
    maxmem: 64 * 1024 * 1024 + 1024,
    asyncTick: 25,
  });
}

/** Equal in time whatever the bytes: a comparison that stops early tells how much of a guess was right. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * scrypt in plain JavaScript (`@noble/hashes`) for runtimes without `node:crypto` (Workers): the same
 * `scrypt$N$r$p$salt$hash` as the Node profile's hasher.
 */
export const portableScryptHasher: PasswordHasher = {
  async hash(password) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await derive(password, salt, params.N, params.r, params.p);
    return ['scrypt', params.N, params.r, params.p, toBase64Url(salt), toBase64Url(key)].join('$');
  },
  async verify(password, stored) {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
    const key = await derive(password, fromBase64Url(salt), Number(n), Number(r), Number(p));
    return sameBytes(key, fromBase64Url(hash));
  },
};
