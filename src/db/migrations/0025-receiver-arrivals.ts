import type { Kysely } from 'kysely';

/**
 * When a receiver came to its current hamlet, if it was moved there (null: it was made there). The
 * reports expect of it only that hamlet's airings from then on, not those it was never there for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('receivers').addColumn('arrived_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('receivers').dropColumn('arrived_at').execute();
}
