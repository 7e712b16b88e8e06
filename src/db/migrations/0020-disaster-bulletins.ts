import type { Kysely } from 'kysely';

/**
 * Disaster bulletins (QĐ 18/2021): events that group bulletins 1…n, each bulletin with its risk level,
 * hazard type, agency, issue time and the broadcast that repeats it; and a spoken lead-in on broadcasts
 * (the audio a receiver plays before the content: a bulletin's header with its issue time), stored with
 * its duration so that the dispatcher books the air time without reading the asset.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broadcasts').addColumn('lead_audio_sha256', 'text').execute();
  await db.schema.alterTable('broadcasts').addColumn('lead_duration_ms', 'integer').execute();

  await db.schema
    .createTable('disaster_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hazard_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .execute();
  await db.schema
    .createIndex('disaster_events_commune')
    .on('disaster_events')
    .columns(['commune_id', 'status'])
    .execute();

  await db.schema
    .createTable('disaster_bulletins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('disaster_events.id'))
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('announcement_id', 'text', (c) => c.notNull().references('announcements.id'))
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id'))
    .addColumn('risk_level', 'integer', (c) => c.notNull())
    .addColumn('hazard_type', 'text', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('every_hours', 'integer', (c) => c.notNull())
    .addColumn('header_text', 'text', (c) => c.notNull())
    .addColumn('header_sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    // Two officers adding bulletin n at once: one of them gets n+1 or a clear refusal, never two n.
    .addUniqueConstraint('disaster_bulletins_event_sequence', ['event_id', 'sequence'])
    .execute();
  await db.schema
    .createIndex('disaster_bulletins_broadcast')
    .on('disaster_bulletins')
    .column('broadcast_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('disaster_bulletins').execute();
  await db.schema.dropTable('disaster_events').execute();
  await db.schema.alterTable('broadcasts').dropColumn('lead_duration_ms').execute();
  await db.schema.alterTable('broadcasts').dropColumn('lead_audio_sha256').execute();
}
