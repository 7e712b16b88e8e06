import { hasCommuneScope, type RequestContext } from '../domain/actor.js';
import type {
  Announcement,
  AnnouncementMeta,
  Approval,
  NewVariant,
  ProcessingStatus,
} from '../domain/announcement.js';
import { LoaError, conflict, invalid, notFound } from '../domain/errors.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { AudioInspector } from '../domain/ports/audio.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import { JOB_MAX_ATTEMPTS, type JobRunnerSignal } from '../domain/ports/jobs.js';
import type { Upload } from '../domain/ports/media-store.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'announcements' | 'hamlets' | 'communes'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly inspector: AudioInspector;
  readonly jobs: JobRunnerSignal;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export type VariantSource =
  | { readonly kind: 'upload'; readonly upload: Upload }
  | { readonly kind: 'text'; readonly text: string; readonly voice: string };

async function load(
  r: Pick<Repositories, 'announcements'>,
  ctx: RequestContext,
  id: string,
): Promise<Announcement> {
  const a = await r.announcements.findAnnouncement(id);
  if (!a || a.communeId !== ctx.actor.communeId) throw notFound('Announcement', id, 'thông báo');
  assertAllowed(ctx.actor, 'announcement.read', [a.hamletId]);
  return a;
}

/** Writes the job that processes a variant, in the unit of work that stored it (an outbox for free). */
async function enqueueProcessing(
  r: Pick<Repositories, 'jobs'>,
  variantId: string,
  round: string,
  now: string,
): Promise<void> {
  // The job id names the variant and the round, so enqueueing the same round twice is one job.
  await r.jobs.enqueueJob(
    {
      id: `process-variant:${variantId}:${round}`,
      name: 'process-variant',
      data: JSON.stringify({ variantId }),
      maxAttempts: JOB_MAX_ATTEMPTS,
      runAt: now,
    },
    now,
  );
}

