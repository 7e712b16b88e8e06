import { resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.js';

/** SQLite's online backup: consistent while the service keeps writing (WAL). */
export async function backupDatabase(config: Config, target: string): Promise<{ pages: number }> {
  const file = config.DATABASE_URL
    ? config.DATABASE_URL.replace(/^(sqlite|file):(\/\/)?/, '')
    : resolve(config.DATA_DIR, 'loa.sqlite');
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const result = await db.backup(target);
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}
