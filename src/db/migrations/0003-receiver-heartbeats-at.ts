import type { Kysely } from 'kysely';

/**
 * Heartbeat history by time alone, for the retention delete (`at < cutoff`, oldest first). The
 * (receiver_id, at) index cannot serve a range on `at` without a receiver.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('receiver_heartbeats_at').on('receiver_heartbeats').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('receiver_heartbeats_at').execute();
}
