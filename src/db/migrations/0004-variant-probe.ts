import type { Kysely } from 'kysely';

/** What ffprobe found at upload (JSON), kept with the variant so that processing does not probe again. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('announcement_variants').addColumn('probe', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('announcement_variants').dropColumn('probe').execute();
}
