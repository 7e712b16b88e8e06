import { describe, expect, it } from 'vitest';
import { scryptHasher } from './passwords.node.js';
import { PBKDF2_ITERATIONS, webCryptoHasher } from './passwords.js';

describe('password hashes across the two profiles', () => {
  it('verifies on Node what the edge hashed, and refuses a wrong password', async () => {
    const stored = await webCryptoHasher.hash('mật khẩu của xã');
    expect(stored).toMatch(new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[\\w-]{22}\\$[\\w-]{43}$`));
    expect(await scryptHasher.verify('mật khẩu của xã', stored)).toBe(true);
    expect(await webCryptoHasher.verify('mật khẩu của xã', stored)).toBe(true);
    expect(await scryptHasher.verify('mật khẩu của xa', stored)).toBe(false);
  });

  it('refuses a stored hash asking for more rounds than the edge allows, rather than running them', async () => {
    const stored = await webCryptoHasher.hash('abcdefghijk');
    const inflated = stored.replace(`$${PBKDF2_ITERATIONS}$`, '$100000000$');
    expect(await webCryptoHasher.verify('abcdefghijk', inflated)).toBe(false);
  });
});
