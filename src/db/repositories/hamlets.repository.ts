import { sql, type Kysely, type Selectable } from 'kysely';
import { hamletNameKey, TWIN_MARK, type Hamlet, type HamletValues } from '../../domain/hamlet.js';
import { toPage, type Page, type PageRequest } from '../../domain/page.js';
import type { HamletsRepository } from '../../domain/ports/repositories.js';
import type { DbCapabilities } from '../database.js';
import type { Database, HamletTable } from '../schema.js';

const columns = [
  'id',
  'commune_id',
  'name',
  'languages',
  'lat',
  'lon',
  'is_example',
  'schedule_version',
  'created_at',
  'updated_at',
] as const;

export function createHamletsRepository(
  db: Kysely<Database>,
  capabilities: DbCapabilities,
): HamletsRepository {
  return {
    /** `scope` is the caller's hamlet ids, or 'all'. */
    async listHamlets(
      communeId: string,
      scope: 'all' | readonly string[],
      page: PageRequest,
    ): Promise<Page<Hamlet>> {
      if (scope !== 'all' && scope.length === 0) return { items: [], nextCursor: null };
      let query = db
        .selectFrom('hamlets')
        .select(columns)
        .where('commune_id', '=', communeId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .limit(page.limit + 1);
      if (scope !== 'all') query = query.where('id', 'in', [...scope]);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage((await query.execute()).map(toHamlet), page.limit);
    },

    async findHamlet(id: string): Promise<Hamlet | undefined> {
      const row = await db
        .selectFrom('hamlets')
        .select(columns)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row && toHamlet(row);
    },

    /** Ids that exist (and are not deleted) among `ids`, for validating a user's scope or a broadcast. */
    async findExistingHamletIds(communeId: string, ids: readonly string[]): Promise<readonly string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('hamlets')
        .select('id')
        .where('commune_id', '=', communeId)
        .where('deleted_at', 'is', null)
        .where('id', 'in', [...ids])
        .execute();
      return rows.map((r) => r.id);
    },

    async isIdTaken(id: string): Promise<boolean> {
      const row = await db.selectFrom('hamlets').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    async findCommuneOfHamlet(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('hamlets').select('commune_id').where('id', '=', id).executeTakeFirst();
      return row?.commune_id;
    },

    async findHamletNamed(communeId: string, name: string) {
      const key = hamletNameKey(name);
      const twin = `${key}${TWIN_MARK}`;
      // Twins are matched by their key's beginning; `substr` and `length` count characters alike in
      // SQLite and PostgreSQL, and LIKE would read the `%` and `_` a name may hold.
      return db
        .selectFrom('hamlets')
        .select(['id', 'name'])
        .where('commune_id', '=', communeId)
        .where('deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('name_key', '=', key),
            eb(sql<string>`substr(name_key, 1, ${[...twin].length})`, '=', twin),
          ]),
        )
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
    },

    /**
     * Nothing when the id or the name's key is taken (the id by a deleted hamlet too): on PostgreSQL the
     * insert of another unit of work not yet committed is waited for, instead of a unique index aborting
     * this one.
     */
    async insertHamlet(
      values: HamletValues & { id: string; communeId: string; isExample?: boolean },
      now: string,
    ): Promise<boolean> {
      const result = await db
        .insertInto('hamlets')
        .values({
          id: values.id,
          commune_id: values.communeId,
          name: values.name,
          name_key: hamletNameKey(values.name),
          languages: JSON.stringify(values.languages),
          lat: values.lat,
          lon: values.lon,
          is_example: values.isExample ? 1 : 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async updateHamlet(
      id: string,
      values: Partial<HamletValues> & { readonly nameKey?: string },
      now: string,
    ): Promise<void> {
      await db
        .updateTable('hamlets')
        .set({
          ...(values.name !== undefined && { name: values.name }),
          ...(values.nameKey !== undefined && { name_key: values.nameKey }),
          ...(values.languages !== undefined && { languages: JSON.stringify(values.languages) }),
          ...(values.lat !== undefined && { lat: values.lat }),
          ...(values.lon !== undefined && { lon: values.lon }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    /** How many receivers (enabled or not) belong to a hamlet. */
    async countReceivers(id: string): Promise<number> {
      const row = await db
        .selectFrom('receivers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('hamlet_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The people (disabled ones included) whose scope names a hamlet, by username. */
    async listScopedUsers(id: string) {
      const rows = await db
        .selectFrom('user_hamlets')
        .innerJoin('users', 'users.id', 'user_hamlets.user_id')
        .select(['users.id', 'users.username', 'users.display_name', 'users.disabled_at'])
        .where('user_hamlets.hamlet_id', '=', id)
        .orderBy('users.username')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        disabled: r.disabled_at !== null,
      }));
    },

    /** Hamlets are referenced by history (occurrences, logs), so they are hidden, not removed. */
    async softDeleteHamlet(id: string, now: string): Promise<void> {
      await db
        .updateTable('hamlets')
        .set({ deleted_at: now, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    /** Every live hamlet of a commune, for commune-wide broadcasts and the dispatcher. */
    async listCommuneHamlets(communeId: string): Promise<readonly Hamlet[]> {
      const rows = await db
        .selectFrom('hamlets')
        .select(columns)
        .where('commune_id', '=', communeId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map(toHamlet);
    },

    async listHamletsOfCommunes(communeIds: readonly string[]): Promise<readonly Hamlet[]> {
      if (communeIds.length === 0) return [];
      const rows = await db
        .selectFrom('hamlets')
        .select(columns)
        .where('commune_id', 'in', [...communeIds])
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .execute();
      return rows.map(toHamlet);
    },

    async findHamlets(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('hamlets')
        .select(columns)
        .where('id', 'in', [...ids])
        .where('deleted_at', 'is', null)
        .execute();
      return rows.map(toHamlet);
    },

    /**
     * PostgreSQL: `select … for update` takes the hamlets' row locks in id order (no deadlock between
     * bookings of overlapping hamlet sets) until the transaction ends, and checks again, once it has
     * them, which are still live. SQLite: the unit of work began with `begin immediate`, which already
     * holds the database's one write lock, so what it read before is still so.
     */
    async lockSchedules(ids) {
      if (ids.length === 0 || !capabilities.rowLocks) return ids;
      const rows = await db
        .selectFrom('hamlets')
        .select('id')
        .where('id', 'in', [...new Set(ids)].sort())
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .forUpdate()
        .execute();
      return rows.map((r) => r.id);
    },

    async bumpScheduleVersions(
      ids: readonly string[],
      now: string,
    ): Promise<Readonly<Record<string, number>>> {
      if (ids.length === 0) return {};
      const rows = await db
        .updateTable('hamlets')
        .set((eb) => ({ schedule_version: eb('schedule_version', '+', 1), updated_at: now }))
        .where('id', 'in', [...ids])
        .returning(['id', 'schedule_version'])
        .execute();
      return Object.fromEntries(rows.map((r) => [r.id, Number(r.schedule_version)]));
    },
  };
}

function toHamlet(row: Pick<Selectable<HamletTable>, (typeof columns)[number]>): Hamlet {
  return {
    id: row.id,
    communeId: row.commune_id,
    name: row.name,
    languages: JSON.parse(row.languages) as string[],
    lat: row.lat,
    lon: row.lon,
    isExample: Number(row.is_example) === 1,
    scheduleVersion: Number(row.schedule_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
