import type { PasswordHasher } from '../domain/ports/passwords.js';

// Workers allow PBKDF2 up to 100,000 iterations and give a request milliseconds of CPU, not the
// seconds scrypt with N=2^15 takes in plain JavaScript there (measured: 3.9 s in workerd, against
// 18 ms for this); 100,000 rounds of SHA-256 is the strongest KDF the platform runs natively.
export const PBKDF2_ITERATIONS = 100_000;
const keyBits = 256;

export const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

export const fromBase64Url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveBits'],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    keyBits,
  );
  return new Uint8Array(bits);
}

/** Equal in time whatever the bytes: a comparison that stops early tells how much of a guess was right. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * PBKDF2-SHA256 through Web Crypto, for runtimes without `node:crypto`'s scrypt (Workers), stored as
 * `pbkdf2-sha256$iterations$salt$hash` (base64url). The Node profile verifies this form as well, so a
 * database moved from the edge to a server keeps its passwords.
 */
export const webCryptoHasher: PasswordHasher = {
  async hash(password) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await derive(password, salt, PBKDF2_ITERATIONS);
    return ['pbkdf2-sha256', PBKDF2_ITERATIONS, toBase64Url(salt), toBase64Url(key)].join('$');
  },
  async verify(password, stored) {
    const [scheme, iterations, salt, hash] = stored.split('$');
    const rounds = Number(iterations);
    if (scheme !== 'pbkdf2-sha256' || !salt || !hash || !Number.isInteger(rounds) || rounds < 1) return false;
    if (rounds > PBKDF2_ITERATIONS) return false;
    return sameBytes(await derive(password, fromBase64Url(salt), rounds), fromBase64Url(hash));
  },
};
