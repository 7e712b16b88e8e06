import type { Kysely } from 'kysely';
import type { AnnouncementTable, AnnouncementVariantTable, Database } from '../schema.js';
import { toPage, type Page, type PageRequest } from './page.js';

export type ProcessingStatus = AnnouncementTable['status'];
export type Approval = AnnouncementTable['approval'];

export interface AudioInfo {
  readonly sha256: string;
  readonly format: 'mp3' | 'opus';
  readonly bytes: number;
  readonly durationMs: number;
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
  readonly lraLu: number;
  readonly sourceCodec: string;
  readonly sourceDurationMs: number;
  readonly sourceLufs: number | null;
  readonly peaks: readonly number[];
}

export interface VariantRow {
  readonly id: string;
  readonly language: string;
  readonly sourceKind: 'upload' | 'text';
  readonly sourceKey: string | null;
  readonly sourceName: string | null;
  readonly text: string | null;
  readonly voice: string | null;
  readonly status: ProcessingStatus;
  readonly error: string | null;
  readonly audio: AudioInfo | null;
  readonly opus: AudioInfo | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AnnouncementRow {
  readonly id: string;
  readonly communeId: string;
  readonly hamletId: string | null;
  readonly title: string;
  readonly category: string;
  readonly createdBy: string;
  readonly status: ProcessingStatus;
  readonly error: string | null;
  readonly approval: Approval;
  readonly approvalReason: string | null;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly variants: readonly VariantRow[];
}

export interface NewVariant {
  readonly id: string;
  readonly language: string;
  readonly sourceKind: 'upload' | 'text';
  readonly sourceKey: string | null;
  readonly sourceName: string | null;
  readonly text: string | null;
  readonly voice: string | null;
}

export interface NewAsset extends AudioInfo {}

export function createAnnouncementsRepository(db: Kysely<Database>) {
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

  async function variantsOf(ids: readonly string[]): Promise<Map<string, VariantRow[]>> {
    const out = new Map<string, VariantRow[]>();
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
    'id',
    'commune_id',
    'hamlet_id',
    'title',
    'category',
    'created_by',
    'status',
    'error',
    'approval',
    'approval_reason',
    'approved_by',
    'approved_at',
    'created_at',
    'updated_at',
  ] as const;

  return {
    async insertAnnouncement(
      a: {
        id: string;
        communeId: string;
        hamletId: string | null;
        title: string;
        category: string;
        createdBy: string;
        approval: Approval;
      },
      variant: NewVariant,
      now: string,
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
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
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('announcement_variants')
          .values(variantValues(a.id, variant, now))
          .execute();
      });
    },

    async insertVariant(announcementId: string, variant: NewVariant, now: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('announcement_variants')
          .values(variantValues(announcementId, variant, now))
          .execute();
        await trx
          .updateTable('announcements')
          .set({ status: 'queued', error: null, updated_at: now })
          .where('id', '=', announcementId)
          .execute();
      });
    },

    async findAnnouncement(id: string): Promise<AnnouncementRow | undefined> {
      const row = await db
        .selectFrom('announcements')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return toAnnouncement(row, (await variantsOf([id])).get(id) ?? []);
    },

    async findVariant(id: string): Promise<(VariantRow & { announcementId: string }) | undefined> {
      const row = await db
        .selectFrom('announcement_variants')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const audio = await assets([row.audio_sha256, row.opus_sha256].filter((s): s is string => !!s));
      return { ...toVariant(row, audio), announcementId: row.announcement_id };
    },

    /** Announcements of a commune visible in `scope`: the scoped hamlets' own and commune-wide ones. */
    async listAnnouncements(
      communeId: string,
      scope: 'all' | readonly string[],
      filter: PageRequest & { status?: ProcessingStatus; approval?: Approval; createdBy?: string },
    ): Promise<Page<AnnouncementRow>> {
      let query = db
        .selectFrom('announcements')
        .select(columns)
        .where('commune_id', '=', communeId)
        .orderBy('id')
        .limit(filter.limit + 1);
      if (scope !== 'all') {
        query = query.where((eb) =>
          scope.length > 0
            ? eb.or([eb('hamlet_id', 'is', null), eb('hamlet_id', 'in', [...scope])])
            : eb('hamlet_id', 'is', null),
        );
      }
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.approval) query = query.where('approval', '=', filter.approval);
      if (filter.createdBy) query = query.where('created_by', '=', filter.createdBy);
      if (filter.cursor) query = query.where('id', '>', filter.cursor);
      const rows = await query.execute();
      const variants = await variantsOf(rows.map((r) => r.id));
      return toPage(
        rows.map((r) => toAnnouncement(r, variants.get(r.id) ?? [])),
        filter.limit,
      );
    },

    async setVariantStatus(
      id: string,
      status: ProcessingStatus,
      error: string | null,
      now: string,
    ): Promise<void> {
      await db
        .updateTable('announcement_variants')
        .set({ status, error, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    /** Stores an encoded file's measurements once: the same audio processed twice is one asset. */
    async saveAsset(asset: NewAsset, now: string): Promise<void> {
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

    async setVariantAudio(
      id: string,
      audioSha256: string,
      opusSha256: string | null,
      now: string,
    ): Promise<void> {
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

    /** The announcement's status follows its variants: failed if any failed, ready when all are. */
    async refreshAnnouncementStatus(id: string, now: string): Promise<ProcessingStatus> {
      const variants = await db
        .selectFrom('announcement_variants')
        .select(['status', 'error', 'language'])
        .where('announcement_id', '=', id)
        .execute();
      const failed = variants.find((v) => v.status === 'failed');
      const status: ProcessingStatus = failed
        ? 'failed'
        : variants.every((v) => v.status === 'ready')
          ? 'ready'
          : variants.some((v) => v.status === 'processing')
            ? 'processing'
            : 'queued';
      await db
        .updateTable('announcements')
        .set({ status, error: failed ? `${failed.language}: ${failed.error ?? ''}` : null, updated_at: now })
        .where('id', '=', id)
        .execute();
      return status;
    },

    async setApproval(
      id: string,
      approval: Approval,
      reason: string | null,
      by: string | null,
      now: string,
    ): Promise<void> {
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

export type AnnouncementsRepository = ReturnType<typeof createAnnouncementsRepository>;

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
    status: 'queued' as const,
    created_at: now,
    updated_at: now,
  };
}

function toVariant(r: AnnouncementVariantTable, audio: Map<string, AudioInfo>): VariantRow {
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
    audio: (r.audio_sha256 && audio.get(r.audio_sha256)) || null,
    opus: (r.opus_sha256 && audio.get(r.opus_sha256)) || null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAnnouncement(
  r: Pick<
    AnnouncementTable,
    | 'id'
    | 'commune_id'
    | 'hamlet_id'
    | 'title'
    | 'category'
    | 'created_by'
    | 'status'
    | 'error'
    | 'approval'
    | 'approval_reason'
    | 'approved_by'
    | 'approved_at'
    | 'created_at'
    | 'updated_at'
  >,
  variants: readonly VariantRow[],
): AnnouncementRow {
  return {
    id: r.id,
    communeId: r.commune_id,
    hamletId: r.hamlet_id,
    title: r.title,
    category: r.category,
    createdBy: r.created_by,
    status: r.status,
    error: r.error,
    approval: r.approval,
    approvalReason: r.approval_reason,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    variants,
  };
}
