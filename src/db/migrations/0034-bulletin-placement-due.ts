import type { Kysely } from 'kysely';

/**
 * A sent priority or emergency bulletin is booked into its communes after the send's own unit of work:
 * each delivery is marked due for that placement when it is written, and the mark is cleared in the unit
 * of work that books it, that records a rule's refusal, or that the commune answers in. A delivery still
 * due after a crash between the two is what sending again and the dispatcher's sweep place (found by the
 * index). Deliveries written before this migration are not due: whether they were placed is unknown.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('bulletin_deliveries').addColumn('placement_due_at', 'text').execute();
  await db.schema
    .createIndex('bulletin_deliveries_placement_due')
    .on('bulletin_deliveries')
    .column('placement_due_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('bulletin_deliveries_placement_due').execute();
  await db.schema.alterTable('bulletin_deliveries').dropColumn('placement_due_at').execute();
}
