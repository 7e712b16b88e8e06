import SqliteDatabase from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scryptHasher } from '../../src/crypto/passwords.node.js';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-user-case-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loa user, with a name in another case', () => {
  const env = {
    DATA_DIR: join(dir, 'data'),
    LOA_ADMIN_PASSWORD: 'admin-password-1',
    LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-1',
    LOG_LEVEL: 'warn',
    LOA_PASSWORD: 'mot-mat-khau-moi',
  };
  const hashOf = (username: string) => {
    const db = new SqliteDatabase(join(env.DATA_DIR, 'loa.sqlite'), { readonly: true });
    try {
      return (db.prepare('select password_hash from users where username = ?').get(username) as any)
        .password_hash as string;
    } finally {
      db.close();
    }
  };

  // Two runs of the command, each starting Node and the runtime.
  it(
    'refuses to add "ADMIN" beside admin, and `passwd Admin` resets admin',
    { timeout: 120_000 },
    async () => {
      const add = await runLoa(['user', 'add', 'ADMIN', '--role', 'commune_officer'], env);
      expect(add.code).toBe(1);
      expect(add.stderr).toBe('The username "ADMIN" is taken.\n');
      const before = hashOf('admin');
      const reset = await runLoa(['user', 'passwd', 'Admin'], env);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toBe('Password changed for admin; open sessions were signed out.\n');
      expect(hashOf('admin')).not.toBe(before);
      expect(await scryptHasher.verify('mot-mat-khau-moi', hashOf('admin'))).toBe(true);
    },
  );
});
