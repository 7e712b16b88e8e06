import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A commune file of Bản Xèo whose hamlet and box ids are `hamletId` and `rx-bx-1`. */
const banXeo = (hamletId: string, code = '02755') => ({
  commune: {
    id: 'ban-xeo',
    name: 'Xã Bản Xèo',
    code,
    provinceCode: '15',
    slots: [{ name: 'morning', label: 'Buổi sáng', start: '05:30', end: '06:15' }],
  },
  languages: [{ code: 'vi', name: 'Tiếng Việt' }],
  hamlets: [{ id: hamletId, name: 'Thôn Bản Xèo', languages: ['vi'] }],
  receivers: [{ id: 'rx-bx-1', hamletId, name: 'Loa Bản Xèo' }],
});

/**
 * The commune files an operator edits by hand: a file that collides with another file, or with a commune
 * already in the database, stops `loa seed` with the file, the path inside it and the commune it collides
 * with, and writes nothing of it.
 */
describe('loa seed with commune files that collide', () => {
  const env = (schedules: string) => ({
    DATA_DIR: join(dir, 'data'),
    SCHEDULES_DIR: schedules,
    LOA_ADMIN_PASSWORD: 'admin-password-1',
    LOG_LEVEL: 'warn',
  });
  const folder = (name: string, files: Record<string, unknown>) => {
    const path = join(dir, name);
    mkdirSync(path);
    for (const [file, json] of Object.entries(files)) writeFileSync(join(path, file), JSON.stringify(json));
    return path;
  };
  const cocSan = JSON.parse(readFileSync('schedules/coc-san.json', 'utf8')) as unknown;
  const rows = (sql: string) => {
    const db = new SqliteDatabase(join(dir, 'data', 'loa.sqlite'), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };

  it(
    'refuses two files with one hamlet id, or one commune code, before applying either',
    { timeout: 60_000 },
    async () => {
      const sameHamlet = await runLoa(
        ['seed'],
        env(folder('same-hamlet', { 'coc-san.json': cocSan, 'zz.json': banXeo('un-ta') })),
      );
      expect(sameHamlet.code).toBe(1);
      expect(sameHamlet.stderr).toMatch(/zz\.json: hamlets\[0\]\.id "un-ta": already in .*coc-san\.json/);
      expect(sameHamlet.stderr).not.toMatch(/\n\s+at /);

      const sameCode = await runLoa(
        ['seed'],
        env(folder('same-code', { 'coc-san.json': cocSan, 'zz.json': banXeo('ban-xeo-1', '02746') })),
      );
      expect(sameCode.code).toBe(1);
      expect(sameCode.stderr).toMatch(/zz\.json: commune\.code 02746: already in .*coc-san\.json/);
      // Refused while reading the folder: no database was even opened.
      expect(existsSync(join(dir, 'data', 'loa.sqlite'))).toBe(false);
    },
  );

  it('says so when the folder holds no commune file, instead of applying nothing', async () => {
    const empty = await runLoa(['seed'], env(folder('empty', {})));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/empty holds no commune file \(\*\.json\): nothing to apply/);
    const missing = await runLoa(['seed'], env(join(dir, 'no-such-folder')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ENOENT: no such file or directory, scandir '.*no-such-folder'\n$/);
    // A command acting as the operator finds no admin yet: it says what to run first, in one line.
    const noAdmin = await runLoa(['user', 'list'], env(folder('still-empty', {})));
    expect(noAdmin.code).toBe(1);
    expect(noAdmin.stderr).toBe('No user tinh exists yet; run `loa serve` or `loa seed` once first.\n');
  });

  it(
    'refuses a file naming another commune’s hamlet in the database, and writes nothing of it',
    { timeout: 60_000 },
    async () => {
      expect((await runLoa(['seed'], env(folder('first', { 'coc-san.json': cocSan })))).code).toBe(0);
      const later = await runLoa(['seed'], env(folder('later', { 'ban-xeo.json': banXeo('un-ta') })));
      expect(later.code).toBe(1);
      expect(later.stderr).toMatch(
        /ban-xeo\.json: hamlets\[0\]\.id: "un-ta" is a hamlet of commune "coc-san"/,
      );
      expect(rows(`select id from communes where id = 'ban-xeo'`)).toEqual([]);
      expect(rows(`select id from receivers where id = 'rx-bx-1'`)).toEqual([]);

      const code = await runLoa(
        ['seed'],
        env(folder('code', { 'ban-xeo.json': banXeo('ban-xeo-1', '02746') })),
      );
      expect(code.code).toBe(1);
      expect(code.stderr).toMatch(/ban-xeo\.json: commune\.code: 02746 is the code of commune "coc-san"/);
    },
  );
});
