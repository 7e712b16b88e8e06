import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { DATA_DIR: join(dir, 'data'), LOA_ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'warn' };
beforeAll(async () => {
  const seeded = await runLoa(['seed'], env);
  expect(seeded.code, seeded.stderr).toBe(0);
}, 60_000);

/** One line on standard error, no stack trace, exit code 1: what README promises of every refusal. */
const refused = (result: { code: number | null; stderr: string }) => {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
};

describe('loa backup', () => {
  it('names the database it could not find or read, and copies nothing, when it is not a Loa database', async () => {
    const target = join(dir, 'nothing.sqlite');
    const noFolder = await runLoa(['backup', target], { ...env, DATA_DIR: join(dir, 'no-such-folder') });
    refused(noFolder);
    expect(noFolder.stderr).toContain(join(dir, 'no-such-folder', 'loa.sqlite'));
    expect(noFolder.stderr).toMatch(/DATA_DIR/);

    mkdirSync(join(dir, 'empty-folder'));
    refused(await runLoa(['backup', target], { ...env, DATA_DIR: join(dir, 'empty-folder') }));

    // A file that is no database, and an empty one that SQLite opens as a database with nothing in it.
    writeFileSync(join(dir, 'notes.txt'), 'not a database\n'.repeat(100));
    const text = await runLoa(['backup', target], {
      ...env,
      DATABASE_URL: `sqlite:${join(dir, 'notes.txt')}`,
    });
    refused(text);
    expect(text.stderr).toContain(join(dir, 'notes.txt'));
    writeFileSync(join(dir, 'empty.sqlite'), '');
    const empty = await runLoa(['backup', target], {
      ...env,
      DATABASE_URL: `sqlite:${join(dir, 'empty.sqlite')}`,
    });
    refused(empty);
    expect(empty.stderr).toContain(join(dir, 'empty.sqlite'));

    expect(readdirSync(dir).filter((f) => f.startsWith('nothing.sqlite'))).toEqual([]);
  });

  // /proc: a folder that exists and takes no new file, for root too.
  it.skipIf(process.platform !== 'linux')('says in one line which backup it could not write', async () => {
    const result = await runLoa(['backup', '/proc/loa-backup.sqlite'], env);
    refused(result);
    expect(result.stderr).toContain('/proc/loa-backup.sqlite');
  });

  it('removes the partial copy a killed run left, and keeps one another backup is writing', async () => {
    const target = join(dir, 'weekly.sqlite');
    // The process id of a run killed mid-copy: that process is gone.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout;
    const dead = `${target}.partial-${gone.toString()}`;
    const live = `${target}.partial-${process.pid}`;
    writeFileSync(dead, 'half a copy');
    writeFileSync(live, 'a copy being written');
    const backup = await runLoa(['backup', target], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('weekly.sqlite'))
        .sort(),
    ).toEqual(['weekly.sqlite', `weekly.sqlite.partial-${process.pid}`]);
    rmSync(live);
  });

  it('writes the copy readable by its owner only, also over an earlier one that was not', async () => {
    const target = join(dir, 'nightly.sqlite');
    writeFileSync(target, '');
    chmodSync(target, 0o644);
    const backup = await runLoa(['backup', target], env);
    expect(backup.code, backup.stderr).toBe(0);
    // It holds every password hash and the sealed webhook secrets, like secret.key (0600) beside it.
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const copy = new SqliteDatabase(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
