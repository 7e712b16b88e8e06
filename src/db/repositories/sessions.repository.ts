import type { Kysely } from 'kysely';
import type { SessionsRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

export function createSessionsRepository(db: Kysely<Database>): SessionsRepository {
  return {
    async insertSession(
      session: { id: string; tokenHash: string; userId: string; expiresAt: string },
      now: string,
    ): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          token_hash: session.tokenHash,
          user_id: session.userId,
          created_at: now,
          expires_at: session.expiresAt,
        })
        .execute();
    },

    /** The live session for a token digest: not revoked, not expired, user not disabled. */
    async findLiveSession(
      tokenHash: string,
      now: string,
    ): Promise<{ id: string; userId: string } | undefined> {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id', 'sessions.user_id'])
        .where('sessions.token_hash', '=', tokenHash)
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.expires_at', '>', now)
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst();
      return row && { id: row.id, userId: row.user_id };
    },

    async revokeSession(id: string, now: string): Promise<void> {
      await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).execute();
    },

    async revokeUserSessions(userId: string, now: string, keepSessionId?: string): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .$if(keepSessionId !== undefined, (q) => q.where('id', '!=', keepSessionId!))
        .execute();
    },
  };
}
