import type { Kysely } from 'kysely';

/**
 * Kept originals are looked up by key when the start-up sweep asks which of them a variant still
 * holds; without an index every batch of keys would read the whole variants table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('announcement_variants_source_key')
    .on('announcement_variants')
    .column('source_key')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('announcement_variants_source_key').execute();
}
