import type { Kysely } from 'kysely';
import type { Occurrence } from '../../domain/broadcast.js';
import type { Database } from '../schema.js';

/** Occurrences with their broadcast's title or relay: the rows the schedule and playback views list. */
export const selectBookedOccurrences = (db: Kysely<Database>) =>
  db
    .selectFrom('occurrences as o')
    .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
    .leftJoin('announcements as a', 'a.id', 'b.announcement_id')
    .select([
      'o.id',
      'o.broadcast_id',
      'o.hamlet_id',
      'o.starts_at',
      'o.duration_ms',
      'o.priority',
      'o.slot_name',
      'o.status',
      'o.created_at',
      (eb) => eb.fn.coalesce('b.slot_order_at', 'b.created_at').as('booked_at'),
      'a.title',
      'b.relay_url',
    ]);

type BookedRaw = Awaited<ReturnType<ReturnType<typeof selectBookedOccurrences>['execute']>>[number];

export const toBookedOccurrence = (r: BookedRaw): Occurrence => ({
  id: r.id,
  broadcastId: r.broadcast_id,
  hamletId: r.hamlet_id,
  startsAt: r.starts_at,
  durationMs: Number(r.duration_ms),
  priority: r.priority,
  slotName: r.slot_name,
  status: r.status,
  createdAt: r.created_at,
  bookedAt: r.booked_at,
  title: r.title ?? `Tiếp sóng ${r.relay_url ?? ''}`.trim(),
});
