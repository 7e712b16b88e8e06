import { hasCommuneScope, type RequestContext } from '../domain/actor.js';
import type { Announcement, AnnouncementMeta, Approval, ProcessingStatus } from '../domain/announcement.js';
import { defaultAudioTargets } from '../domain/commune.js';
import { LoaError, conflict, invalid } from '../domain/errors.js';
import { keyReused } from '../domain/idempotency.js';
import { assertAllowed } from '../domain/policy.js';
import {
  AudioRejectedError,
  type AudioInspector,
  type ProcessedAudio,
  type ProcessedAudioIntake,
} from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { JobRunnerSignal } from '../domain/ports/jobs.js';
import type { Upload } from '../domain/ports/media-store.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';
import { assertTakesVersions, processOrRecord, type Accepted } from './announcement-versions.js';
import { assertHamletExists } from './hamlets.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'announcements' | 'hamlets' | 'communes' | 'bulletins'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly inspector: AudioInspector;
  /**
   * Where uploads that come processed already are measured and taken (the edge profile, whose Worker runs
   * no ffmpeg); without it such an upload is processed like any other.
   */
  readonly intake?: ProcessedAudioIntake | undefined;
  readonly jobs: JobRunnerSignal;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The announcement as the caller may read it (404 for another commune's or hamlet's). */
  readonly load: (
    r: Pick<Repositories, 'announcements' | 'bulletins'>,
    ctx: RequestContext,
    id: string,
  ) => Promise<Announcement>;
}

export type VariantSource =
  | {
      readonly kind: 'upload';
      readonly upload: Upload;
      /** The sender says it is levelled and encoded already (the upload page's browser processing). */
      readonly processed?: boolean | undefined;
    }
  | { readonly kind: 'text'; readonly text: string; readonly voice: string };

/** A new announcement's description, its hamlet settled, and the key its request was sent under. */
type NewMeta = Omit<AnnouncementMeta, 'hamletId'> & {
  readonly hamletId: string | null;
  readonly idempotencyKey?: string | undefined;
};

/** What a new announcement's request answers; `replayed` when an earlier copy of it made it. */
export interface Created {
  readonly id: string;
  readonly status: ProcessingStatus;
  readonly replayed?: true;
}

/**
 * New content coming in: an announcement with its first version (the commune's, an emergency's, a
 * province bulletin's) or another language's version of one, each checked, kept and sent to processing.
 */
