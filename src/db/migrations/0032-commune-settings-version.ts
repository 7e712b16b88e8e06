import type { Kysely } from 'kysely';

/**
 * The version of a commune's settings, one more on every change, for its ETag: `updated_at` cannot tell
 * two saves within one millisecond apart (nor two under one clock reading), and a save sent back with the
 * ETag it read must never land on another's change it did not see.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('communes')
    .addColumn('settings_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('communes').dropColumn('settings_version').execute();
}
