import { sql, type Kysely } from 'kysely';

/**
 * The first start of a series not materialised yet (null once it has ended), indexed, so that a
 * dispatcher tick reads only the series that have an airing inside the new stretch of its horizon
 * instead of every live series. Existing series start from their materialised horizon; their first
 * tick works out the real value.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broadcasts').addColumn('next_start_at', 'text').execute();
  await db
    .updateTable('broadcasts')
    .set({ next_start_at: sql`materialised_until` })
    .where('cancelled_at', 'is', null)
    .where('materialised_until', 'is not', null)
    .execute();
  await db.schema.createIndex('broadcasts_next_start_at').on('broadcasts').column('next_start_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('broadcasts_next_start_at').execute();
  await db.schema.alterTable('broadcasts').dropColumn('next_start_at').execute();
}
