import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid, LoaError, notFound } from '../domain/errors.js';
import type { Commune } from '../domain/commune.js';
import { hamletNameKey, type Hamlet, type HamletInput, type HamletPatch } from '../domain/hamlet.js';
import type { Page, PageRequest } from '../domain/page.js';
import { assertAllowed, readScope } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { NamedHamlet, Repositories, ScopedUser, UnitOfWork } from '../domain/ports/repositories.js';
import {
  DEFAULT_TIME_ZONE,
  END_OF_TIME,
  LONGEST_ITEM_MS,
  nameAirings,
  orderVariants,
} from '../domain/schedule/index.js';
import { slugify } from '../domain/slug.js';
import type { AuditTrail } from './audit.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'hamlets'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Tells the boxes of a hamlet whose schedule changed to fetch it again. */
  readonly bus: EventBus;
}

async function assertLanguagesKnown(
  r: Pick<Repositories, 'communes'>,
  communeId: string,
  languages: readonly string[],
): Promise<Commune | undefined> {
  const commune = await r.communes.findCommune(communeId);
  const known = new Set(commune?.settings.languages.map((l) => l.code) ?? []);
  const unknown = languages.filter((l) => !known.has(l));
  if (unknown.length > 0) {
    throw invalid(
      'languages',
      `Unknown language code(s): ${unknown.join(', ')}. Known: ${[...known].join(', ')}.`,
      `Mã ngôn ngữ không có trong danh sách của xã: ${unknown.join(', ')}. Các mã hợp lệ: ${[...known].join(', ')}.`,
    );
  }
  return commune;
}

/**
 * A hamlet's airings still to end play the versions in its languages: a change that leaves one of them
 * with none to play would air silence where a booking was confirmed, so it waits until those are moved.
 */
async function assertAiringsKeepAPart(
  r: Pick<Repositories, 'receiverSync'>,
  hamlet: Hamlet,
  languages: readonly string[],
  timeZone: string,
  now: number,
): Promise<void> {
  const ahead = await r.receiverSync.listManifestOccurrences(
    hamlet.id,
    new Date(now - LONGEST_ITEM_MS).toISOString(),
    END_OF_TIME,
  );
  const silenced = ahead.filter(
    (o) =>
      o.relay === null &&
      Date.parse(o.startsAt) + o.durationMs > now &&
      orderVariants(hamlet.languages, o.variants).length > 0 &&
      orderVariants(languages, o.variants).length === 0,
  );
  if (silenced.length === 0) return;
  const named = nameAirings(
    silenced.map((o) => ({ ...o, startsAt: Date.parse(o.startsAt) })),
    timeZone,
  );
  throw conflict(
    `${silenced.length} airing(s) to come in this hamlet have no version in the languages left: ${named.en}. Add a version in one of those languages, or cancel these airings, before removing the language.`,
    `${silenced.length} lượt phát sắp tới của thôn không còn bản nào bằng các ngôn ngữ còn lại: ${named.vi}. Hãy thêm bản thu bằng một trong các ngôn ngữ đó, hoặc hủy các lượt phát này, rồi mới bỏ ngôn ngữ.`,
    { airingIds: silenced.map((o) => o.occurrenceId) },
  );
}

/** A hamlet named in a request: one of the caller's commune, not deleted; another commune's reads as unknown. */
export async function assertHamletExists(
  r: Pick<Repositories, 'hamlets'>,
  ctx: RequestContext,
  hamletId: string,
) {
  const found = await r.hamlets.findExistingHamletIds(ctx.actor.communeId, [hamletId]);
  if (found.length === 0)
    throw invalid(
      'hamletId',
      `Unknown hamlet ${JSON.stringify(hamletId)}.`,
      `Không tìm thấy thôn "${hamletId}".`,
    );
}

/**
 * Two hamlets of one name in a commune would be told apart by nobody reading a schedule or a report:
 * 409 at the name, naming the hamlet that has it.
 */
