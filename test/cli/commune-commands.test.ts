import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-commune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loa commune', () => {
  const env = {
    DATA_DIR: join(dir, 'data'),
    LOA_ADMIN_PASSWORD: 'admin-password-1',
    LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-1',
    LOG_LEVEL: 'warn',
  };

  // Seven runs of the command, each starting Node and the runtime (which applies the commune files).
  it(
    'adds a commune with its first admin, lists the communes, refuses bad input and deletes',
    { timeout: 180_000 },
    async () => {
      const added = await runLoa(
        ['commune', 'add', '--name', 'Xã Bản Xèo', '--code', '02755', '--admin-username', 'bx-admin'],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/^Created commune ban-xeo \(02755\) Xã Bản Xèo\.\n/);
      const password = added.stdout.match(/Password \(shown only now\): (\S+)/)?.[1];
      expect(password).toBeDefined();

      const list = await runLoa(['commune', 'list'], env);
      expect(list.code, list.stderr).toBe(0);
      const rows = list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(rows.map((r) => r[0])).toEqual(['ban-xeo', 'coc-san', 'quang-kim']);
      expect(rows.find((r) => r[0] === 'coc-san')).toEqual(['coc-san', '02746', '0/3', 'Xã Cốc San']);

      const taken = await runLoa(['commune', 'add', '--name', 'Xã Trùng', '--code', '02746'], env);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(/code 02746 exists/);
      const malformed = await runLoa(['commune', 'add', '--name', 'Xã Sai', '--code', '2755'], env);
      expect(malformed.code).toBe(1);
      expect(malformed.stderr).toMatch(/^--code: must be the 5-digit commune code/);

      const unconfirmed = await runLoa(['commune', 'delete', 'ban-xeo'], env);
      expect(unconfirmed.code).toBe(1);
      expect(unconfirmed.stderr).toMatch(
        /^This hides Xã Bản Xèo \(\d{5}\) for good: .* Run again with --yes/,
      );
      expect((await runLoa(['commune', 'list'], env)).stdout).toContain('ban-xeo');
      const deleted = await runLoa(['commune', 'delete', 'ban-xeo', '--yes'], env);
      expect(deleted.code, deleted.stderr).toBe(0);
      const after = await runLoa(['commune', 'list'], env);
      expect(after.stdout).not.toContain('ban-xeo');
      const unknown = await runLoa(['commune', 'delete', 'ban-xeo', '--yes'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/Commune "ban-xeo" does not exist/);

      // What the command wrote is what the API would: the admin belongs to the commune, the audit says who.
      const db = new SqliteDatabase(join(dir, 'data', 'loa.sqlite'), { readonly: true });
      const admin = db.prepare('select role, commune_id from users where username = ?').get('bx-admin');
      const audit = db
        .prepare("select action from audit_log where target_id = 'ban-xeo' order by at")
        .all() as { action: string }[];
      db.close();
      expect(admin).toEqual({ role: 'admin', commune_id: 'ban-xeo' });
      expect(audit.map((a) => a.action)).toEqual(['commune.create', 'commune.delete']);
    },
  );
});
