import { sql, type Kysely } from 'kysely';

/**
 * The booking a broadcast was made in: its own id, or one id shared by the broadcasts of a province's
 * emergency booked in every commune at once. An emergency then travels as one event naming its booking,
 * and each instance finds the occurrences due for the hamlets it holds channels for with one indexed query.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broadcasts').addColumn('booking_id', 'text').execute();
  await db
    .updateTable('broadcasts')
    .set({ booking_id: sql`id` })
    .execute();
  await db.schema.createIndex('broadcasts_booking_id').on('broadcasts').column('booking_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('broadcasts_booking_id').execute();
  await db.schema.alterTable('broadcasts').dropColumn('booking_id').execute();
}
