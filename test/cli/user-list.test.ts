import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));

describe('loa user list', () => {
  const env = {
    DATA_DIR: join(dir, 'data'),
    LOA_ADMIN_PASSWORD: 'admin-password-1',
    LOA_PROVINCE_ADMIN_PASSWORD: 'province-password-1',
    LOG_LEVEL: 'warn',
  };

  // Eight runs of the command, each starting Node and the runtime.
  it(
    'lists the staff of every commune of the province or of the one asked for, adds there, and names one it does not know',
    { timeout: 180_000 },
    async () => {
      const added = await runLoa(
        ['commune', 'add', '--name', 'Xã Bản Xèo', '--code', '02755', '--admin-username', 'bx-admin'],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
      const head = await runLoa(
        ['user', 'add', 'truong-un-ta', '--role', 'hamlet_head', '--hamlet', 'un-ta'],
        {
          ...env,
          LOA_PASSWORD: 'mat-khau-dai-du',
        },
      );
      expect(head.code, head.stderr).toBe(0);
      // In another commune as the province's admin, by the API's rules: it names that commune's admins.
      const second = await runLoa(['user', 'add', 'bx-pho', '--role', 'admin', '--commune', 'ban-xeo'], {
        ...env,
        LOA_PASSWORD: 'mat-khau-dai-du',
      });
      expect(second.code, second.stderr).toBe(0);
      const officer = await runLoa(
        ['user', 'add', 'bx-can-bo', '--role', 'commune_officer', '--commune', 'ban-xeo'],
        { ...env, LOA_PASSWORD: 'mat-khau-dai-du' },
      );
      expect(officer.code).toBe(1);
      expect(officer.stderr).toBe("The role commune_officer is given by the commune's administrator.\n");

      // Every commune's staff, the commune first on each line; the province's own staff under "-".
      const all = await runLoa(['user', 'list'], env);
      expect(all.code, all.stderr).toBe(0);
      const rows = rowsOf(all.stdout);
      expect(rows).toContainEqual(['ban-xeo', 'bx-admin', 'admin', '-', 'active', 'bx-admin']);
      expect(rows).toContainEqual(['coc-san', 'admin', 'admin', '-', 'active', expect.any(String)]);
      expect(rows).toContainEqual([
        'coc-san',
        'truong-un-ta',
        'hamlet_head',
        'un-ta',
        'active',
        'truong-un-ta',
      ]);
      expect(rows).toContainEqual(['-', 'tinh', 'province_admin', '-', 'active', expect.any(String)]);

      // One commune, the same columns: only its staff.
      const one = await runLoa(['user', 'list', '--commune', 'ban-xeo'], env);
      expect(one.code, one.stderr).toBe(0);
      expect(rowsOf(one.stdout).sort()).toEqual([
        ['ban-xeo', 'bx-admin', 'admin', '-', 'active', 'bx-admin'],
        ['ban-xeo', 'bx-pho', 'admin', '-', 'active', 'bx-pho'],
      ]);

      const unknown = await runLoa(['user', 'list', '--commune', 'xa-ma'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toBe(
        'Commune "xa-ma" does not exist. The communes are listed by `loa commune list`.\n',
      );
    },
  );
});
