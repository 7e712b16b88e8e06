import type { Kysely } from 'kysely';

/**
 * The stretches a receiver was switched off and then on again. `receivers.disabled_at` says only when it
 * was last switched off; the reports expect nothing of a receiver in either.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receiver_off_periods')
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('off_from', 'text', (c) => c.notNull())
    .addColumn('off_until', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('receiver_off_periods_receiver')
    .on('receiver_off_periods')
    .columns(['receiver_id', 'off_from'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('receiver_off_periods').execute();
}