function nameTaken(holder: NamedHamlet): LoaError {
  const en = `A hamlet of the commune is already named ${JSON.stringify(holder.name)} (id ${holder.id}); names are compared ignoring letter case and spaces around them. Choose another name.`;
  const vi = `Xã đã có thôn "${holder.name}" (mã ${holder.id}). Hãy đặt tên khác để lịch phát và báo cáo không bị nhầm thôn.`;
  return new LoaError(409, 'conflict', en, vi, { errors: [{ field: 'name', message: en, messageVi: vi }] });
}

async function assertNameFree(
  r: Pick<Repositories, 'hamlets'>,
  communeId: string,
  name: string,
): Promise<void> {
  const holder = await r.hamlets.findHamletNamed(communeId, name);
  if (holder) throw nameTaken(holder);
}

/** What keeps a hamlet from being deleted: its receivers, disabled ones included, and its people. */
export interface RemovalBlockers {
  readonly receivers: number;
  readonly users: readonly ScopedUser[];
}

async function removalBlockers(r: Pick<Repositories, 'hamlets'>, id: string): Promise<RemovalBlockers> {
  return { receivers: await r.hamlets.countReceivers(id), users: await r.hamlets.listScopedUsers(id) };
}

async function load(r: Pick<Repositories, 'hamlets'>, ctx: RequestContext, id: string): Promise<Hamlet> {
  const hamlet = await r.hamlets.findHamlet(id);
  if (!hamlet || hamlet.communeId !== ctx.actor.communeId) throw notFound('Hamlet', id, 'thôn');
  return hamlet;
}

