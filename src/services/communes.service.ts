import { PROVINCE_ROLES, type RequestContext } from '../domain/actor.js';
import {
  communeEtag,
  defaultAudioTargets,
  slotsInQuietHours,
  type Commune,
  type CommuneSettings,
  type StoredCommune,
} from '../domain/commune.js';
import { conflict, invalid, LoaError, notFound, preconditionFailed } from '../domain/errors.js';
import { ifMatchHolds } from '../domain/etag.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import { onlineWindowMs } from '../domain/receiver/health.js';
import type { EventBus } from '../domain/ports/events.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { CommuneInput, Province } from '../domain/province.js';
import { slugify } from '../domain/slug.js';
import { isSystemUsername, usernameRefusals } from '../domain/user.js';
import type { AuditTrail } from './audit.service.js';
import { assertAiringsKept, assertSlotsKept, takenField } from './commune-rules.js';

interface Deps {
  readonly repos: Pick<Repositories, 'communes' | 'provinces' | 'users' | 'provinceReports'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
  /** Closes the push channels of a deleted commune's receivers. */
  readonly bus?: EventBus | undefined;
}

/** A commune on the province's home page: its receivers online now out of its enabled ones. */
export interface CommuneOverview {
  readonly commune: Commune;
  readonly receivers: { readonly online: number; readonly total: number };
}

/** What `create` answers: the commune, and its first admin's password when one was made (shown once). */
export interface CreatedCommune {
  readonly commune: Commune;
  readonly admin?: { readonly username: string; readonly password: string };
}

/**
 * What a new commune starts with until its admin changes it: the rural radio rules (two standing slots
 * of 45 minutes, quiet hours 21:30–05:30), approval required, Vietnamese.
 */
const newCommuneSettings: CommuneSettings = {
  quietHours: { start: '21:30', end: '05:30' },
  approvalRequired: true,
  slots: [
    { name: 'morning', label: 'Buổi sáng', start: '05:30', end: '06:15', maxAirTimeMin: 45 },
    { name: 'evening', label: 'Buổi chiều', start: '17:00', end: '17:45', maxAirTimeMin: 45 },
  ],
  audio: defaultAudioTargets,
  emergency: { repeatCount: 3, repeatIntervalMin: 10 },
  languages: [{ code: 'vi', name: 'Tiếng Việt' }],
};

async function load(r: Pick<Repositories, 'communes'>, ctx: RequestContext): Promise<StoredCommune> {
  const commune = await r.communes.findCommune(ctx.actor.communeId);
  if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
  return commune;
}

const communeTaken = (id: string, code: string) =>
  takenField(
    'code',
    `A commune with the id ${JSON.stringify(id)} or the code ${code} exists (or existed: codes are never reused).`,
    `Đã có xã với mã "${id}" hoặc mã số ${code} (kể cả xã đã xóa: mã số xã không dùng lại).`,
  );

const adminTaken = (username: string) => {
  const { en, vi } = usernameRefusals.taken(username);
  return takenField('admin.username', en, vi);
};

/** The broadcasting rules an admin may change in the app; identity (name, code, zone) comes from the file. */
export type CommuneSettingsPatch = Partial<
  Pick<CommuneSettings, 'quietHours' | 'approvalRequired' | 'slots' | 'listenAgain'>
> & {
  readonly audio?: Partial<CommuneSettings['audio']> | undefined;
  readonly emergency?: Partial<CommuneSettings['emergency']> | undefined;
};

/** What a save is conditional on: an `If-Match` value (RFC 9110 §13.1.1) against the commune's ETag. */
export interface SettingsPrecondition {
  readonly ifMatch?: string | undefined;
}

const settingsChangedMeanwhile = () =>
  preconditionFailed(
    'The commune’s settings were changed by someone else after you read them (If-Match no longer matches their ETag); nothing was saved. Read them again with GET /api/v1/commune, check them, and send your change with the new ETag.',
    'Cài đặt đã được người khác thay đổi sau khi bạn mở; chưa lưu gì. Hãy tải lại, xem lại rồi lưu.',
  );

