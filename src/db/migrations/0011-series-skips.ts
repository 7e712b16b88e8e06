import type { Kysely } from 'kysely';

/**
 * Airings of a series cancelled one by one before they are materialised (`[{hamletId, at}]`), kept with
 * the broadcast so that the dispatcher, extending the series week after week, never creates them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('broadcasts')
    .addColumn('skips', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broadcasts').dropColumn('skips').execute();
}
