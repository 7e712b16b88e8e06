import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.node.js';
import type { Db } from '../../src/db/database.js';
import { chunked, runInTurn } from '../../src/db/in-turn.js';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.js';

// A type alias, not an interface: withTables wants an object type with an index signature.
type Tables = { in_turn: { id: number; n: number } };

describe.each(dialects)('runInTurn on %s', (dialect) => {
  let database: TestDatabase;
  let connection: Db;
  let db: Kysely<Tables>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    connection = connectDatabase(database.url, database.dataDir);
    db = connection.kysely.withTables<Tables>();
    await sql`create table in_turn (id integer primary key, n integer not null)`.execute(db);
  });
  afterAll(async () => {
    await connection.close();
    await database.drop();
  });
  const ids = async () =>
    (await db.selectFrom('in_turn').select(['id', 'n']).orderBy('id').execute()).map((r) => [r.id, r.n]);

  it('runs the statements in order and counts the rows they changed', async () => {
    await db.deleteFrom('in_turn').execute();
    const rows = [1, 2, 3, 4, 5].map((id) => ({ id, n: 0 }));
    const statements = [
      ...chunked(rows, 2, (part) => db.insertInto('in_turn').values([...part])),
      // Sees every row the inserts before it made.
      db.updateTable('in_turn').set({ n: 7 }).where('id', '<=', 5),
    ];
    expect(await runInTurn(db, statements)).toBe(10);
    expect(await ids()).toEqual([1, 2, 3, 4, 5].map((id) => [id, 7]));
  });

  it('runs in the unit of work it is given, on its one connection', async () => {
    await db.deleteFrom('in_turn').execute();
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, n: i }));
    await expect(
      db.transaction().execute(async (trx) => {
        expect(
          await runInTurn(
            trx,
            chunked(rows, 10, (part) => trx.insertInto('in_turn').values([...part])),
          ),
        ).toBe(25);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await ids()).toEqual([]);
  });

  it('stops at the first statement that fails and throws its error', async () => {
    await db.deleteFrom('in_turn').execute();
    const built: number[] = [];
    function* statements() {
      for (const id of [1, 1, 9, 10]) {
        built.push(id);
        yield db.insertInto('in_turn').values({ id, n: 0 });
      }
    }
    await expect(runInTurn(db, statements())).rejects.toThrow(/unique|duplicate/i);
    // The statement after the failing one was built while it ran, and never sent; nothing after it was built.
    expect(built).toEqual([1, 1, 9]);
    expect(await ids()).toEqual([[1, 0]]);
  });

  it('changes nothing for no statements', async () => {
    expect(
      await runInTurn(
        db,
        chunked([], 100, (part) => db.insertInto('in_turn').values([...part])),
      ),
    ).toBe(0);
  });
});
