import type { Kysely, Selectable } from 'kysely';
import type { Commune, CommuneSettings, StoredCommune } from '../../domain/commune.js';
import type { CommunesRepository } from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { CommuneTable, Database } from '../schema.js';

export function createCommunesRepository(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'rowLocks'>,
): CommunesRepository {
  return {
    async listCommunes(provinceId) {
      const rows = await db
        .selectFrom('communes')
        .selectAll()
        .where('province_id', '=', provinceId)
        .where('deleted_at', 'is', null)
        .orderBy('name')
        .execute();
      return rows.map(toCommune);
    },

    async insertCommune(commune, now) {
      await db
        .insertInto('communes')
        .values({
          id: commune.id,
          name: commune.name,
          code: commune.code,
          province_code: commune.provinceCode,
          province_id: commune.provinceId,
          time_zone: commune.timeZone,
          settings: JSON.stringify(commune.settings),
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async isCommuneIdTaken(id, code) {
      const row = await db
        .selectFrom('communes')
        .select('id')
        .where((eb) => eb.or([eb('id', '=', id), eb('code', '=', code)]))
        .executeTakeFirst();
      return row !== undefined;
    },

    async findCommunes(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('communes')
        .selectAll()
        .where('id', 'in', [...ids])
        .where('deleted_at', 'is', null)
        .execute();
      return rows.map(toCommune);
    },

    async findCommune(id: string): Promise<StoredCommune | undefined> {
      const row = await db
        .selectFrom('communes')
        .selectAll()
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row && { ...toCommune(row), settingsVersion: Number(row.settings_version) };
    },

    async softDeleteCommune(id, now) {
      await db
        .updateTable('communes')
        .set({ deleted_at: now, updated_at: now })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .execute();
    },

    async listReceiverIds(communeId) {
      const rows = await db
        .selectFrom('receivers as r')
        .innerJoin('hamlets as h', 'h.id', 'r.hamlet_id')
        .select('r.id')
        .where('h.commune_id', '=', communeId)
        .orderBy('r.id')
        .execute();
      return rows.map((r) => r.id);
    },

    async findCommuneByCode(code: string): Promise<Commune | undefined> {
      const row = await db
        .selectFrom('communes')
        .selectAll()
        .where('code', '=', code)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row && toCommune(row);
    },

    async lockCommune(id) {
      if (!capabilities.rowLocks) return;
      // Not `FOR UPDATE`: a booking's rows point at the commune, and their key checks would wait on it.
      await db.selectFrom('communes').select('id').where('id', '=', id).forNoKeyUpdate().execute();
    },

    async updateSettings(id: string, settings: CommuneSettings, now: string): Promise<void> {
      await db
        .updateTable('communes')
        .set((eb) => ({
          settings: JSON.stringify(settings),
          settings_edited_at: now,
          settings_version: eb('settings_version', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', id)
        .execute();
    },

    /** Seeding: insert the commune, or refresh its descriptive fields and settings from the file. */
    async upsertCommune(commune: Commune, now: string): Promise<'inserted' | 'updated' | 'unchanged'> {
      const existing = await db
        .selectFrom('communes')
        .selectAll()
        .where('id', '=', commune.id)
        .executeTakeFirst();
      const values = {
        name: commune.name,
        code: commune.code,
        province_code: commune.provinceCode,
        province_id: commune.provinceId,
        time_zone: commune.timeZone,
        settings: JSON.stringify(commune.settings),
      };
      if (!existing) {
        await db
          .insertInto('communes')
          .values({ id: commune.id, ...values, created_at: now, updated_at: now })
          .execute();
        return 'inserted';
      }
      // Settings an admin changed in the app win over the file; the rest still follows it, and so do the
      // languages, which the app does not edit.
      if (existing.settings_edited_at) {
        const kept = JSON.parse(existing.settings) as CommuneSettings;
        values.settings = JSON.stringify({ ...kept, languages: commune.settings.languages });
      }
      const same = (Object.keys(values) as (keyof typeof values)[]).every((k) => existing[k] === values[k]);
      if (same) return 'unchanged';
      await db
        .updateTable('communes')
        .set((eb) => ({ ...values, settings_version: eb('settings_version', '+', 1), updated_at: now }))
        .where('id', '=', commune.id)
        .execute();
      return 'updated';
    },
  };
}

function toCommune(row: Selectable<CommuneTable>): Commune {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    provinceCode: row.province_code,
    provinceId: row.province_id ?? '',
    timeZone: row.time_zone,
    settings: JSON.parse(row.settings) as CommuneSettings,
  };
}
