import type {
  AnnouncementRow,
  AnnouncementsRepository,
  Approval,
  NewVariant,
  ProcessingStatus,
} from '../db/repositories/announcements.repository.js';
import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import type { HamletsRepository } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import { hasCommuneScope } from '../domain/actor.js';
import { LoaError, conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { JobQueue } from '../jobs/queue.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from '../domain/context.js';
import type { AudioInspector, Clock, IdGenerator, MediaStore } from '../domain/ports.js';

interface Deps {
  readonly announcements: AnnouncementsRepository;
  readonly hamlets: HamletsRepository;
  readonly communes: CommunesRepository;
  readonly audit: AuditTrail;
  readonly media: MediaStore;
  readonly inspector: AudioInspector;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface AnnouncementMeta {
  readonly title: string;
  readonly language: string;
  readonly category: string;
  /** Whose hamlet it is; required when a secretary has several, null for commune-wide content. */
  readonly hamletId?: string | null | undefined;
}

export type VariantSource =
  | { readonly kind: 'upload'; readonly key: string; readonly bytes: number; readonly filename: string }
  | { readonly kind: 'text'; readonly text: string; readonly voice: string };

export const maxTextChars = 5000;
export { ttsVoices } from '../media/tts/engine.js';

export function createAnnouncementsService(deps: Deps) {
  const { announcements, clock } = deps;

  async function load(ctx: RequestContext, id: string): Promise<AnnouncementRow> {
    const a = await announcements.findAnnouncement(id);
    if (!a || a.communeId !== ctx.actor.communeId) throw notFound('Announcement', id, 'thông báo');
    assertAllowed(ctx.actor, 'announcement.read', [a.hamletId]);
    return a;
  }

  /** A language is accepted when at least one hamlet of the commune broadcasts in it. */
  async function assertLanguageUsed(ctx: RequestContext, language: string): Promise<void> {
    const hamlets = await deps.hamlets.listCommuneHamlets(ctx.actor.communeId);
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

  /** Checks an upload with ffprobe; a rejected one is removed at once, so nothing is left behind. */
  async function accept(source: VariantSource): Promise<NewVariant> {
    const id = deps.ids.id();
    if (source.kind === 'text') {
      return {
        id,
        language: '',
        sourceKind: 'text',
        sourceKey: null,
        sourceName: null,
        text: source.text,
        voice: source.voice,
      };
    }
    const rejection = await deps.inspector.inspect(source.key);
    if (rejection) {
      await deps.media.discard(source.key);
      throw new LoaError(rejection.status, rejection.code, rejection.messageEn, rejection.message);
    }
    const sourceKey = await deps.media.keepUpload(source.key);
    return {
      id,
      language: '',
      sourceKind: 'upload',
      sourceKey,
      sourceName: source.filename,
      text: null,
      voice: null,
    };
  }

  /** A refused request leaves no file behind, wherever the upload had got to. */
  async function discardUpload(source: VariantSource, variant: NewVariant | undefined): Promise<void> {
    if (source.kind !== 'upload') return;
    await deps.media.discard(source.key);
    if (variant?.sourceKey) await deps.media.discard(variant.sourceKey);
  }

  async function enqueue(variantId: string, generation: string): Promise<void> {
    // The job id names the variant and the attempt round, so enqueueing the same round twice is one job.
    await deps.jobs.enqueue(
      { name: 'process-variant', data: { variantId } },
      { id: `process-variant:${variantId}:${generation}` },
    );
  }

  return {
    /** Accepts a recording or a text and queues it for processing; answers before any audio work. */
    async create(
      ctx: RequestContext,
      meta: AnnouncementMeta,
      source: VariantSource,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      let variant: NewVariant | undefined;
      try {
        assertAllowed(ctx.actor, 'announcement.create');
        const hamletId = ownerHamlet(ctx, meta.hamletId);
        await assertLanguageUsed(ctx, meta.language);
        const commune = await deps.communes.findCommune(ctx.actor.communeId);
        variant = { ...(await accept(source)), language: meta.language };
        const id = deps.ids.id();
        await announcements.insertAnnouncement(
          {
            id,
            communeId: ctx.actor.communeId,
            hamletId,
            title: meta.title,
            category: meta.category,
            createdBy: ctx.actor.id,
            approval: commune?.settings.approvalRequired === false ? 'approved' : 'pending',
          },
          variant,
          clock.now().toISOString(),
        );
        await deps.audit.record({
          ...ctx,
          action: 'announcement.create',
          targetType: 'announcement',
          targetId: id,
          details: {
            language: meta.language,
            source: source.kind,
            ...(source.kind === 'upload' && { bytes: source.bytes }),
          },
        });
        await enqueue(variant.id, '1');
        return { id, status: 'queued' };
      } catch (error) {
        await discardUpload(source, variant);
        throw error;
      }
    },

    /** Adds another language's recording (or text) to an announcement. */
    async addVariant(
      ctx: RequestContext,
      id: string,
      language: string,
      source: VariantSource,
    ): Promise<{ id: string; status: ProcessingStatus }> {
      let variant: NewVariant | undefined;
      try {
        assertAllowed(ctx.actor, 'announcement.create');
        const a = await load(ctx, id);
        assertAllowed(ctx.actor, 'announcement.create', [a.hamletId]);
        await assertLanguageUsed(ctx, language);
        if (a.variants.some((v) => v.language === language)) {
          throw conflict(
            `This announcement already has a "${language}" version.`,
            `Thông báo này đã có bản tiếng "${language}". Hãy tạo thông báo mới nếu cần thay thế.`,
          );
        }
        variant = { ...(await accept(source)), language };
        await announcements.insertVariant(id, variant, clock.now().toISOString());
        await deps.audit.record({
          ...ctx,
          action: 'announcement.add_variant',
          targetType: 'announcement',
          targetId: id,
          details: { language },
        });
        await enqueue(variant.id, '1');
        return { id, status: 'queued' };
      } catch (error) {
        await discardUpload(source, variant);
        throw error;
      }
    },

    get: load,

    list(
      ctx: RequestContext,
      filter: PageRequest & {
        status?: ProcessingStatus | undefined;
        approval?: Approval | undefined;
        mine?: boolean | undefined;
      },
    ): Promise<Page<AnnouncementRow>> {
      assertAllowed(ctx.actor, 'announcement.read');
      return announcements.listAnnouncements(ctx.actor.communeId, readScope(ctx.actor), {
        cursor: filter.cursor,
        limit: filter.limit,
        ...(filter.status && { status: filter.status }),
        ...(filter.approval && { approval: filter.approval }),
        ...(filter.mine && { createdBy: ctx.actor.id }),
      });
    },

    /** Approval is separate from processing: the commune answers for what airs (approve or reject). */
    async decide(
      ctx: RequestContext,
      id: string,
      decision: 'approved' | 'rejected',
      reason: string | null,
    ): Promise<AnnouncementRow> {
      assertAllowed(ctx.actor, 'announcement.approve');
      await load(ctx, id);
      await announcements.setApproval(id, decision, reason, ctx.actor.id, clock.now().toISOString());
      await deps.audit.record({
        ...ctx,
        action: decision === 'approved' ? 'announcement.approve' : 'announcement.reject',
        targetType: 'announcement',
        targetId: id,
        ...(reason && { details: { reason } }),
      });
      return load(ctx, id);
    },

    /** Processes failed variants again from their kept originals. */
    async retry(ctx: RequestContext, id: string): Promise<{ id: string; status: ProcessingStatus }> {
      assertAllowed(ctx.actor, 'announcement.create');
      const a = await load(ctx, id);
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
        await announcements.setVariantStatus(v.id, 'queued', null, now);
        await enqueue(v.id, `retry-${now}`);
      }
      await announcements.refreshAnnouncementStatus(id, now);
      await deps.audit.record({
        ...ctx,
        action: 'announcement.retry',
        targetType: 'announcement',
        targetId: id,
        details: { variants: failed.length },
      });
      return { id, status: 'queued' };
    },
  };
}

export type AnnouncementsService = ReturnType<typeof createAnnouncementsService>;
