import type { HamletRow, HamletsRepository, HamletValues } from '../db/repositories/hamlets.repository.js';
import type { Page, PageRequest } from '../db/repositories/page.js';
import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import { slugify } from '../domain/slug.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from '../domain/context.js';
import type { Clock, IdGenerator } from '../domain/ports.js';

interface Deps {
  readonly hamlets: HamletsRepository;
  readonly communes: CommunesRepository;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export function createHamletsService(deps: Deps) {
  const { hamlets, clock } = deps;

  async function assertLanguagesKnown(communeId: string, languages: readonly string[]): Promise<void> {
    const commune = await deps.communes.findCommune(communeId);
    const known = new Set(commune?.settings.languages.map((l) => l.code) ?? []);
    const unknown = languages.filter((l) => !known.has(l));
    if (unknown.length > 0) {
      throw invalid(
        'languages',
        `Unknown language code(s): ${unknown.join(', ')}. Known: ${[...known].join(', ')}.`,
        `Mã ngôn ngữ không có trong danh sách của xã: ${unknown.join(', ')}. Các mã hợp lệ: ${[...known].join(', ')}.`,
      );
    }
  }

  async function load(ctx: RequestContext, id: string): Promise<HamletRow> {
    const hamlet = await hamlets.findHamlet(id);
    if (!hamlet || hamlet.communeId !== ctx.actor.communeId) throw notFound('Hamlet', id, 'thôn');
    return hamlet;
  }

  return {
    list(ctx: RequestContext, page: PageRequest): Promise<Page<HamletRow>> {
      assertAllowed(ctx.actor, 'hamlet.read');
      return hamlets.listHamlets(ctx.actor.communeId, readScope(ctx.actor), page);
    },

    async get(ctx: RequestContext, id: string): Promise<HamletRow> {
      const hamlet = await load(ctx, id);
      assertAllowed(ctx.actor, 'hamlet.read', [hamlet.id]);
      return hamlet;
    },

    async create(ctx: RequestContext, input: HamletValues & { id?: string | undefined }): Promise<HamletRow> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      await assertLanguagesKnown(ctx.actor.communeId, input.languages);
      const base = input.id ?? (slugify(input.name) || deps.ids.id());
      let id = base;
      for (let n = 2; await hamlets.isIdTaken(id); n++) {
        if (input.id)
          throw invalid('id', `The id ${JSON.stringify(id)} is taken.`, `Mã thôn "${id}" đã được dùng.`);
        id = `${base}-${n}`;
      }
      const now = clock.now().toISOString();
      await hamlets.insertHamlet({ ...input, id, communeId: ctx.actor.communeId }, now);
      await deps.audit.record({ ...ctx, action: 'hamlet.create', targetType: 'hamlet', targetId: id });
      return (await hamlets.findHamlet(id))!;
    },

    async update(ctx: RequestContext, id: string, changes: Partial<HamletValues>): Promise<HamletRow> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      await load(ctx, id);
      if (changes.languages) await assertLanguagesKnown(ctx.actor.communeId, changes.languages);
      await hamlets.updateHamlet(id, changes, clock.now().toISOString());
      await deps.audit.record({
        ...ctx,
        action: 'hamlet.update',
        targetType: 'hamlet',
        targetId: id,
        details: { fields: Object.keys(changes) },
      });
      return (await hamlets.findHamlet(id))!;
    },

    async remove(ctx: RequestContext, id: string): Promise<void> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      await load(ctx, id);
      // A receiver of a hidden hamlet could neither play nor be managed any more: it moves first.
      const receivers = await hamlets.countReceivers(id);
      if (receivers > 0) {
        throw conflict(
          `Hamlet ${JSON.stringify(id)} still has ${receivers} receiver(s), disabled ones included: move them to another hamlet (PATCH /api/v1/receivers/{id} with hamletId) before deleting it.`,
          `Thôn còn ${receivers} cụm loa. Hãy chuyển các cụm loa này (kể cả cụm đã khóa) sang thôn khác rồi mới xóa thôn.`,
          { receivers },
        );
      }
      await hamlets.softDeleteHamlet(id, clock.now().toISOString());
      await deps.audit.record({ ...ctx, action: 'hamlet.delete', targetType: 'hamlet', targetId: id });
    },
  };
}

export type HamletsService = ReturnType<typeof createHamletsService>;
