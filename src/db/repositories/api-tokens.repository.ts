import type { Kysely, Selectable } from 'kysely';
import { MACHINE_SCOPES, type ApiToken, type MachineScope } from '../../domain/api-token.js';
import type { ApiTokensRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';
import type { ApiTokenTable } from '../schema-province.js';

const columns = [
  'id',
  'province_id',
  'name',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
  'scopes',
] as const;

/** Machine tokens of the provinces, stored as SHA-256 digests; every query names the province. */
export function createApiTokensRepository(db: Kysely<Database>): ApiTokensRepository {
  return {
    async insertApiToken(token, now) {
      await db
        .insertInto('api_tokens')
        .values({
          id: token.id,
          province_id: token.provinceId,
          name: token.name,
          token_hash: token.tokenHash,
          scopes: JSON.stringify(token.scopes ?? ['export:read']),
          created_by: token.createdBy,
          created_at: now,
        })
        .execute();
    },

    async listApiTokens(provinceId) {
      const rows = await db
        .selectFrom('api_tokens')
        .select(columns)
        .where('province_id', '=', provinceId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toApiToken);
    },

    async findApiToken(provinceId, id) {
      const row = await db
        .selectFrom('api_tokens')
        .select(columns)
        .where('province_id', '=', provinceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApiToken(row);
    },

    async revokeApiToken(provinceId, id, now) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('province_id', '=', provinceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async findLiveApiToken(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .select(['id', 'province_id', 'name', 'scopes'])
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          provinceId: row.province_id,
          name: row.name,
          scopes: scopesOf(row.scopes),
        }
      );
    },

    async touchApiToken(id, now, unlessAfter) {
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', unlessAfter)]))
        .execute();
    },
  };
}

function toApiToken(row: Pick<Selectable<ApiTokenTable>, (typeof columns)[number]>): ApiToken {
  return {
    id: row.id,
    provinceId: row.province_id,
    name: row.name,
    scopes: scopesOf(row.scopes),
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

const scopesOf = (json: string): MachineScope[] =>
  (JSON.parse(json) as string[]).filter((s): s is MachineScope =>
    (MACHINE_SCOPES as readonly string[]).includes(s),
  );
