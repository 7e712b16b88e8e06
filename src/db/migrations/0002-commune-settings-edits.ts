import type { Kysely } from 'kysely';

/** When an admin last changed the commune's settings in the app; the commune file no longer overrides them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('communes').addColumn('settings_edited_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('communes').dropColumn('settings_edited_at').execute();
}
