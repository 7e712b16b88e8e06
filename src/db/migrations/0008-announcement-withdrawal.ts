import type { Kysely } from 'kysely';

/**
 * Withdrawal by the author or the office (thông báo bị rút lại): when and by whom. A withdrawn
 * announcement has left the air and is never booked again, whatever its approval says.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('announcements').addColumn('withdrawn_at', 'text').execute();
  await db.schema.alterTable('announcements').addColumn('withdrawn_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('announcements').dropColumn('withdrawn_by').execute();
  await db.schema.alterTable('announcements').dropColumn('withdrawn_at').execute();
}
