import type { Kysely } from 'kysely';
import { isSystemUsername, usernameKey } from '../../domain/user.js';

/**
 * Usernames are one account whatever the case of their letters: each row gets the folded key it is
 * looked up by (`usernameKey`, computed here because SQLite's `lower()` folds ASCII only), unique as the
 * names are, across every commune of the province.
 *
 * Names that were made apart before and fold alike ("hoa" and "Hoa") must not stop the upgrade, nor lose
 * anyone their account: the key goes to the one that can sign in (enabled, in a commune that is not
 * deleted), the older of those, and each other gets a key of its own, `<key>#<id>`, which no name folds
 * to ('#' is not allowed in usernames). Each still signs in by its exact spelling, which the look-up
 * tries first; any other spelling finds the key's holder.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('username_key', 'text').execute();
  // Most names are already folded (lowercase ASCII): one statement for them, one per row for the rest.
  await db
    .updateTable('users')
    .set((eb) => ({ username_key: eb.ref('username') }))
    .execute();
  const users: { id: string; username: string; disabled_at: string | null; deleted_at: string | null }[] =
    await db
      .selectFrom('users')
      .leftJoin('communes', 'communes.id', 'users.commune_id')
      .select(['users.id', 'users.username', 'users.disabled_at', 'communes.deleted_at'])
      .orderBy('users.created_at')
      .orderBy('users.id')
      .execute();
  const signsIn = (u: (typeof users)[number]) => u.disabled_at === null && u.deleted_at === null;
  // A person named like a CAP account (made before "cap-" was kept) leaves the key to the commune's CAP
  // account, made when its first alert arrives; the CAP accounts' ids are their names.
  const reserved = (u: (typeof users)[number]) => isSystemUsername(u.username) && u.id !== u.username;
  const held = new Set<string>();
  for (const user of [...users.filter(signsIn), ...users.filter((u) => !signsIn(u))]) {
    const key = usernameKey(user.username);
    const own = held.has(key) || reserved(user) ? `${key}#${user.id}` : key;
    if (own === key) held.add(key);
    if (own !== user.username)
      await db.updateTable('users').set({ username_key: own }).where('id', '=', user.id).execute();
  }
  await db.schema.createIndex('users_by_username_key').on('users').column('username_key').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_by_username_key').execute();
  await db.schema.alterTable('users').dropColumn('username_key').execute();
}