export function createAnnouncementsService(deps: Deps) {
  const { clock, tx } = deps;

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

  function ownerHamlet(ctx: RequestContext, requested: string | null | undefined): string | null {
    const scope = ctx.actor.hamletIds;
    if (hasCommuneScope(ctx.actor.role) || scope === 'all') return requested ?? null;
    if (requested) {
      assertAllowed(ctx.actor, 'announcement.create', [requested]);
      return requested;
    }
    if (scope.length === 1) return scope[0]!;
    throw invalid(
      'hamletId',
      'You look after several hamlets: say which one this is for (hamletId).',
      'Bạn phụ trách nhiều thôn: hãy chọn thôn cho thông báo này.',
    );
  }

  /**
   * Checks an upload (ffprobe and a quick decode) and keeps it as the original; a refusal leaves it to
   * the upload's owner to remove.
   */
  async function accept(source: VariantSource, language: string): Promise<NewVariant> {
    const id = deps.ids.id();
    if (source.kind === 'text') {
      const base = { id, language, sourceKind: 'text' as const, sourceKey: null, sourceName: null };
      return { ...base, text: source.text, voice: source.voice, inspection: null };
    }
    const inspection = await deps.inspector.inspect(source.upload.key);
    if (!inspection.ok) {
      const { status, code, messageEn, message } = inspection.rejection;
      throw new LoaError(status, code, messageEn, message);
    }
    await source.upload.keep();
    return {
      id,
      language,
      sourceKind: 'upload',
      sourceKey: source.upload.key,
      sourceName: source.upload.filename,
      text: null,
      voice: null,
      inspection,
    };
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
    ): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'announcement.create');
      const hamletId = ownerHamlet(ctx, meta.hamletId);
      await assertLanguageUsed(ctx, meta.language);
      const variant = await accept(source, meta.language);
      const id = deps.ids.id();
      await tx(async (r) => {
        const commune = await r.communes.findCommune(ctx.actor.communeId);
        const now = clock.now().toISOString();
        await r.announcements.insertAnnouncement(
          {
            id,
            communeId: ctx.actor.communeId,
            hamletId,
            title: meta.title,
            category: meta.category,
            createdBy: ctx.actor.id,
            approval: commune?.settings.approvalRequired === false ? 'approved' : 'pending',
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
        await enqueueProcessing(r, variant.id, '1', now);
      });
      handOver(source);
      return { id, status: 'queued' };
    },

    /** Refuses, before an upload is read, adding a version to an announcement not the caller's to change. */
    async assertMayAddVariant(ctx: RequestContext, id: string): Promise<void> {
      assertAllowed(ctx.actor, 'announcement.create');
      const existing = await load(deps.repos, ctx, id);
      assertAllowed(ctx.actor, 'announcement.create', [existing.hamletId]);
    },

    /** Adds another language's recording (or text) to an announcement. */
    async addVariant(
      ctx: RequestContext,
      id: string,
      language: string,
      source: VariantSource,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      await this.assertMayAddVariant(ctx, id);
      await assertLanguageUsed(ctx, language);
      const variant = await accept(source, language);
      await tx(async (r) => {
        const a = await load(r, ctx, id);
        if (a.variants.some((v) => v.language === language)) {
          throw conflict(
            `This announcement already has a "${language}" version.`,
            `Thông báo này đã có bản tiếng "${language}". Hãy tạo thông báo mới nếu cần thay thế.`,
          );
        }
        const now = clock.now().toISOString();
        await r.announcements.insertVariant(id, variant, now);
        await r.announcements.setAnnouncementStatus(id, 'queued', null, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.add_variant',
          targetType: 'announcement',
          targetId: id,
          details: { language },
        });
        await enqueueProcessing(r, variant.id, '1', now);
      });
      handOver(source);
      return { id, status: 'queued' };
    },

    get: (ctx: RequestContext, id: string) => load(deps.repos, ctx, id),

    list(
      ctx: RequestContext,
      filter: PageRequest & {
        status?: ProcessingStatus | undefined;
        approval?: Approval | undefined;
        mine?: boolean | undefined;
      },
    ): Promise<Page<Announcement>> {
      assertAllowed(ctx.actor, 'announcement.read');
      return deps.repos.announcements.listAnnouncements(ctx.actor.communeId, readScope(ctx.actor), {
        cursor: filter.cursor,
        limit: filter.limit,
        ...(filter.status && { status: filter.status }),
        ...(filter.approval && { approval: filter.approval }),
        ...(filter.mine && { createdBy: ctx.actor.id }),
      });
    },

    /** Approval is separate from processing: the commune answers for what airs (approve or reject). */
    decide(
      ctx: RequestContext,
      id: string,
      decision: 'approved' | 'rejected',
      reason: string | null,
    ): Promise<Announcement> {
      assertAllowed(ctx.actor, 'announcement.approve');
      return tx(async (r) => {
        await load(r, ctx, id);
        await r.announcements.setApproval(id, decision, reason, ctx.actor.id, clock.now().toISOString());
        await deps.audit.record(r, {
          ...ctx,
          action: decision === 'approved' ? 'announcement.approve' : 'announcement.reject',
          targetType: 'announcement',
          targetId: id,
          ...(reason && { details: { reason } }),
        });
        return load(r, ctx, id);
      });
    },

    /** Processes failed variants again from their kept originals. */
    async retry(ctx: RequestContext, id: string): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'announcement.create');
      await tx(async (r) => {
        const a = await load(r, ctx, id);
        assertAllowed(ctx.actor, 'announcement.create', [a.hamletId]);
        const failed = a.variants.filter((v) => v.status === 'failed');
        if (failed.length === 0) {
          throw invalid(
            'status',
            'Nothing to retry: no version of this announcement failed.',
            'Không có bản nào bị lỗi để xử lý lại.',
          );
        }
        const now = clock.now().toISOString();
        for (const v of failed) {
          await r.announcements.setVariantStatus(v.id, 'queued', null, now);
          await enqueueProcessing(r, v.id, `retry-${now}`, now);
        }
        await r.announcements.setAnnouncementStatus(id, 'queued', null, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.retry',
          targetType: 'announcement',
          targetId: id,
          details: { variants: failed.length },
        });
      });
      deps.jobs.wake();
      return { id, status: 'queued' };
    },
  };
}

export type AnnouncementsService = ReturnType<typeof createAnnouncementsService>;
