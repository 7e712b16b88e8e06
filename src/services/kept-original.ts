import type { RequestContext } from '../domain/actor.js';
import type { Announcement, VariantWork } from '../domain/announcement.js';
import { LoaError, conflict, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { AudioInspector } from '../domain/ports/audio.js';
import type { MediaStore, Upload } from '../domain/ports/media-store.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';
import type { Clock } from '../domain/ports/clock.js';

interface Deps {
  readonly repos: Pick<Repositories, 'announcements' | 'bulletins'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly inspector: AudioInspector;
  readonly media: Pick<MediaStore, 'discard'>;
  readonly clock: Clock;
  /** The announcement as the caller may read it (404 for another commune's or hamlet's). */
  readonly load: (
    r: Pick<Repositories, 'announcements' | 'bulletins'>,
    ctx: RequestContext,
    id: string,
  ) => Promise<Announcement>;
}

/** Said when the version has its original already, or never had a recording to keep. */
const nothingToKeep = (language: string) =>
  conflict(
    `The "${language}" version keeps its original already, or has no recording.`,
    `Bản tiếng "${language}" đã có bản ghi gốc, hoặc không phải bản ghi âm.`,
  );

/**
 * The original recording of a version uploaded processed (the edge's upload page levels in the browser
 * and sends the MP3 first, so that the version is ready at once): sent right after it, it takes the MP3's
 * place as the version's kept original, from which a retry or a processing node makes the audio again.
 */
export function createKeptOriginals(deps: Deps) {
  /** The version of `language`, when it was uploaded processed and waits for its original. */
  async function waitingVersion(
    r: Pick<Repositories, 'announcements' | 'bulletins'>,
    ctx: RequestContext,
    id: string,
    language: string,
  ): Promise<VariantWork> {
    const a = await deps.load(r, ctx, id);
    assertAllowed(ctx.actor, 'announcement.create', [a.hamletId]);
    const variant = a.variants.find((v) => v.language === language);
    if (!variant) throw notFound('Version', `${id}/${language}`, `bản tiếng "${language}"`);
    const work = await r.announcements.findVariantWork(variant.id);
    // A processed upload is stored without an inspection: nothing was probed, the Worker measured it.
    if (!work || work.sourceKind !== 'upload' || work.inspection !== null) throw nothingToKeep(language);
    return work;
  }

  /** Refuses, before the file is read, an original that could not be kept. */
  async function assertMayKeepOriginal(ctx: RequestContext, id: string, language: string): Promise<void> {
    assertAllowed(ctx.actor, 'announcement.create');
    await waitingVersion(deps.repos, ctx, id, language);
  }

  return {
    assertMayKeepOriginal,

    /**
     * Checks the original as any upload (ffprobe on Node, the container's first bytes on the edge) and
     * keeps it as the version's source in one unit of work; the processed file it replaces is removed
     * after the commit. Its audio, ready already, does not change.
     */
    async keepOriginal(
      ctx: RequestContext,
      id: string,
      language: string,
      upload: Upload,
    ): Promise<{ readonly id: string; readonly language: string; readonly bytes: number }> {
      await assertMayKeepOriginal(ctx, id, language);
      const inspection = await deps.inspector.inspect(upload.key);
      if (!inspection.ok) {
        const { status, code, messageEn, message } = inspection.rejection;
        throw new LoaError(status, code, messageEn, message);
      }
      await upload.keep();
      const replaced = await deps.tx(async (r) => {
        const work = await waitingVersion(r, ctx, id, language);
        const now = deps.clock.now().toISOString();
        const source = { key: upload.key, name: upload.filename, inspection };
        if (!(await r.announcements.replaceVariantSource(work.id, source, now)))
          throw nothingToKeep(language);
        await deps.audit.record(r, {
          ...ctx,
          action: 'announcement.keep_original',
          targetType: 'announcement',
          targetId: id,
          details: { language, bytes: upload.bytes },
        });
        return work.sourceKey;
      });
      upload.release();
      // Left behind if this fails: the sweep of originals no version holds removes it later.
      if (replaced) await deps.media.discard(replaced).catch(() => undefined);
      return { id, language, bytes: upload.bytes };
    },
  };
}
