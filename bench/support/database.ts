// A database of a bench's own: a temporary SQLite folder, and with `admin` (a PostgreSQL URL) a new
// database next to it, dropped again by `drop()` so that runs never see each other's rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/schema.js';

export interface BenchDatabase {
  readonly dataDir: string;
  /** The PostgreSQL database's URL; undefined for SQLite in `dataDir`. */
  readonly url: string | undefined;
  readonly drop: () => Promise<void>;
}

export async function createBenchDatabase(label: string, admin: string | undefined): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `loa-bench-${label}-`));
  if (!admin) return { dataDir, url: undefined, drop: async () => rmSync(dataDir, { recursive: true }) };
  const name = `loa_bench_${label}_${Date.now().toString(36)}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    dataDir,
    url: url.toString(),
    drop: async () => {
      await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true });
    },
  };
}

const CHUNK = 1000;

/** Rows written straight into a table, a thousand to a statement (PostgreSQL takes at most 65,535 parameters). */
export async function insertRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
}

/** The `c`-th commune of a bench's province, with the seeded commune's settings. */
export function benchCommune(
  c: number,
  seeded: { readonly settings: string; readonly province_id: string | null },
  at: string,
): Insertable<Database['communes']> {
  return {
    id: `bench-${c}`,
    name: `Xã thử ${c}`,
    code: String(80000 + c),
    province_code: '15',
    province_id: seeded.province_id,
    time_zone: 'Asia/Ho_Chi_Minh',
    settings: seeded.settings,
    created_at: at,
    updated_at: at,
  };
}
