import type { Kysely } from 'kysely';

/**
 * Bulletins from the province (Thông tư 39/2020): the bulletin with its level and targets, one delivery
 * row per target commune (its copy of the content, the commune's decision, the broadcasts it became),
 * on each announcement the bulletin it is a commune's copy of, and on a broadcast the time it is ordered
 * by in its slot when a commune moved a priority bulletin against its own priority items.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bulletins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('province_id', 'text', (c) => c.notNull().references('provinces.id'))
    .addColumn('announcement_id', 'text', (c) => c.notNull().unique().references('announcements.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('commune_ids', 'text')
    .addColumn('answer_by', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('bulletins_province')
    .on('bulletins')
    .columns(['province_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('bulletin_deliveries')
    .addColumn('bulletin_id', 'text', (c) => c.notNull().references('bulletins.id'))
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('announcement_id', 'text', (c) => c.notNull().references('announcements.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('broadcast_ids', 'text', (c) => c.notNull())
    .addColumn('first_airing_at', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('slot_place', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bulletin_deliveries_pk', ['bulletin_id', 'commune_id'])
    .execute();
  await db.schema
    .createIndex('bulletin_deliveries_commune')
    .on('bulletin_deliveries')
    .columns(['commune_id', 'created_at'])
    .execute();

  await db.schema.alterTable('announcements').addColumn('bulletin_id', 'text').execute();
  await db.schema.alterTable('broadcasts').addColumn('slot_order_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broadcasts').dropColumn('slot_order_at').execute();
  await db.schema.alterTable('announcements').dropColumn('bulletin_id').execute();
  await db.schema.dropTable('bulletin_deliveries').execute();
  await db.schema.dropTable('bulletins').execute();
}
