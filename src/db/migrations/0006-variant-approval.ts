import { sql, type Kysely } from 'kysely';

/**
 * Approval per language version: a version added to an approved announcement waits for the office
 * before it airs, while the versions already approved keep airing. Existing versions take their
 * announcement's decision.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('announcement_variants')
    .addColumn('approval', 'text', (c) => c.notNull().defaultTo('pending'))
    .execute();
  await db
    .updateTable('announcement_variants')
    .set({
      approval: sql`(select a.approval from announcements a where a.id = announcement_variants.announcement_id)`,
    })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('announcement_variants').dropColumn('approval').execute();
}
