import type { Kysely } from 'kysely';
import type { ProvincesRepository } from '../../domain/ports/repositories.js';
import type { Province } from '../../domain/province.js';
import type { Database } from '../schema.js';

export function createProvincesRepository(db: Kysely<Database>): ProvincesRepository {
  const byCode = async (code: string): Promise<Province | undefined> =>
    db.selectFrom('provinces').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst();
  return {
    async findProvince(id) {
      return db
        .selectFrom('provinces')
        .select(['id', 'code', 'name'])
        .where('id', '=', id)
        .executeTakeFirst();
    },

    findProvinceByCode: byCode,

    async upsertProvince(province, now) {
      const existing = await byCode(province.code);
      if (!existing) {
        await db
          .insertInto('provinces')
          .values({ ...province, created_at: now, updated_at: now })
          .execute();
        return province;
      }
      // The id stays: communes and tokens point at it; the name follows the province file.
      if (existing.name !== province.name) {
        await db
          .updateTable('provinces')
          .set({ name: province.name, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
      }
      return { ...existing, name: province.name };
    },
  };
}
