import type { Kysely } from 'kysely';

// Types chosen so that one definition runs on SQLite and PostgreSQL: text ids, text instants,
// integer flags, `double precision` for measurements and `bigint` only where values exceed 2^31.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('communes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('province_code', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('hamlets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('languages', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('is_example', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('schedule_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_hamlets')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hamlet_id', 'text', (c) => c.notNull().references('hamlets.id'))
    .addPrimaryKeyConstraint('user_hamlets_pk', ['user_id', 'hamlet_id'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('receivers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hamlet_id', 'text', (c) => c.notNull().references('hamlets.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('disabled_at', 'text')
    .addColumn('is_example', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seen_at', 'text')
    .addColumn('last_state', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('receivers_hamlet').on('receivers').column('hamlet_id').execute();

  await db.schema
    .createTable('announcements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('hamlet_id', 'text', (c) => c.references('hamlets.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('approval', 'text', (c) => c.notNull())
    .addColumn('approval_reason', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audio_assets')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('integrated_lufs', 'double precision', (c) => c.notNull())
    .addColumn('true_peak_dbtp', 'double precision', (c) => c.notNull())
    .addColumn('lra_lu', 'double precision', (c) => c.notNull())
    .addColumn('source_codec', 'text', (c) => c.notNull())
    .addColumn('source_duration_ms', 'integer', (c) => c.notNull())
    .addColumn('source_lufs', 'double precision')
    .addColumn('peaks', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('announcement_variants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('announcement_id', 'text', (c) =>
      c.notNull().references('announcements.id').onDelete('cascade'),
    )
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text')
    .addColumn('source_name', 'text')
    .addColumn('text', 'text')
    .addColumn('voice', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('audio_sha256', 'text', (c) => c.references('audio_assets.sha256'))
    .addColumn('opus_sha256', 'text', (c) => c.references('audio_assets.sha256'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('announcement_variants_language', ['announcement_id', 'language'])
    .execute();

  await db.schema
    .createTable('broadcasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('announcement_id', 'text', (c) => c.references('announcements.id'))
    .addColumn('relay_url', 'text')
    .addColumn('relay_duration_s', 'integer')
    .addColumn('hamlet_ids', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'text')
    .addColumn('cancelled_by', 'text')
    .addColumn('materialised_until', 'text')
    .execute();

  await db.schema
    .createTable('occurrences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id'))
    .addColumn('hamlet_id', 'text', (c) => c.notNull().references('hamlets.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('slot_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('occurrences_unique_instant', ['broadcast_id', 'hamlet_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('occurrences_hamlet_time')
    .on('occurrences')
    .columns(['hamlet_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('occurrences_status_time')
    .on('occurrences')
    .columns(['status', 'starts_at'])
    .execute();

  await db.schema
    .createTable('playback_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('occurrence_id', 'text', (c) => c.notNull().references('occurrences.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('playback_events_receiver_event', ['receiver_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('playback_events_occurrence')
    .on('playback_events')
    .column('occurrence_id')
    .execute();

  await db.schema
    .createTable('receiver_heartbeats')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('receiver_id', 'text', (c) => c.notNull().references('receivers.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('volume', 'integer', (c) => c.notNull())
    .addColumn('uptime_s', 'bigint', (c) => c.notNull())
    .addColumn('free_bytes', 'bigint', (c) => c.notNull())
    .addColumn('signal', 'integer')
    .addColumn('app_version', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('receiver_heartbeats_receiver_time')
    .on('receiver_heartbeats')
    .columns(['receiver_id', 'at'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('leased_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('details', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'jobs',
    'receiver_heartbeats',
    'playback_events',
    'occurrences',
    'broadcasts',
    'announcement_variants',
    'audio_assets',
    'announcements',
    'receivers',
    'sessions',
    'user_hamlets',
    'users',
    'hamlets',
    'communes',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
