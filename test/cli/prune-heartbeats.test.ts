import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoa } from '../support/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loa prune-heartbeats', () => {
  it('deletes the heartbeat history older than HEARTBEAT_RETENTION_DAYS and keeps the rest', async () => {
    const env = { DATA_DIR: join(dir, 'data'), LOA_ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'warn' };
    expect((await runLoa(['seed'], env)).code).toBe(0);
    const file = join(dir, 'data', 'loa.sqlite');
    const db = new SqliteDatabase(file);
    const { id: receiverId } = db.prepare('select id from receivers order by id limit 1').get() as {
      id: string;
    };
    const day = 86_400_000;
    const insert = db.prepare(
      `insert into receiver_heartbeats (id, receiver_id, at, volume, uptime_s, free_bytes, signal, app_version)
       values (?, ?, ?, 80, 3600, 1000000, -70, '1.0.0')`,
    );
    // The command runs by the real clock.
    for (const [id, age] of [
      ['h40', 40 * day],
      ['h10', 10 * day],
      ['h1', 1 * day],
    ] as const) {
      insert.run(id, receiverId, new Date(Date.now() - age).toISOString());
    }
    db.close();

    const week = await runLoa(['prune-heartbeats'], { ...env, HEARTBEAT_RETENTION_DAYS: '7' });
    expect(week.code, week.stderr).toBe(0);
    expect(week.stdout).toMatch(
      /^Deleted 2 heartbeat rows recorded before \S+Z \(HEARTBEAT_RETENTION_DAYS=7\)\./,
    );
    const bad = await runLoa(['prune-heartbeats'], { ...env, HEARTBEAT_RETENTION_DAYS: '0' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HEARTBEAT_RETENTION_DAYS: must be between 1 and 3650 \(got "0"\)/);

    const check = new SqliteDatabase(file, { readonly: true });
    const left = check.prepare('select id from receiver_heartbeats order by at').all() as { id: string }[];
    check.close();
    expect(left.map((r) => r.id)).toEqual(['h1']);
  });
});
