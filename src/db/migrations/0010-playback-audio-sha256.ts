import type { Kysely } from 'kysely';

/**
 * The audio a box played, as proof: agents report the SHA-256 of the file they checked and started.
 * Null for relays, for events from agents that do not send it, and for events stored before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('playback_events').addColumn('audio_sha256', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('playback_events').dropColumn('audio_sha256').execute();
}