export function createCommunesService(deps: Deps) {
  return {
    /** The caller's province. */
    async province(ctx: RequestContext): Promise<Province> {
      assertAllowed(ctx.actor, 'province.read');
      const province = await deps.repos.provinces.findProvince(ctx.actor.provinceId);
      if (!province) throw notFound('Province', ctx.actor.provinceId, 'tỉnh');
      return province;
    },

    /** The communes of the caller's province, by name. */
    list(ctx: RequestContext): Promise<readonly Commune[]> {
      assertAllowed(ctx.actor, 'province.read');
      return deps.repos.communes.listCommunes(ctx.actor.provinceId);
    },

    /**
     * The communes of the caller's province, by name, each with its receivers online now (a heartbeat
     * within two intervals, the receiver list's rule) out of its enabled ones: one query for them all.
     */
    async overview(ctx: RequestContext): Promise<readonly CommuneOverview[]> {
      assertAllowed(ctx.actor, 'province.read');
      const onlineAfter = new Date(deps.clock.now().getTime() - onlineWindowMs()).toISOString();
      const [communes, counts] = await Promise.all([
        deps.repos.communes.listCommunes(ctx.actor.provinceId),
        deps.repos.provinceReports.countReceiversByCommune(ctx.actor.provinceId, onlineAfter),
      ]);
      const countOf = new Map(counts.map((c) => [c.communeId, c]));
      return communes.map((commune) => ({
        commune,
        receivers: {
          online: countOf.get(commune.id)?.online ?? 0,
          total: countOf.get(commune.id)?.total ?? 0,
        },
      }));
    },

    /**
     * A commune of the caller's province, for province staff to look at: its tenant is entered only
     * from above (404 for any other commune, which reveals nothing).
     */
    async inProvince(ctx: RequestContext, id: string): Promise<Commune> {
      assertAllowed(ctx.actor, 'province.read');
      const commune = await deps.repos.communes.findCommune(id);
      if (!commune || commune.provinceId !== ctx.actor.provinceId) throw notFound('Commune', id, 'xã');
      return commune;
    },

    /**
     * A new commune of the province, with its first admin when `input.admin` names one, in one unit of
     * work; the admin's password is generated and returned this once (it is stored only hashed). The id
     * and the code are checked against every commune ever made, deleted ones included: a commune code is
     * national and never reused.
     */
    async create(ctx: RequestContext, input: CommuneInput): Promise<CreatedCommune> {
      assertAllowed(ctx.actor, 'province.manage');
      const password = input.admin ? deps.ids.token().slice(0, 16) : undefined;
      const passwordHash = password === undefined ? undefined : await deps.passwords.hash(password);
      const id = input.id ?? (slugify(input.name.replace(/^x[ãa]\s+/i, '')) || deps.ids.id());
      if (input.admin && isSystemUsername(input.admin.username)) {
        throw invalid('admin.username', usernameRefusals.system.en, usernameRefusals.system.vi);
      }
      const created = deps.tx(async (r) => {
        const province = await r.provinces.findProvince(ctx.actor.provinceId);
        if (!province) throw notFound('Province', ctx.actor.provinceId, 'tỉnh');
        if (await r.communes.isCommuneIdTaken(id, input.code)) throw communeTaken(id, input.code);
        if (input.admin && (await r.users.isUsernameTaken(input.admin.username))) {
          throw adminTaken(input.admin.username);
        }
        const now = deps.clock.now().toISOString();
        const commune: Commune = {
          id,
          name: input.name,
          code: input.code,
          provinceCode: province.code,
          provinceId: province.id,
          timeZone: input.timeZone,
          settings: newCommuneSettings,
        };
        await r.communes.insertCommune(commune, now);
        if (input.admin && passwordHash !== undefined) {
          const adminId = deps.ids.id();
          await r.users.insertUser(
            {
              id: adminId,
              username: input.admin.username,
              displayName: input.admin.displayName,
              passwordHash,
              role: 'admin',
              communeId: id,
              hamletIds: [],
            },
            now,
          );
          await deps.audit.record(r, {
            ...ctx,
            action: 'user.create',
            targetType: 'user',
            targetId: adminId,
            details: { username: input.admin.username, role: 'admin', communeId: id },
          });
        }
        await deps.audit.record(r, {
          ...ctx,
          action: 'commune.create',
          targetType: 'commune',
          targetId: id,
          details: { code: input.code, name: input.name, admin: input.admin?.username ?? null },
        });
        return input.admin && password !== undefined
          ? { commune, admin: { username: input.admin.username, password } }
          : { commune };
      });
      try {
        return await created;
      } catch (error) {
        // Two requests for one code at once: both checks passed, the database's unique index let one
        // insert through; the other is told what a lone request would have been told.
        if (!(error instanceof LoaError) && (await deps.repos.communes.isCommuneIdTaken(id, input.code))) {
          throw communeTaken(id, input.code);
        }
        if (
          !(error instanceof LoaError) &&
          input.admin &&
          (await deps.repos.users.isUsernameTaken(input.admin.username))
        ) {
          throw adminTaken(input.admin.username);
        }
        throw error;
      }
    },

    /**
     * Deletes (hides) a commune of the province: from the commit on, its users cannot sign in and their
     * sessions open nothing, its receivers' tokens are refused and their push channels close, and it is
     * gone from every list and report; its history stays. The commune province staff sign in from (their
     * home commune) is kept, so that the province never locks itself out.
     */
    async remove(ctx: RequestContext, id: string): Promise<void> {
      assertAllowed(ctx.actor, 'province.manage');
      const receiverIds = await deps.tx(async (r) => {
        const commune = await r.communes.findCommune(id);
        if (!commune || commune.provinceId !== ctx.actor.provinceId) throw notFound('Commune', id, 'xã');
        const staff = await r.users.listUsers({ communeId: id }, PROVINCE_ROLES, { limit: 1 });
        if (staff.items.length > 0) {
          throw conflict(
            `The province's own staff sign in from ${commune.name}; it cannot be deleted.`,
            `Cán bộ tỉnh đăng nhập từ ${commune.name}, nên không xóa được xã này.`,
          );
        }
        const receivers = await r.communes.listReceiverIds(id);
        await r.communes.softDeleteCommune(id, deps.clock.now().toISOString());
        await deps.audit.record(r, {
          ...ctx,
          action: 'commune.delete',
          targetType: 'commune',
          targetId: id,
          details: { code: commune.code, name: commune.name, receivers: receivers.length },
        });
        return receivers;
      });
      for (const receiverId of receiverIds) await deps.bus?.publish({ type: 'receiver-revoked', receiverId });
    },

    /** The signed-in user's commune with its settings (time zone, slots, quiet hours, languages). */
    async get(ctx: RequestContext): Promise<StoredCommune> {
      assertAllowed(ctx.actor, 'commune.read');
      return load(deps.repos, ctx);
    },

    /**
     * Changes settings; from then on the commune file no longer overrides them at start. Occurrences
     * already scheduled keep their times, so rules they would break are refused; new broadcasts follow
     * the new rules. With `ifMatch`, only over the version its sender read (412 otherwise, nothing
     * saved); without, the patch lands on whatever is stored, its fields alone.
     */
    async updateSettings(
      ctx: RequestContext,
      patch: CommuneSettingsPatch,
      precondition: SettingsPrecondition = {},
    ): Promise<StoredCommune> {
      assertAllowed(ctx.actor, 'commune.manage');
      return deps.tx(async (r) => {
        // Another admin's save at the same moment is read whole before this patch lands on it, or after.
        await r.communes.lockCommune(ctx.actor.communeId);
        const commune = await load(r, ctx);
        if (precondition.ifMatch !== undefined && !ifMatchHolds(precondition.ifMatch, communeEtag(commune))) {
          throw settingsChangedMeanwhile();
        }
        if (patch.slots) await assertSlotsKept(r, commune, patch.slots);
        const settings: CommuneSettings = {
          ...commune.settings,
          ...patch,
          audio: { ...commune.settings.audio, ...patch.audio },
          emergency: { ...commune.settings.emergency, ...patch.emergency },
        };
        const quiet = slotsInQuietHours(settings.slots, settings.quietHours);
        if (quiet.length > 0) {
          const names = quiet.map((s) => `${s.label} (${s.start}–${s.end})`).join(', ');
          const hours = `${settings.quietHours.start}–${settings.quietHours.end}`;
          throw invalid(
            patch.slots ? 'slots' : 'quietHours',
            `${names} runs into the quiet hours ${hours}: move the slot or the quiet hours.`,
            `${names} lấn vào giờ yên tĩnh ${hours}: hãy dời khung giờ phát hoặc giờ yên tĩnh.`,
          );
        }
        if (patch.quietHours || patch.slots) {
          await assertAiringsKept(r, commune, { ...commune, settings }, deps.clock.now().getTime());
        }
        await r.communes.updateSettings(commune.id, settings, deps.clock.now().toISOString());
        await deps.audit.record(r, {
          ...ctx,
          action: 'commune.update_settings',
          targetType: 'commune',
          targetId: commune.id,
          details: { fields: Object.keys(patch) },
        });
        return load(r, ctx);
      });
    },
  };
}

export type CommunesService = ReturnType<typeof createCommunesService>;
