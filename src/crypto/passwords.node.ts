import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import { webCryptoHasher } from './passwords.js';

// OWASP's scrypt minimum (N=2^17, r=8, p=1) costs ~128 MB per hash; 2^15 with r=8 keeps a small VPS
// responsive under a burst of logins while staying well above brute-force reach for 10+ character passwords.
const params = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url parts, so parameters can be raised later without a migration. */
export const scryptHasher: PasswordHasher = {
  async hash(password) {
    const salt = randomBytes(16);
    const key = await derive(password, salt, params);
    return [
      'scrypt',
      params.N,
      params.r,
      params.p,
      salt.toString('base64url'),
      key.toString('base64url'),
    ].join('$');
  },
  async verify(password, stored) {
    // Made on the edge profile (Workers), and moved here with its database.
    if (stored.startsWith('pbkdf2-sha256$')) return webCryptoHasher.verify(password, stored);
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const key = await derive(password, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: params.maxmem,
    });
    return key.length === expected.length && timingSafeEqual(key, expected);
  },
};