export function createHamletsService(deps: Deps) {
  const { clock, tx } = deps;

  return {
    list(ctx: RequestContext, page: PageRequest): Promise<Page<Hamlet>> {
      assertAllowed(ctx.actor, 'hamlet.read');
      return deps.repos.hamlets.listHamlets(ctx.actor.communeId, readScope(ctx.actor), page);
    },

    async get(ctx: RequestContext, id: string): Promise<Hamlet> {
      const hamlet = await load(deps.repos, ctx, id);
      assertAllowed(ctx.actor, 'hamlet.read', [hamlet.id], { [hamlet.id]: hamlet.name });
      return hamlet;
    },

    create(ctx: RequestContext, input: HamletInput): Promise<Hamlet> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      const { communeId } = ctx.actor;
      return tx(async (r) => {
        await assertLanguagesKnown(r, communeId, input.languages);
        await assertNameFree(r, communeId, input.name);
        const base = input.id ?? (slugify(input.name) || deps.ids.id());
        const { id: _, ...values } = input;
        const now = clock.now().toISOString();
        // The insert itself is the check: two hamlets made at the same moment would both find the name
        // and the slug free, and the second would fail on a unique index. It inserts nothing instead: the
        // name taken meanwhile is refused as above, the id taken gives the next.
        const insert = (id: string) => r.hamlets.insertHamlet({ ...values, id, communeId }, now);
        let id = base;
        for (let n = 2; !(await insert(id)); n++) {
          await assertNameFree(r, communeId, input.name);
          if (input.id)
            throw invalid('id', `The id ${JSON.stringify(id)} is taken.`, `Mã thôn "${id}" đã được dùng.`);
          id = `${base}-${n}`;
        }
        await deps.audit.record(r, { ...ctx, action: 'hamlet.create', targetType: 'hamlet', targetId: id });
        return (await r.hamlets.findHamlet(id))!;
      });
    },

    async update(ctx: RequestContext, id: string, changes: HamletPatch): Promise<Hamlet> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      let newName: string | undefined;
      const updated = tx(async (r) => {
        // As a booking holds it, and before the hamlet is read: a booking or another change of its languages
        // at the same moment comes wholly before this one (it is checked below) or after it.
        if (changes.languages) await r.hamlets.lockSchedules([id]);
        const before = await load(r, ctx, id);
        const now = clock.now().toISOString();
        if (changes.languages) {
          const commune = await assertLanguagesKnown(r, ctx.actor.communeId, changes.languages);
          await assertAiringsKeepAPart(
            r,
            before,
            changes.languages,
            commune?.timeZone ?? DEFAULT_TIME_ZONE,
            clock.now().getTime(),
          );
        }
        // Only a new name is checked: the page sends the name with every change, and a name respelt (or
        // a twin's kept from before names were unique) keeps the key it has.
        if (changes.name !== undefined && hamletNameKey(changes.name) !== hamletNameKey(before.name)) {
          newName = changes.name;
          await assertNameFree(r, ctx.actor.communeId, newName);
        }
        await r.hamlets.updateHamlet(
          id,
          { ...changes, ...(newName !== undefined && { nameKey: hamletNameKey(newName) }) },
          now,
        );
        // The boxes play a hamlet's languages in its order: its schedule is a new one.
        const versions = changes.languages ? await r.hamlets.bumpScheduleVersions([id], now) : {};
        await deps.audit.record(r, {
          ...ctx,
          action: 'hamlet.update',
          targetType: 'hamlet',
          targetId: id,
          details: { fields: Object.keys(changes) },
        });
        return { hamlet: (await r.hamlets.findHamlet(id))!, versions };
      });
      const { hamlet, versions } = await updated.catch(async (error: unknown) => {
        // Renamed at the same moment as another hamlet took the name: both checks passed, the unique
        // index let one through (PostgreSQL; SQLite runs one unit of work at a time).
        if (!(error instanceof LoaError) && newName !== undefined) {
          const holder = await deps.repos.hamlets.findHamletNamed(ctx.actor.communeId, newName);
          if (holder && holder.id !== id) throw nameTaken(holder);
        }
        throw error;
      });
      if (Object.keys(versions).length > 0) deps.bus.publish({ type: 'schedule-changed', versions });
      return hamlet;
    },

    /**
     * What would refuse deleting the hamlet now, for its confirmation page to say before anyone presses
     * delete: `remove` refuses on the same, checked again under the hamlet's lock.
     */
    async removalBlockers(ctx: RequestContext, id: string): Promise<RemovalBlockers> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      await load(deps.repos, ctx, id);
      return removalBlockers(deps.repos, id);
    },

    remove(ctx: RequestContext, id: string): Promise<void> {
      assertAllowed(ctx.actor, 'hamlet.manage');
      return tx(async (r) => {
        await load(r, ctx, id);
        // As a booking holds it: one at the same moment is either cancelled below or refused.
        await r.hamlets.lockSchedules([id]);
        const { receivers, users } = await removalBlockers(r, id);
        // A receiver of a hidden hamlet could neither play nor be managed any more: it moves first.
        if (receivers > 0) {
          throw conflict(
            `Hamlet ${JSON.stringify(id)} still has ${receivers} receiver(s), disabled ones included: move them to another hamlet (PATCH /api/v1/receivers/{id} with hamletId) before deleting it.`,
            `Thôn còn ${receivers} cụm loa. Hãy chuyển các cụm loa này (kể cả cụm đã khóa) sang thôn khác rồi mới xóa thôn.`,
            { receivers },
          );
        }
        // Likewise its people: a hamlet head whose only hamlet was hidden would sign in to nothing, and
        // one enabled again later would look after a hamlet nobody can see.
        if (users.length > 0) {
          const names = users.map((u) => `"${u.username}"`).join(', ');
          throw conflict(
            `Hamlet ${JSON.stringify(id)} is still in the scope of ${users.length} user(s), disabled ones included: ${names}. Give them another hamlet (PATCH /api/v1/users/{id} with hamletIds) before deleting it.`,
            `Thôn còn trong phạm vi quản lý của ${users.length} người dùng (kể cả tài khoản đã khóa): ${names}. Hãy giao cho họ thôn khác rồi mới xóa thôn.`,
            { users: users.map((u) => u.id) },
          );
        }
        const now = clock.now().toISOString();
        await r.hamlets.softDeleteHamlet(id, now);
        // Its airings to come would only be marked missed: nothing is left there to play them.
        const cancelled = await r.broadcasts.cancelFutureOccurrences({ hamletId: id }, now);
        await deps.audit.record(r, {
          ...ctx,
          action: 'hamlet.delete',
          targetType: 'hamlet',
          targetId: id,
          details: { cancelledAirings: cancelled.length },
        });
      });
    },
  };
}

export type HamletsService = ReturnType<typeof createHamletsService>;
