import { sql, type Kysely } from 'kysely';
import { hamletNameKey, twinNameKey } from '../../domain/hamlet.js';

/**
 * A hamlet's name is one in its commune, compared as a person reads it: each row gets the folded key it
 * is refused by (`hamletNameKey`, computed here because SQLite's `lower()` folds ASCII only), unique
 * among the commune's live hamlets; a deleted hamlet leaves its name free.
 *
 * Hamlets named alike before must not stop the upgrade, nor lose their schedules, receivers or people:
 * the older live one holds the key, and each other gets one of its own (`twinNameKey`) until an admin
 * renames it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('hamlets').addColumn('name_key', 'text').execute();
  const hamlets: { id: string; commune_id: string; name: string; deleted_at: string | null }[] = await db
    .selectFrom('hamlets')
    .select(['id', 'commune_id', 'name', 'deleted_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const held = new Set<string>();
  for (const hamlet of hamlets) {
    const key = hamletNameKey(hamlet.name);
    const where = JSON.stringify([hamlet.commune_id, key]);
    const live = hamlet.deleted_at === null;
    const own = live && held.has(where) ? twinNameKey(key, hamlet.id) : key;
    if (live) held.add(where);
    await db.updateTable('hamlets').set({ name_key: own }).where('id', '=', hamlet.id).execute();
  }
  await db.schema
    .createIndex('hamlets_by_name_key')
    .on('hamlets')
    .columns(['commune_id', 'name_key'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('hamlets_by_name_key').execute();
  await db.schema.alterTable('hamlets').dropColumn('name_key').execute();
}
