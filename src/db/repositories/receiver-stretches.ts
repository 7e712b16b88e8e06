import type { Kysely } from 'kysely';
import type { ReceiverSyncRepository, ReceiversRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

/**
 * The SQL of each receiver's stretches per hamlet (`receiver_hamlet_stretches`): opened when it is made,
 * closed and opened again when it is moved, read where a report or an airing needs the hamlet it was in
 * at a given time. Stretches of one receiver never overlap: one is closed at the instant the next opens.
 */

/** The stretch of a receiver just made: in its hamlet from `at`, open. */
export async function openFirstStretch(
  db: Kysely<Database>,
  receiverId: string,
  hamletId: string,
  at: string,
): Promise<void> {
  await db
    .insertInto('receiver_hamlet_stretches')
    .values({ receiver_id: receiverId, hamlet_id: hamletId, arrived_at: at, left_at: null })
    .execute();
}

/** The part of the receivers repository that moves a box from one stretch to the next. */
export const stretchMoves = (db: Kysely<Database>): Pick<ReceiversRepository, 'moveToHamlet'> => ({
  /**
   * Closes the receiver's open stretch at `at` and opens one in `hamletId` from `at`, in the caller's
   * unit of work. A stretch opened at `at` or later (a second move in the same instant, a clock set back)
   * held no airing it could be counted for: it takes the new hamlet instead of being closed empty.
   */
  async moveToHamlet(receiverId, hamletId, at) {
    const open = await db
      .selectFrom('receiver_hamlet_stretches')
      .select('arrived_at')
      .where('receiver_id', '=', receiverId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
    if (open && open.arrived_at >= at) {
      await db
        .updateTable('receiver_hamlet_stretches')
        .set({ hamlet_id: hamletId })
        .where('receiver_id', '=', receiverId)
        .where('left_at', 'is', null)
        .execute();
      return;
    }
    await db
      .updateTable('receiver_hamlet_stretches')
      .set({ left_at: at })
      .where('receiver_id', '=', receiverId)
      .where('left_at', 'is', null)
      .execute();
    await openFirstStretch(db, receiverId, hamletId, at);
  },
});

/** The part of the receiver protocol's repository that asks where a box was when an airing started. */
export const stretchReads = (
  db: Kysely<Database>,
): Pick<ReceiverSyncRepository, 'listOccurrencesWhileThere'> => ({
  /**
   * Of these occurrences, those that started while the receiver was in their hamlet.
   *
   * ```sql
   * select o.id from occurrences o join receiver_hamlet_stretches s on s.hamlet_id = o.hamlet_id
   *   and s.arrived_at <= o.starts_at and (s.left_at is null or s.left_at > o.starts_at)
   * where s.receiver_id = ? and o.id in (?, …)
   * ```
   */
  async listOccurrencesWhileThere(receiverId, occurrenceIds) {
    if (occurrenceIds.length === 0) return [];
    const rows = await db
      .selectFrom('occurrences as o')
      .innerJoin('receiver_hamlet_stretches as s', (join) =>
        join
          .onRef('s.hamlet_id', '=', 'o.hamlet_id')
          .onRef('s.arrived_at', '<=', 'o.starts_at')
          .on((eb) => eb.or([eb('s.left_at', 'is', null), eb('s.left_at', '>', eb.ref('o.starts_at'))])),
      )
      .select('o.id')
      .where('s.receiver_id', '=', receiverId)
      .where('o.id', 'in', [...occurrenceIds])
      .execute();
    return rows.map((r) => r.id);
  },
});
