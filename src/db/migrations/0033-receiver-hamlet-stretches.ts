import { sql, type Kysely } from 'kysely';

/**
 * Each receiver's stretches per hamlet: in `hamlet_id` from `arrived_at` until `left_at` (null: it is
 * there now). The reports count an airing under the hamlet the box was in when it aired, so a move
 * leaves what it aired before with the hamlet it aired for.
 *
 * Every receiver gets one open stretch in its hamlet. A box moved before this migration has no record of
 * where it was (only when it came, `receivers.arrived_at`): its stretch starts then, so the reports keep
 * expecting nothing of it from before, as they did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receiver_hamlet_stretches')
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('hamlet_id', 'text', (c) => c.notNull().references('hamlets.id'))
    .addColumn('arrived_at', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text')
    .execute();
  // The reports join a hamlet's airings to the boxes there at the time: by hamlet, then arrival.
  await db.schema
    .createIndex('receiver_hamlet_stretches_hamlet')
    .on('receiver_hamlet_stretches')
    .columns(['hamlet_id', 'arrived_at'])
    .execute();
  // A box is in one hamlet at a time, also when two admins move it at once.
  await db.schema
    .createIndex('receiver_hamlet_stretches_open')
    .on('receiver_hamlet_stretches')
    .column('receiver_id')
    .unique()
    .where(sql.ref('left_at'), 'is', null)
    .execute();
  await db
    .insertInto('receiver_hamlet_stretches')
    .columns(['receiver_id', 'hamlet_id', 'arrived_at', 'left_at'])
    .expression(
      db
        .selectFrom('receivers')
        .select((eb) => [
          'id',
          'hamlet_id',
          eb.fn.coalesce('arrived_at', 'created_at').as('arrived_at'),
          sql<null>`null`.as('left_at'),
        ]),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('receiver_hamlet_stretches').execute();
}
