import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
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

/** Where a backup would overwrite the database it copies. */
export class BackupTargetError extends Error {}

/**
 * A consistent copy of the SQLite database while the service keeps writing: `VACUUM INTO` reads one
 * snapshot (WAL), where the online backup API starts over at every write and may never finish. The copy
 * is written beside the target and renamed onto it only when whole, so a failed run keeps the last good
 * backup.
 */
export async function backupDatabase(config: Config, target: string): Promise<{ bytes: number }> {
  const source = sqliteFileOf(config.DATABASE_URL, resolve(config.DATA_DIR));
  const real = (file: string) => (existsSync(file) ? realpathSync(file) : resolve(file));
  const database = real(source);
  if ([database, `${database}-wal`, `${database}-shm`].includes(real(target))) {
    throw new BackupTargetError(`${target} is the database itself; give another file.`);
  }
  if (!existsSync(dirname(resolve(target)))) {
    throw new BackupTargetError(`The folder ${dirname(resolve(target))} does not exist.`);
  }
  const partial = `${resolve(target)}.partial-${process.pid}`;
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(partial);
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
