import type { Kysely } from 'kysely';
import type { ListenAgainRepository } from '../../domain/ports/repositories.js';
import type { Database } from '../schema.js';

/** What one row is of: an announcement's language version in a hamlet, at a priority, cancelled or not. */
const perVersion = [
  'o.hamlet_id',
  'o.priority',
  'b.cancelled_at',
  'a.title',
  'a.category',
  'v.language',
  'x.sha256',
  'x.format',
  'x.bytes',
  'x.duration_ms',
] as const;

export function createListenAgainRepository(db: Kysely<Database>): ListenAgainRepository {
  return {
    async listAiredAudio(q) {
      if (q.categories !== null && q.categories.length === 0) return [];
      let query = db
        .selectFrom('occurrences as o')
        .innerJoin('hamlets as h', 'h.id', 'o.hamlet_id')
        .innerJoin('broadcasts as b', 'b.id', 'o.broadcast_id')
        .innerJoin('announcements as a', 'a.id', 'b.announcement_id')
        .innerJoin('announcement_variants as v', 'v.announcement_id', 'a.id')
        .innerJoin('audio_assets as x', 'x.sha256', 'v.audio_sha256')
        .select((eb) => [
          eb.fn.min('o.starts_at').as('first_aired_at'),
          eb.fn.max('o.starts_at').as('last_aired_at'),
        ])
        .select([...perVersion, 'a.id as announcement_id'])
        .where('h.commune_id', '=', q.communeId)
        .where('o.status', '=', 'played')
        .where('o.starts_at', '>=', q.from)
        .where('o.starts_at', '<', q.to)
        .where('a.approval', '=', 'approved')
        .where('a.withdrawn_at', 'is', null)
        .where('v.approval', '=', 'approved')
        .where('v.status', '=', 'ready')
        // What a box reported starting: this very file, or the occurrence from an agent that names none.
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('playback_events as e')
              .select('e.id')
              .whereRef('e.occurrence_id', '=', 'o.id')
              .where('e.type', '=', 'started')
              .where((eb) =>
                eb.or([eb('e.audio_sha256', 'is', null), eb('e.audio_sha256', '=', eb.ref('x.sha256'))]),
              ),
          ),
        )
        .groupBy([...perVersion, 'a.id'])
        .orderBy('last_aired_at', 'desc')
        .orderBy('a.id')
        .orderBy('o.hamlet_id')
        .orderBy('v.language')
        .limit(q.limit);
      if (q.hamletId) query = query.where('o.hamlet_id', '=', q.hamletId);
      if (q.categories) query = query.where('a.category', 'in', [...q.categories]);
      const rows = await query.execute();
      return rows.map((r) => ({
        hamletId: r.hamlet_id,
        firstAiredAt: r.first_aired_at,
        lastAiredAt: r.last_aired_at,
        priority: r.priority,
        broadcastCancelled: r.cancelled_at !== null,
        announcementId: r.announcement_id,
        title: r.title,
        category: r.category,
        language: r.language,
        sha256: r.sha256,
        format: r.format,
        bytes: Number(r.bytes),
        durationMs: r.duration_ms,
      }));
    },
  };
}
