import type { Kysely, Selectable } from 'kysely';
import type { ReceiverCommandsRepository } from '../../domain/ports/repositories.js';
import { CLOSE_REASONS, OPEN_COMMAND_STATES, type ReceiverCommand } from '../../domain/receiver/command.js';
import type { DbCapabilities } from '../database.js';
import type { Database, ReceiverCommandTable } from '../schema.js';

const toCommand = (r: Selectable<ReceiverCommandTable>): ReceiverCommand => ({
  id: r.id,
  receiverId: r.receiver_id,
  hamletId: r.hamlet_id,
  kind: r.kind,
  args: JSON.parse(r.args) as ReceiverCommand['args'],
  issuedBy: r.issued_by,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
  state: r.state,
  deliveredAt: r.delivered_at,
  answeredAt: r.answered_at,
  result: r.result,
});

export function createReceiverCommandsRepository(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'rowLocks'>,
): ReceiverCommandsRepository {
  return {
    async insertCommands(commands) {
      if (commands.length === 0) return;
      await db
        .insertInto('receiver_commands')
        .values(
          commands.map((c) => ({
            id: c.id,
            receiver_id: c.receiverId,
            hamlet_id: c.hamletId,
            kind: c.kind,
            args: JSON.stringify(c.args),
            issued_by: c.issuedBy,
            issued_at: c.issuedAt,
            expires_at: c.expiresAt,
            state: c.state,
            delivered_at: c.deliveredAt,
            answered_at: c.answeredAt,
            result: c.result,
          })),
        )
        .execute();
    },

    async findCommand(id) {
      const row = await db
        .selectFrom('receiver_commands')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCommand(row);
    },

    async listCommands(receiverId, limit) {
      const rows = await db
        .selectFrom('receiver_commands')
        .selectAll()
        .where('receiver_id', '=', receiverId)
        .orderBy('issued_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toCommand);
    },

    async listCommuneCommands(communeId, limit) {
      const rows = await db
        .selectFrom('receiver_commands as rc')
        .innerJoin('hamlets as h', 'h.id', 'rc.hamlet_id')
        .selectAll('rc')
        .where('h.commune_id', '=', communeId)
        .orderBy('rc.issued_at', 'desc')
        .orderBy('rc.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toCommand);
    },

    async listOpenCommands(receiverId, now) {
      const rows = await db
        .selectFrom('receiver_commands')
        .selectAll()
        .where('receiver_id', '=', receiverId)
        .where('state', 'in', [...OPEN_COMMAND_STATES])
        .where('expires_at', '>', now)
        .orderBy('issued_at')
        .orderBy('id')
        .execute();
      return rows.map(toCommand);
    },

    async markDelivered(ids, now) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('receiver_commands')
        .set({ state: 'delivered', delivered_at: now })
        .where('id', 'in', [...ids])
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async answerCommand(id, answer, now) {
      const result = await db
        .updateTable('receiver_commands')
        .set({ state: answer.state, result: answer.result, answered_at: now })
        .where('id', '=', id)
        // A superseded command the box had already got and carried out is recorded as it answers.
        .where('state', 'in', [...OPEN_COMMAND_STATES, 'superseded'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /**
     * PostgreSQL: `select … for no key update` takes the receivers' row locks in id order (no deadlock
     * between a hamlet's command and one box's) and reads, once it has them, which are still enabled; it
     * does not wait for the key-share locks that rows referring to a receiver take. SQLite: the unit of
     * work began with `begin immediate` and already holds the one write lock.
     */
    async lockEnabledReceivers(receiverIds) {
      if (receiverIds.length === 0) return [];
      const rows = await db
        .selectFrom('receivers')
        .select('id')
        .where('id', 'in', [...new Set(receiverIds)].sort())
        .where('disabled_at', 'is', null)
        .orderBy('id')
        .$if(capabilities.rowLocks, (q) => q.forNoKeyUpdate())
        .execute();
      return rows.map((r) => r.id);
    },

    async cancelOpenCommands(receiverId, reason, now) {
      const rows = await db
        .updateTable('receiver_commands')
        .set({ state: 'cancelled', answered_at: now, result: reason })
        .where('receiver_id', '=', receiverId)
        .where('state', 'in', [...OPEN_COMMAND_STATES])
        .returningAll()
        .execute();
      return rows.map(toCommand);
    },

    async supersedeCommands(receiverIds, kinds, now) {
      if (receiverIds.length === 0 || kinds.length === 0) return 0;
      const result = await db
        .updateTable('receiver_commands')
        .set({ state: 'superseded', answered_at: now, result: CLOSE_REASONS.superseded })
        .where('receiver_id', 'in', [...receiverIds])
        .where('kind', 'in', [...kinds])
        .where('state', 'in', [...OPEN_COMMAND_STATES])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async timeOutCommands(now) {
      // One statement: an answer that commits meanwhile keeps its command out of what is returned.
      const rows = await db
        .updateTable('receiver_commands')
        .set({ state: 'timed_out', answered_at: now, result: CLOSE_REASONS.timed_out })
        .where('state', 'in', [...OPEN_COMMAND_STATES])
        .where('expires_at', '<=', now)
        .returningAll()
        .execute();
      return rows.map(toCommand);
    },
  };
}
