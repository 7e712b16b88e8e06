import type { Kysely } from 'kysely';

/**
 * The key a request is made under (a confirmation page's one-time key, an API client's
 * `Idempotency-Key`), kept on what it made: the same request sent twice (a double click, a retry over a
 * dropped link) finds the first one's booking, event or bulletin instead of making a second. Unique per
 * commune; requests without a key leave it null.
 */
const keyed = ['broadcasts', 'disaster_events', 'disaster_bulletins'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of keyed) {
    await db.schema.alterTable(table).addColumn('idempotency_key', 'text').execute();
    await db.schema
      .createIndex(`${table}_idempotency_key`)
      .on(table)
      .columns(['commune_id', 'idempotency_key'])
      .unique()
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of keyed) {
    await db.schema.dropIndex(`${table}_idempotency_key`).execute();
    await db.schema.alterTable(table).dropColumn('idempotency_key').execute();
  }
}
