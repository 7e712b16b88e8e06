import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretKey } from '../../src/crypto/secret-box.js';
import { loadSecretKey } from '../../src/crypto/secret-key.node.js';

describe('secret box', () => {
  const key = new Uint8Array(32).fill(1);

  it('opens what it sealed, and never seals the same text the same way twice', async () => {
    const box = await createSecretBox(key);
    const a = await box.seal('whsec_abc');
    expect(await box.open(a)).toBe('whsec_abc');
    expect(await box.seal('whsec_abc')).not.toBe(a);
    expect(a).not.toContain('whsec');
  });

  it('refuses to open with another key, or a changed text', async () => {
    const sealed = await (await createSecretBox(key)).seal('whsec_abc');
    await expect((await createSecretBox(new Uint8Array(32).fill(2))).open(sealed)).rejects.toThrow();
    const [v, iv, data] = sealed.split('.');
    // The first character: all six of its bits are ciphertext (the last ones may be padding only).
    const flipped = `${v}.${iv}.${data!.startsWith('A') ? 'B' : 'A'}${data!.slice(1)}`;
    expect(flipped).not.toBe(sealed);
    await expect((await createSecretBox(key)).open(flipped)).rejects.toThrow();
  });

  it('makes its key once in the data folder, readable by its owner only, and reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-key-'));
    const first = loadSecretKey({ DATA_DIR: dir });
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ DATA_DIR: dir })).toEqual(first);
    expect(parseSecretKey(readFileSync(join(dir, 'secret.key'), 'utf8'))).toEqual(first);
    const given = Buffer.alloc(32, 9).toString('base64');
    expect(loadSecretKey({ DATA_DIR: dir, LOA_SECRET_KEY: given })).toEqual(new Uint8Array(32).fill(9));
    expect(() => parseSecretKey('dG9vIHNob3J0')).toThrow(/32 bytes/);
  });
});
