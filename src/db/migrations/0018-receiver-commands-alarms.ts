import type { Kysely } from 'kysely';

/**
 * Remote control and alarms of the boxes: commands issued to a receiver with their state and answer;
 * alarms with when they started and cleared; and on each receiver its latest free storage and its run
 * of failed playbacks, which the dispatcher reads to raise and clear alarms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receiver_commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('hamlet_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('args', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('result', 'text')
    .execute();
  // Every heartbeat looks up its box's open commands: by receiver and state, however long its history.
  await db.schema
    .createIndex('receiver_commands_receiver')
    .on('receiver_commands')
    .columns(['receiver_id', 'state'])
    .execute();
  await db.schema
    .createIndex('receiver_commands_open')
    .on('receiver_commands')
    .columns(['state', 'expires_at'])
    .execute();

  await db.schema
    .createTable('receiver_alarms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('receiver_alarms_open')
    .on('receiver_alarms')
    .columns(['cleared_at', 'receiver_id'])
    .execute();

  await db.schema.alterTable('receivers').addColumn('free_bytes', 'bigint').execute();
  await db.schema
    .alterTable('receivers')
    .addColumn('playback_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('receivers').dropColumn('playback_failures').execute();
  await db.schema.alterTable('receivers').dropColumn('free_bytes').execute();
  await db.schema.dropTable('receiver_alarms').execute();
  await db.schema.dropTable('receiver_commands').execute();
}
