import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { Announcement, AudioInfo, NewVariant, Variant } from '../../domain/announcement.js';
import { toPage } from '../../domain/page.js';
import type { AcceptedAudio } from '../../domain/ports/audio.js';
import type { DbCapabilities } from '../database.js';
import type { AnnouncementsRepository } from '../../domain/ports/repositories.js';
import type { AnnouncementTable, AnnouncementVariantTable, Database } from '../schema.js';
import { liveAudioQuery, SHA256 } from './live-audio.js';

export function createAnnouncementsRepository(
  db: Kysely<Database>,
  capabilities: Pick<DbCapabilities, 'rowLocks'>,
): AnnouncementsRepository {
  // Compiled once with a stand-in for the hash: every `GET /media/…` runs it, and building and compiling
  // it cost more than the indexed lookup itself (~0.5 ms against ~0.06 ms on PostgreSQL).
  let liveAudio: CompiledQuery | undefined;
  async function assets(shas: readonly string[]): Promise<Map<string, AudioInfo>> {
    const map = new Map<string, AudioInfo>();
    if (shas.length === 0) return map;
    const rows = await db
      .selectFrom('audio_assets')
      .selectAll()
      .where('sha256', 'in', [...shas])
      .execute();
    for (const r of rows) {
      map.set(r.sha256, {
        sha256: r.sha256,
        format: r.format,
        bytes: Number(r.bytes),
        durationMs: Number(r.duration_ms),
        integratedLufs: r.integrated_lufs,
        truePeakDbtp: r.true_peak_dbtp,
        lraLu: r.lra_lu,
        sourceCodec: r.source_codec,
        sourceDurationMs: Number(r.source_duration_ms),
        sourceLufs: r.source_lufs,
        peaks: JSON.parse(r.peaks) as number[],
      });
    }
    return map;
  }

  async function variantsOf(ids: readonly string[]): Promise<Map<string, Variant[]>> {
    const out = new Map<string, Variant[]>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom('announcement_variants')
      .selectAll()
      .where('announcement_id', 'in', [...ids])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const audio = await assets(
      rows.flatMap((r) => [r.audio_sha256, r.opus_sha256].filter((s): s is string => !!s)),
    );
    for (const r of rows) {
      out.set(r.announcement_id, [...(out.get(r.announcement_id) ?? []), toVariant(r, audio)]);
    }
    return out;
  }

  const columns = [
    'a.id',
    'a.commune_id',
    'a.hamlet_id',
    'a.title',
    'a.category',
    'a.created_by',
    'a.status',
    'a.error',
    'a.approval',
    'a.approval_reason',
    'a.approved_by',
    'a.approved_at',
    'a.withdrawn_at',
    'a.withdrawn_by',
    'a.created_at',
    'a.updated_at',
  ] as const;

  /** Announcements with their author's display name (a user is disabled, never deleted, but be safe). */
  const selectAnnouncements = () =>
    db
      .selectFrom('announcements as a')
      .leftJoin('users as u', 'u.id', 'a.created_by')
      .select(columns)
      .select('u.display_name as author_name');

  return {
    async insertAnnouncement(a, now) {
      await db
        .insertInto('announcements')
        .values({
          id: a.id,
          commune_id: a.communeId,
          hamlet_id: a.hamletId,
          title: a.title,
          category: a.category,
          created_by: a.createdBy,
          status: 'queued',
          approval: a.approval,
          ...(a.idempotencyKey !== undefined && { idempotency_key: a.idempotencyKey }),
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async insertVariant(announcementId, variant, now) {
      await db
        .insertInto('announcement_variants')
        .values(variantValues(announcementId, variant, now))
        .execute();
    },

    async findAnnouncement(id) {
      const row = await selectAnnouncements().where('a.id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return toAnnouncement(row, (await variantsOf([id])).get(id) ?? []);
    },

    async findAnnouncementByKey(communeId, idempotencyKey) {
      const row = await selectAnnouncements()
        .where('a.commune_id', '=', communeId)
        .where('a.idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      return row && toAnnouncement(row, (await variantsOf([row.id])).get(row.id) ?? []);
    },

    async findVariantWork(id) {
      const row = await db
        .selectFrom('announcement_variants as v')
        .innerJoin('announcements as a', 'a.id', 'v.announcement_id')
        .selectAll('v')
        .select('a.commune_id')
        .where('v.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const audio = await assets([row.audio_sha256, row.opus_sha256].filter((s): s is string => !!s));
      return {
        ...toVariant(row, audio),
        announcementId: row.announcement_id,
        communeId: row.commune_id,
        inspection: row.probe ? (JSON.parse(row.probe) as AcceptedAudio) : null,
      };
    },

    async findSourceKeysInUse(keys) {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('announcement_variants')
        .select('source_key')
        .where('source_key', 'in', [...keys])
        .execute();
      return rows.map((r) => r.source_key).filter((k): k is string => k !== null);
    },

    async isAssetSaved(sha256) {
      const row = await db
        .selectFrom('audio_assets')
        .select('sha256')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Announcements of a commune visible in `scope`: the scoped hamlets' own and commune-wide ones. */
    async listAnnouncements(communeId, scope, filter) {
      let query = selectAnnouncements()
        .where('a.commune_id', '=', communeId)
        // A province bulletin's own content is the province's, not the commune it is kept in.
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(selectFrom('bulletins as bu').select('bu.id').whereRef('bu.announcement_id', '=', 'a.id')),
          ),
        )
        .orderBy('a.id', filter.newestFirst ? 'desc' : 'asc')
        .limit(filter.limit + 1);
      if (scope !== 'all') {
        query = query.where((eb) =>
          scope.length > 0
            ? eb.or([eb('a.hamlet_id', 'is', null), eb('a.hamlet_id', 'in', [...scope])])
            : eb('a.hamlet_id', 'is', null),
        );
      }
      if (filter.status) query = query.where('a.status', '=', filter.status);
      if (filter.approval) query = query.where('a.approval', '=', filter.approval);
      if (filter.createdBy) query = query.where('a.created_by', '=', filter.createdBy);
      if (filter.withdrawn !== undefined)
        query = query.where('a.withdrawn_at', filter.withdrawn ? 'is not' : 'is', null);
      if (filter.cursor) query = query.where('a.id', filter.newestFirst ? '<' : '>', filter.cursor);
      const rows = await query.execute();
      const variants = await variantsOf(rows.map((r) => r.id));
      return toPage(
        rows.map((r) => toAnnouncement(r, variants.get(r.id) ?? [])),
        filter.limit,
      );
    },

    async setVariantStatus(id, status, error, now) {
      await db
        .updateTable('announcement_variants')
        .set({ status, error, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async moveVariantStatus(id, from, to, error, now) {
      const moved = await db
        .updateTable('announcement_variants')
        .set({ status: to, error, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(moved.numUpdatedRows) > 0;
    },

    async replaceVariantSource(id, source, now) {
      const done = await db
        .updateTable('announcement_variants')
        .set({
          source_key: source.key,
          source_name: source.name,
          probe: JSON.stringify(source.inspection),
          updated_at: now,
        })
        .where('id', '=', id)
        .where('source_kind', '=', 'upload')
        .where('probe', 'is', null)
        .executeTakeFirst();
      return Number(done.numUpdatedRows) > 0;
    },

    async lockAnnouncement(id) {
      if (!capabilities.rowLocks) return;
      await db.selectFrom('announcements').select('id').where('id', '=', id).forUpdate().execute();
    },

    async isAudioLive(sha256) {
      const compiled = (liveAudio ??= liveAudioQuery(db, SHA256).compile());
      const { rows } = await db.executeQuery<{ live: unknown }>({
        ...compiled,
        parameters: compiled.parameters.map((p) => (p === SHA256 ? sha256 : p)),
      });
      // SQLite answers 1 or 0, PostgreSQL true or false.
      return Boolean(Number(rows[0]?.live));
    },

    /** Stores an encoded file's measurements once: the same audio processed twice is one asset. */
    async saveAsset(asset, now) {
      await db
        .insertInto('audio_assets')
        .values({
          sha256: asset.sha256,
          format: asset.format,
          bytes: asset.bytes,
          duration_ms: asset.durationMs,
          integrated_lufs: asset.integratedLufs,
          true_peak_dbtp: asset.truePeakDbtp,
          lra_lu: asset.lraLu,
          source_codec: asset.sourceCodec,
          source_duration_ms: asset.sourceDurationMs,
          source_lufs: asset.sourceLufs,
          peaks: JSON.stringify(asset.peaks),
          created_at: now,
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
    },

    async setVariantAudio(id, audioSha256, opusSha256, now) {
      await db
        .updateTable('announcement_variants')
        .set({
          status: 'ready',
          error: null,
          audio_sha256: audioSha256,
          opus_sha256: opusSha256,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    async setAnnouncementStatus(id, status, error, now) {
      await db
        .updateTable('announcements')
        .set({ status, error, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async setWithdrawn(id, by, now) {
      const result = await db
        .updateTable('announcements')
        .set({ withdrawn_at: now, withdrawn_by: by, updated_at: now })
        .where('id', '=', id)
        .where('withdrawn_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async setVariantApprovals(announcementId, from, to, now, only) {
      await db
        .updateTable('announcement_variants')
        .set({ approval: to, updated_at: now })
        .where('announcement_id', '=', announcementId)
        .where('approval', 'in', [...from])
        .$if(only !== undefined, (q) => q.where('id', 'in', [...only!]))
        .execute();
    },

    async setApproval(id, approval, reason, by, now) {
      await db
        .updateTable('announcements')
        .set({
          approval,
          approval_reason: reason,
          approved_by: by,
          approved_at: by ? now : null,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },
  };
}

function variantValues(announcementId: string, v: NewVariant, now: string) {
  return {
    id: v.id,
    announcement_id: announcementId,
    language: v.language,
    source_kind: v.sourceKind,
    source_key: v.sourceKey,
    source_name: v.sourceName,
    text: v.text,
    voice: v.voice,
    approval: v.approval,
    probe: v.inspection ? JSON.stringify(v.inspection) : null,
    status: 'queued' as const,
    created_at: now,
    updated_at: now,
  };
}

function toVariant(r: Selectable<AnnouncementVariantTable>, audio: Map<string, AudioInfo>): Variant {
  return {
    id: r.id,
    language: r.language,
    sourceKind: r.source_kind,
    sourceKey: r.source_key,
    sourceName: r.source_name,
    text: r.text,
    voice: r.voice,
    status: r.status,
    error: r.error,
    approval: r.approval,
    audio: (r.audio_sha256 && audio.get(r.audio_sha256)) || null,
    opus: (r.opus_sha256 && audio.get(r.opus_sha256)) || null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAnnouncement(
  r: Omit<Selectable<AnnouncementTable>, 'bulletin_id' | 'idempotency_key'> & {
    readonly author_name: string | null;
  },
  variants: readonly Variant[],
): Announcement {
  return {
    id: r.id,
    communeId: r.commune_id,
    hamletId: r.hamlet_id,
    title: r.title,
    category: r.category,
    createdBy: r.created_by,
    authorName: r.author_name ?? r.created_by,
    status: r.status,
    error: r.error,
    approval: r.approval,
    approvalReason: r.approval_reason,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    withdrawnAt: r.withdrawn_at,
    withdrawnBy: r.withdrawn_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    variants,
  };
}