export function createAnnouncementIntake(deps: Deps) {
  const { clock, tx, load } = deps;

  /** A language is accepted when at least one hamlet of the commune broadcasts in it. */
  async function assertLanguageUsed(ctx: RequestContext, language: string): Promise<void> {
    const hamlets = await deps.repos.hamlets.listCommuneHamlets(ctx.actor.communeId);
    const used = [...new Set(hamlets.flatMap((h) => h.languages))];
    if (!used.includes(language)) {
      throw invalid(
        'language',
        `No hamlet broadcasts in "${language}". Languages in use: ${used.join(', ')}.`,
        `Không thôn nào phát bằng ngôn ngữ "${language}". Các ngôn ngữ đang dùng: ${used.join(', ')}.`,
      );
    }
  }

  async function ownerHamlet(
    ctx: RequestContext,
    requested: string | null | undefined,
  ): Promise<string | null> {
    const scope = ctx.actor.hamletIds;
    if (requested) {
      if (!hasCommuneScope(ctx.actor.role) && scope !== 'all')
        assertAllowed(ctx.actor, 'announcement.create', [requested]);
      await assertHamletExists(deps.repos, ctx, requested);
      return requested;
    }
    if (hasCommuneScope(ctx.actor.role) || scope === 'all') return null;
    if (scope.length === 1) return scope[0]!;
    throw invalid(
      'hamletId',
      'You look after several hamlets: say which one this is for (hamletId).',
      'Bạn phụ trách nhiều thôn: hãy chọn thôn cho thông báo này.',
    );
  }

  /** A new version waits for the office when the commune requires approval (the default). */
  async function approvalOfNew(ctx: RequestContext): Promise<Approval> {
    const commune = await deps.repos.communes.findCommune(ctx.actor.communeId);
    return commune?.settings.approvalRequired === false ? 'approved' : 'pending';
  }

  /**
   * Checks an upload (ffprobe and a quick decode) and keeps it as the original; a refusal leaves it to
   * the upload's owner to remove.
   */
  async function accept(
    ctx: RequestContext,
    source: VariantSource,
    language: string,
    approval: Approval,
  ): Promise<Accepted> {
    const id = deps.ids.id();
    if (source.kind === 'text') {
      const base = { id, language, approval, sourceKind: 'text' as const, sourceKey: null, sourceName: null };
      return { variant: { ...base, text: source.text, voice: source.voice, inspection: null }, ready: null };
    }
    let ready: ProcessedAudio | null = null;
    if (source.processed && deps.intake) {
      const commune = await deps.repos.communes.findCommune(ctx.actor.communeId);
      try {
        ready = await deps.intake.take(source.upload.key, commune?.settings.audio ?? defaultAudioTargets);
      } catch (error) {
        if (!(error instanceof AudioRejectedError)) throw error;
        const { status, code, messageEn, message } = error.rejection;
        throw new LoaError(status, code, messageEn, message);
      }
    }
    const inspection = ready ? null : await deps.inspector.inspect(source.upload.key);
    if (inspection && !inspection.ok) {
      const { status, code, messageEn, message } = inspection.rejection;
      throw new LoaError(status, code, messageEn, message);
    }
    await source.upload.keep();
    return {
      variant: {
        id,
        language,
        approval,
        sourceKind: 'upload',
        sourceKey: source.upload.key,
        sourceName: source.upload.filename,
        text: null,
        voice: null,
        inspection,
      },
      ready,
    };
  }

  /**
   * Stores a new announcement with its first version, its audit row (and, when it is approved on
   * creation, the approval and its audit row) and the processing job in one unit of work.
   */
  async function insertNew(
    ctx: RequestContext,
    meta: NewMeta,
    source: VariantSource,
    approval: Approval,
    approvedOnCreation?: { readonly reason: string },
    alsoWrite?: (r: Repositories, id: string, now: string) => Promise<void>,
  ): Promise<{ id: string; status: ProcessingStatus }> {
    const accepted = await accept(ctx, source, meta.language, approval);
    const { variant } = accepted;
    const id = deps.ids.id();
    const saved = tx(async (r) => {
      const now = clock.now().toISOString();
      await r.announcements.insertAnnouncement(
        {
          id,
          communeId: ctx.actor.communeId,
          hamletId: meta.hamletId,
          title: meta.title,
          category: meta.category,
          createdBy: ctx.actor.id,
          approval,
          idempotencyKey: meta.idempotencyKey,
        },
        now,
      );
      await r.announcements.insertVariant(id, variant, now);
      await deps.audit.record(r, {
        ...ctx,
        action: 'announcement.create',
        targetType: 'announcement',
        targetId: id,
        details: {
          language: meta.language,
          source: source.kind,
          ...(source.kind === 'upload' && { bytes: source.upload.bytes }),
        },
      });
      if (approvedOnCreation) {
        await r.announcements.setApproval(id, 'approved', null, ctx.actor.id, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.approve',
          targetType: 'announcement',
          targetId: id,
          details: { reason: approvedOnCreation.reason },
        });
      }
      await alsoWrite?.(r, id, now);
      await processOrRecord(r, id, accepted, now);
    });
    await committing(accepted, saved);
    handOver(source);
    return { id, status: accepted.ready ? 'ready' : 'queued' };
  }

  /**
   * What a request sent earlier under the same key made: by the same person, with the same title, language,
   * category and hamlet (and, typed, the same text and voice), or the key was reused for another request
   * (422). A recording is not compared byte for byte: the upload page processes it again before a resend.
   */
  async function replayOf(
    ctx: RequestContext,
    meta: NewMeta,
    source: VariantSource,
    idempotencyKey: string,
  ): Promise<Created | undefined> {
    const earlier = await deps.repos.announcements.findAnnouncementByKey(ctx.actor.communeId, idempotencyKey);
    if (!earlier) return undefined;
    const first = earlier.variants.find((v) => v.language === meta.language);
    const same =
      earlier.createdBy === ctx.actor.id &&
      earlier.title === meta.title &&
      earlier.category === meta.category &&
      earlier.hamletId === meta.hamletId &&
      first?.sourceKind === source.kind &&
      (source.kind !== 'text' || (first.text === source.text && first.voice === source.voice));
    if (!same) throw keyReused();
    return { id: earlier.id, status: earlier.status, replayed: true };
  }

  /**
   * The unit of work that saves what `accept` took: an MP3 the intake stored for it is let go of when
   * it ends, so one refused or rolled back leaves no file behind.
   */
  async function committing(accepted: Accepted, work: Promise<void>): Promise<void> {
    try {
      await work;
    } finally {
      if (accepted.ready) await deps.intake?.release(accepted.ready);
    }
  }

  /** After the unit of work committed: the stored rows own the file, and the job runner may start. */
  function handOver(source: VariantSource): void {
    if (source.kind === 'upload') source.upload.release();
    deps.jobs.wake();
  }

  return {
    /**
     * Accepts a recording or a text and queues it for processing; answers before any audio work. The
     * announcement, its first version, the audit row and the processing job commit together.
     */
    async create(
      ctx: RequestContext,
      meta: AnnouncementMeta,
      source: VariantSource,
      options: { readonly idempotencyKey?: string } = {},
    ): Promise<Created> {
      assertAllowed(ctx.actor, 'announcement.create');
      const { idempotencyKey } = options;
      const request = { ...meta, hamletId: await ownerHamlet(ctx, meta.hamletId), idempotencyKey };
      // Sent again under its key: answered before any audio work, and the resent file is not kept.
      const earlier = idempotencyKey !== undefined && (await replayOf(ctx, request, source, idempotencyKey));
      if (earlier) return earlier;
      await assertLanguageUsed(ctx, meta.language);
      try {
        return await insertNew(ctx, request, source, await approvalOfNew(ctx));
      } catch (error) {
        // Copies sent at once: the unique key let one through, and the others answer with it.
        const first =
          idempotencyKey !== undefined &&
          !(error instanceof LoaError) &&
          (await replayOf(ctx, request, source, idempotencyKey));
        if (first) return first;
        throw error;
      }
    },

    /**
     * Content typed, recorded or uploaded by the commune office in the emergency form: approved by that
     * act, since the office is who approves and is sending it now. Commune-wide unless a hamlet is given.
     * The audit log has the creation and an approval "approved on creation for an emergency", committed
     * with the announcement.
     */
    async createForEmergency(
      ctx: RequestContext,
      meta: AnnouncementMeta,
      source: VariantSource,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'broadcast.emergency');
      assertAllowed(ctx.actor, 'announcement.approve');
      await assertLanguageUsed(ctx, meta.language);
      if (meta.hamletId) await assertHamletExists(deps.repos, ctx, meta.hamletId);
      return insertNew(ctx, { ...meta, hamletId: meta.hamletId ?? null }, source, 'approved', {
        reason: 'approved on creation for an emergency',
      });
    },

    /**
     * A province bulletin's content, made by the province officer (Thông tư 39/2020): approved by the
     * province, which answers for it, and kept with the officer's commune but out of its lists.
     * `bulletin` writes the bulletin itself in the same unit of work.
     */
    async createForBulletin(
      ctx: RequestContext,
      meta: AnnouncementMeta,
      source: VariantSource,
      bulletin: (r: Repositories, announcementId: string, now: string) => Promise<void>,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'bulletin.issue');
      return insertNew(
        ctx,
        { ...meta, hamletId: null },
        source,
        'approved',
        { reason: 'approved on creation by the province for a bulletin' },
        bulletin,
      );
    },

    /** Refuses, before an upload is read, adding a version to an announcement not the caller's to change. */
    async assertMayAddVariant(ctx: RequestContext, id: string): Promise<void> {
      assertAllowed(ctx.actor, 'announcement.create');
      const existing = await load(deps.repos, ctx, id);
      assertAllowed(ctx.actor, 'announcement.create', [existing.hamletId]);
      assertTakesVersions(existing);
    },

    /**
     * Adds another language's recording (or text) to an announcement. When the commune requires approval
     * the new version waits for the office, and so does the announcement; the versions already approved
     * keep airing meanwhile.
     */
    async addVariant(
      ctx: RequestContext,
      id: string,
      language: string,
      source: VariantSource,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      await this.assertMayAddVariant(ctx, id);
      await assertLanguageUsed(ctx, language);
      const approval = await approvalOfNew(ctx);
      const accepted = await accept(ctx, source, language, approval);
      const { variant } = accepted;
      const taken = () =>
        conflict(
          `This announcement already has a "${language}" version.`,
          `Thông báo này đã có bản tiếng "${language}". Hãy tạo thông báo mới nếu cần thay thế.`,
        );
      const added = tx(async (r) => {
        // Held against a decision made meanwhile, which would not see this version and approve the whole.
        await r.announcements.lockAnnouncement(id);
        const a = await load(r, ctx, id);
        assertTakesVersions(a);
        if (a.variants.some((v) => v.language === language)) throw taken();
        const now = clock.now().toISOString();
        await r.announcements.insertVariant(id, variant, now);
        await r.announcements.setAnnouncementStatus(id, 'queued', null, now);
        if (approval === 'pending' && a.approval === 'approved') {
          await r.announcements.setApproval(id, 'pending', null, null, now);
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.add_variant',
          targetType: 'announcement',
          targetId: id,
          details: { language },
        });
        await processOrRecord(r, id, accepted, now);
      });
      try {
        await committing(accepted, added);
      } catch (error) {
        // The same language sent twice at once: both checks passed, the unique index let one through.
        const after = !(error instanceof LoaError) && (await deps.repos.announcements.findAnnouncement(id));
        if (after && after.variants.some((v) => v.language === language)) throw taken();
        throw error;
      }
      handOver(source);
      // The announcement's status rolls up from every version: one ready version may not make it ready.
      return {
        id,
        status: accepted.ready
          ? ((await deps.repos.announcements.findAnnouncement(id))?.status ?? 'queued')
          : 'queued',
      };
    },
  };
}
