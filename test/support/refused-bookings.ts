import { sql, type Kysely } from 'kysely';

/**
 * Makes the database itself refuse new broadcasts until `lift()` — every one, or those of one commune: a
 * trigger raises on insert, as a database that went away or filled up between two units of work fails
 * the second. Whatever a unit of work wrote before its booking is rolled back with it; units that
 * committed before stay.
 */
export async function refuseBookings(
  db: Kysely<any>,
  dialect: 'sqlite' | 'postgres',
  communeId?: string,
): Promise<{ lift(): Promise<void> }> {
  const only = communeId === undefined ? sql`true` : sql`new.commune_id = ${sql.lit(communeId)}`;
  if (dialect === 'sqlite') {
    await sql`create trigger refuse_broadcasts before insert on broadcasts when ${only}
      begin select raise(abort, 'the database refused the write'); end`.execute(db);
  } else {
    await sql`create or replace function refuse_broadcast() returns trigger language plpgsql as $$
      begin raise exception 'the database refused the write'; end $$`.execute(db);
    await sql`create trigger refuse_broadcasts before insert on broadcasts
      for each row when (${only}) execute function refuse_broadcast()`.execute(db);
  }
  return {
    async lift() {
      if (dialect === 'sqlite') await sql`drop trigger refuse_broadcasts`.execute(db);
      else await sql`drop trigger refuse_broadcasts on broadcasts`.execute(db);
    },
  };
}
