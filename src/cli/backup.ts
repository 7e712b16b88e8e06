import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.js';
import { sqliteFileOf } from '../db/connect.node.js';

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A backup refused or failed for a reason the operator can fix: a file, a folder or a setting. */
export class BackupError extends Error {}

/** The service's database, opened only when it is one: a wrong DATA_DIR must not give a "backup". */
function openSource(source: string, setting: string): SqliteDatabase.Database {
  const fix = `set ${setting} to the service's.`;
  if (!existsSync(source)) throw new BackupError(`No database at ${source}: ${fix}`);
  let db: SqliteDatabase.Database | undefined;
  try {
    db = new SqliteDatabase(source, { fileMustExist: true });
    if (db.prepare(`select 1 from sqlite_master where name = 'kysely_migration'`).get()) return db;
  } catch (error) {
    db?.close();
    if (!(error instanceof SqliteDatabase.SqliteError)) throw error;
    throw new BackupError(`${source} cannot be read as a database (${error.message}): ${fix}`);
  }
  db.close();
  throw new BackupError(`${source} holds no Loa database: ${fix}`);
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the partial copies beside `target` that runs killed mid-copy left (Ctrl-C, the OOM killer, a
 * power cut): each is as large as the database, and a nightly backup would otherwise pile them up. One
 * whose process still runs is another backup at work.
 */
function removeDeadPartials(target: string): void {
  const folder = dirname(target);
  const prefix = `${basename(target)}.partial-`;
  for (const name of readdirSync(folder)) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid)) rmSync(join(folder, name), { force: true });
  }
}

/**
 * A consistent copy of the SQLite database while the service keeps writing: `VACUUM INTO` reads one
 * snapshot (WAL), where the online backup API starts over at every write and may never finish. The copy
 * is written beside the target and renamed onto it only when whole, so a failed run keeps the last good
 * backup; only its owner may read it.
 */
export async function backupDatabase(config: Config, target: string): Promise<{ bytes: number }> {
  const source = sqliteFileOf(config.DATABASE_URL, resolve(config.DATA_DIR));
  const real = (file: string) => (existsSync(file) ? realpathSync(file) : resolve(file));
  const database = real(source);
  if ([database, `${database}-wal`, `${database}-shm`].includes(real(target))) {
    throw new BackupError(`${target} is the database itself; give another file.`);
  }
  if (!existsSync(dirname(resolve(target)))) {
    throw new BackupError(`The folder ${dirname(resolve(target))} does not exist.`);
  }
  const db = openSource(source, config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR');
  const partial = `${resolve(target)}.partial-${process.pid}`;
  try {
    db.pragma('busy_timeout = 5000');
    try {
      // This process id's own is stale too: the process that left it is gone.
      rmSync(partial, { force: true });
      removeDeadPartials(resolve(target));
      // Owner-only from its first page: it holds every password hash, as secret.key (0600) does.
      closeSync(openSync(partial, 'wx', 0o600));
      db.prepare('VACUUM INTO ?').run(partial);
    } catch (error) {
      throw new BackupError(`Cannot write the backup ${target}: ${(error as Error).message}`);
    }
    // On disk before it takes the name: a power cut must not leave a cut copy where the last good one was.
    syncFile(partial);
    renameSync(partial, target);
    syncFile(dirname(resolve(target)));
    return { bytes: statSync(target).size };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
