import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSecretKey } from './secret-box.js';

/**
 * The key that seals secrets the service must read again (webhook signing secrets): `LOA_SECRET_KEY`
 * when set (the same on every instance of a scale-out), else `secret.key` in the data folder, made on
 * the first start and readable by the service's user only. Kept beside the database, not in it, so a
 * copy of the database (a backup, a dump) alone does not reveal the secrets.
 */
export function loadSecretKey(config: { LOA_SECRET_KEY?: string | undefined; DATA_DIR: string }): Uint8Array {
  if (config.LOA_SECRET_KEY) return parseSecretKey(config.LOA_SECRET_KEY);
  const file = join(config.DATA_DIR, 'secret.key');
  try {
    return parseSecretKey(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const key = randomBytes(32);
  // `wx`: two processes starting at once on one folder keep the first one's key.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return new Uint8Array(key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseSecretKey(readFileSync(file, 'utf8'));
  }
}
