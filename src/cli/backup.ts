import { resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.js';
import { sqliteFileOf } from '../db/connect.node.js';

/** SQLite's online backup: consistent while the service keeps writing (WAL). */
export async function backupDatabase(config: Config, target: string): Promise<{ pages: number }> {
  const db = new SqliteDatabase(sqliteFileOf(config.DATABASE_URL, resolve(config.DATA_DIR)), {
    fileMustExist: true,
  });
  try {
    const result = await db.backup(target);
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}
