import { sql, type Kysely } from 'kysely';

/**
 * The province above the communes (Thông tư 39/2020: one shared system per province). Every commune
 * belongs to one; existing communes get a province made from their province code, which the province
 * file (`schedules/province.json`) names at the next start. Machine tokens let a provincial system pull
 * the province's reports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provinces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('communes').addColumn('province_id', 'text').execute();
  await db.schema.alterTable('communes').addColumn('deleted_at', 'text').execute();
  const codes = await db.selectFrom('communes').select('province_code').distinct().execute();
  const now = new Date().toISOString();
  for (const { province_code: code } of codes) {
    await db
      .insertInto('provinces')
      .values({ id: `p${code}`, code, name: `Tỉnh ${code}`, created_at: now, updated_at: now })
      .execute();
  }
  await db
    .updateTable('communes')
    .set({ province_id: sql`'p' || province_code` })
    .execute();
  await db.schema.createIndex('communes_province').on('communes').column('province_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('province_id', 'text', (c) => c.notNull().references('provinces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute();
  await db.schema.dropIndex('communes_province').execute();
  await db.schema.alterTable('communes').dropColumn('deleted_at').execute();
  await db.schema.alterTable('communes').dropColumn('province_id').execute();
  await db.schema.dropTable('provinces').execute();
}
