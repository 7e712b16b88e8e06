import type { Kysely } from 'kysely';
import type { RateLimitsRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

export function createRateLimitsRepository(db: Kysely<Database>): RateLimitsRepository {
  return {
    async hit(key, resetAt, now) {
      // One statement, so that a burst of attempts on several instances counts every one of them. In the
      // update, `rate_limits.*` are the stored values: a window that has ended starts again at 1.
      const row = await db
        .insertInto('rate_limits')
        .values({ key, count: 1, reset_at: resetAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            count: eb
              .case()
              .when('rate_limits.reset_at', '<=', now)
              .then(1)
              .else(eb('rate_limits.count', '+', 1))
              .end(),
            reset_at: eb
              .case()
              .when('rate_limits.reset_at', '<=', now)
              .then(eb.ref('excluded.reset_at'))
              .else(eb.ref('rate_limits.reset_at'))
              .end(),
          })),
        )
        .returning(['count', 'reset_at'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), resetAt: row.reset_at };
    },

    async release(key) {
      await db
        .updateTable('rate_limits')
        .set((eb) => ({ count: eb('count', '-', 1) }))
        .where('key', '=', key)
        .where('count', '>', 0)
        .execute();
    },

    async reset(key) {
      await db.deleteFrom('rate_limits').where('key', '=', key).execute();
    },

    async deleteExpired(now) {
      const result = await db.deleteFrom('rate_limits').where('reset_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
