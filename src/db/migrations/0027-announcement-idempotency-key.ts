import type { Kysely } from 'kysely';

/**
 * The key an upload or a typed text was sent under: a phone that lost its 4G link before the 202 sends the
 * recording again under it and finds the announcement the first copy made. Unique per commune; null
 * without a key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('announcements').addColumn('idempotency_key', 'text').execute();
  await db.schema
    .createIndex('announcements_idempotency_key')
    .on('announcements')
    .columns(['commune_id', 'idempotency_key'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('announcements_idempotency_key').execute();
  await db.schema.alterTable('announcements').dropColumn('idempotency_key').execute();
}
