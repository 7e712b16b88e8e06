import { sql, type Kysely } from 'kysely';

/**
 * One open alarm per receiver and kind, also when two dispatchers notice the same cause at once: a
 * partial unique index, which the alarms' insert skips on conflict.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('receiver_alarms_one_open')
    .on('receiver_alarms')
    .columns(['receiver_id', 'kind'])
    .unique()
    .where(sql.ref('cleared_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('receiver_alarms_one_open').execute();
}
