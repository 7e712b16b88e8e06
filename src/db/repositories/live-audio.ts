import type { ExpressionBuilder, Kysely } from 'kysely';
import type { AnnouncementTable, Database } from '../schema.js';

/** The stand-in the query is compiled with, replaced by the hash looked up. */
export const SHA256 = '\u0000sha256';

/**
 * Whether content neither withdrawn nor refused still names `sha256`: one EXISTS per column that names
 * encoded audio, so each is answered from its own index (0028-audio-in-use).
 */
export function liveAudioQuery(db: Kysely<Database>, sha256: string) {
  const live = (eb: ExpressionBuilder<Database & { a: AnnouncementTable }, 'a'>) =>
    eb.and([eb('a.withdrawn_at', 'is', null), eb('a.approval', '!=', 'rejected')]);
  const version = (column: 'v.audio_sha256' | 'v.opus_sha256') =>
    db
      .selectFrom('announcement_variants as v')
      .innerJoin('announcements as a', 'a.id', 'v.announcement_id')
      .select('v.id')
      .where(column, '=', sha256)
      .where('v.approval', '!=', 'rejected')
      .where(live);
  return db.selectNoFrom((eb) =>
    eb
      .or([
        eb.exists(version('v.audio_sha256')),
        eb.exists(version('v.opus_sha256')),
        eb.exists(
          eb
            .selectFrom('broadcasts as b')
            .leftJoin('announcements as a', 'a.id', 'b.announcement_id')
            .select('b.id')
            .where('b.lead_audio_sha256', '=', sha256)
            .where((w) => w.or([w('b.announcement_id', 'is', null), live(w)])),
        ),
        eb.exists(
          eb
            .selectFrom('disaster_bulletins as d')
            .innerJoin('announcements as a', 'a.id', 'd.announcement_id')
            .select('d.id')
            .where('d.header_sha256', '=', sha256)
            .where(live),
        ),
      ])
      .as('live'),
  );
}
