import type { Kysely } from 'kysely';

/**
 * CAP 1.2 alerts in: what each machine token opens (`scopes`, the export for tokens made before), the
 * alerts received (one row per message, unique by province and sender/identifier/sent, the document
 * kept for the record), and what each alert became in each commune it reached: an airing (a disaster
 * event and bulletin), an item in the officer's review queue, or cancelled, replaced, expired.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["export:read"]'))
    .execute();

  await db.schema
    .createTable('cap_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('province_id', 'text', (c) => c.notNull().references('provinces.id'))
    .addColumn('alert_key', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('sent', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('msg_type', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('received_via', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    // A message sent twice (a retry, two feeds carrying it) is one alert.
    .addUniqueConstraint('cap_alerts_province_key', ['province_id', 'alert_key'])
    .execute();

  await db.schema
    .createTable('cap_alert_communes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('alert_id', 'text', (c) => c.notNull().references('cap_alerts.id'))
    .addColumn('commune_id', 'text', (c) => c.notNull().references('communes.id'))
    .addColumn('hamlet_ids', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('announcement_id', 'text', (c) => c.references('announcements.id'))
    .addColumn('event_id', 'text', (c) => c.references('disaster_events.id'))
    .addColumn('bulletin_id', 'text', (c) => c.references('disaster_bulletins.id'))
    // A priority alert airs as a broadcast in the next standing slot, not as a bulletin.
    .addColumn('broadcast_id', 'text', (c) => c.references('broadcasts.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cap_alert_communes_commune')
    .on('cap_alert_communes')
    .columns(['commune_id', 'state'])
    .execute();
  await db.schema
    .createIndex('cap_alert_communes_alert')
    .on('cap_alert_communes')
    .column('alert_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cap_alert_communes').execute();
  await db.schema.dropTable('cap_alerts').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scopes').execute();
}
