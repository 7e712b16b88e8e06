import type { Kysely } from 'kysely';

/** Each column that names encoded audio, with the index `GET /media/…` looks it up by. */
const indexes = [
  ['announcement_variants_audio_sha256', 'announcement_variants', 'audio_sha256'],
  ['announcement_variants_opus_sha256', 'announcement_variants', 'opus_sha256'],
  ['broadcasts_lead_audio_sha256', 'broadcasts', 'lead_audio_sha256'],
  ['disaster_bulletins_header_sha256', 'disaster_bulletins', 'header_sha256'],
] as const;

/**
 * Every request for audio asks whether live content still uses it (withdrawn or refused content is not
 * served): without these indexes each one would read every version and broadcast of every commune.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, column] of indexes)
    await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of indexes) await db.schema.dropIndex(name).execute();
}
