import type { Kysely } from 'kysely';
import type { Role } from '../../domain/actor.js';
import { toPage, type Page, type PageRequest } from '../../domain/page.js';
import type { UsersRepository } from '../../domain/ports/repositories.js';
import { usernameKey, type User, type UserCredentials } from '../../domain/user.js';
import type { DbCapabilities } from '../database.js';
import type { Database } from '../schema.js';

const columns = [
  'users.id',
  'users.username',
  'users.display_name',
  'users.role',
  'users.commune_id',
  'communes.province_id',
  'users.disabled_at',
  'users.created_at',
  'users.updated_at',
] as const;

/**
 * Users with their commune's province: a user's tenant is the commune, the province above it. The users
 * of a deleted commune are gone with it: they neither sign in nor show up anywhere.
 */
const selectUsers = (db: Kysely<Database>) =>
  db
    .selectFrom('users')
    .innerJoin('communes', 'communes.id', 'users.commune_id')
    .where('communes.deleted_at', 'is', null);

export function createUsersRepository(db: Kysely<Database>, capabilities: DbCapabilities): UsersRepository {
  async function hamletIdsOf(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (userIds.length === 0) return map;
    const rows = await db
      .selectFrom('user_hamlets')
      .select(['user_id', 'hamlet_id'])
      .where('user_id', 'in', [...userIds])
      .orderBy('hamlet_id')
      .execute();
    for (const row of rows) map.set(row.user_id, [...(map.get(row.user_id) ?? []), row.hamlet_id]);
    return map;
  }

  return {
    async listUsers(where, roles, page, excludeIds = []): Promise<Page<User>> {
      if (roles.length === 0) return { items: [], nextCursor: null };
      let query = selectUsers(db)
        .select(columns)
        .where(
          'communeId' in where ? 'users.commune_id' : 'communes.province_id',
          '=',
          'communeId' in where ? where.communeId : where.provinceId,
        )
        .where('users.role', 'in', [...roles])
        .orderBy('users.id')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('users.id', '>', page.cursor);
      if (excludeIds.length > 0) query = query.where('users.id', 'not in', [...excludeIds]);
      const rows = await query.execute();
      const scopes = await hamletIdsOf(rows.map((r) => r.id));
      return toPage(
        rows.map((r) => toUser(r, scopes.get(r.id) ?? [])),
        page.limit,
      );
    },

    /**
     * PostgreSQL: `for update` makes two admins disabling each other at once take turns, the second
     * seeing the first's change. SQLite: the unit of work already holds the database's write lock.
     */
    async lockActiveUsers(where, role) {
      const rows = await selectUsers(db)
        .select('users.id')
        .where(
          'communeId' in where ? 'users.commune_id' : 'communes.province_id',
          '=',
          'communeId' in where ? where.communeId : where.provinceId,
        )
        .where('users.role', '=', role)
        .where('users.disabled_at', 'is', null)
        .orderBy('users.id')
        .$if(capabilities.rowLocks, (q) => q.forUpdate('users'))
        .execute();
      return rows.map((r) => r.id);
    },

    async findUser(id: string): Promise<User | undefined> {
      const row = await selectUsers(db).select(columns).where('users.id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return toUser(row, (await hamletIdsOf([id])).get(id) ?? []);
    },

    /**
     * By the folded key, so that any case of the name finds the account; the exact spelling first, for
     * the newer of two names that folded alike before keys existed (migration 0029), which holds a key of
     * its own.
     */
    async findCredentialsByUsername(username: string): Promise<UserCredentials | undefined> {
      const exact = username.normalize('NFC');
      const rows = await selectUsers(db)
        .select([...columns, 'users.password_hash', 'users.username_key'])
        .where((eb) =>
          eb.or([eb('users.username_key', '=', usernameKey(exact)), eb('users.username', '=', exact)]),
        )
        .execute();
      const row = rows.find((r) => r.username === exact) ?? rows[0];
      if (!row) return undefined;
      return {
        ...toUser(row, (await hamletIdsOf([row.id])).get(row.id) ?? []),
        passwordHash: row.password_hash,
        usernameKey: row.username_key ?? usernameKey(row.username),
      };
    },

    async lockCredentials(userId) {
      const row = await db
        .selectFrom('users')
        .select(['password_hash', 'disabled_at'])
        .where('id', '=', userId)
        .$if(capabilities.rowLocks, (q) => q.forUpdate())
        .executeTakeFirst();
      return row && { passwordHash: row.password_hash, disabledAt: row.disabled_at };
    },

    async isUsernameTaken(username: string): Promise<boolean> {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst();
      return row !== undefined;
    },

    async countUsers(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertUser(user, now) {
      await db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          username_key: usernameKey(user.username),
          display_name: user.displayName,
          password_hash: user.passwordHash,
          role: user.role,
          commune_id: user.communeId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      if (user.hamletIds.length > 0) {
        await db
          .insertInto('user_hamlets')
          .values(user.hamletIds.map((hamlet_id) => ({ user_id: user.id, hamlet_id })))
          .execute();
      }
    },

    async updateUser(id, changes, now) {
      await db
        .updateTable('users')
        .set({
          ...(changes.displayName !== undefined && { display_name: changes.displayName }),
          ...(changes.role !== undefined && { role: changes.role }),
          ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
          ...(changes.disabledAt !== undefined && { disabled_at: changes.disabledAt }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      if (changes.hamletIds !== undefined) {
        await db.deleteFrom('user_hamlets').where('user_id', '=', id).execute();
        if (changes.hamletIds.length > 0) {
          await db
            .insertInto('user_hamlets')
            .values(changes.hamletIds.map((hamlet_id) => ({ user_id: id, hamlet_id })))
            .execute();
        }
      }
    },
  };
}

function toUser(
  row: {
    id: string;
    username: string;
    display_name: string;
    role: Role;
    commune_id: string;
    province_id: string | null;
    disabled_at: string | null;
    created_at: string;
    updated_at: string;
  },
  hamletIds: readonly string[],
): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    communeId: row.commune_id,
    provinceId: row.province_id ?? '',
    hamletIds,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
