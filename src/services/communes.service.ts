import type { RequestContext } from '../domain/actor.js';
import { defaultAudioTargets, type Commune, type CommuneSettings } from '../domain/commune.js';
import { conflict, notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/ids.js';
import type { PasswordHasher } from '../domain/ports/passwords.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { CommuneInput, Province } from '../domain/province.js';
import { slugify } from '../domain/slug.js';
import type { AuditTrail } from './audit.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'communes' | 'provinces'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly passwords: PasswordHasher;
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

async function load(r: Pick<Repositories, 'communes'>, ctx: RequestContext): Promise<Commune> {
  const commune = await r.communes.findCommune(ctx.actor.communeId);
  if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
  return commune;
}

/** The broadcasting rules an admin may change in the app; identity (name, code, zone) comes from the file. */
export type CommuneSettingsPatch = Partial<
  Pick<CommuneSettings, 'quietHours' | 'approvalRequired' | 'audio' | 'emergency' | 'slots' | 'listenAgain'>
>;

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
     * A new commune of the province with its first admin, in one unit of work; the admin's password is
     * generated and returned this once (it is stored only hashed).
     */
    async create(
      ctx: RequestContext,
      input: CommuneInput,
    ): Promise<{ commune: Commune; admin: { username: string; password: string } }> {
      assertAllowed(ctx.actor, 'province.manage');
      const password = deps.ids.token().slice(0, 16);
      const passwordHash = await deps.passwords.hash(password);
      return deps.tx(async (r) => {
        const province = await r.provinces.findProvince(ctx.actor.provinceId);
        if (!province) throw notFound('Province', ctx.actor.provinceId, 'tỉnh');
        const id = input.id ?? (slugify(input.name.replace(/^x[ãa]\s+/i, '')) || deps.ids.id());
        if (await r.communes.isCommuneIdTaken(id, input.code)) {
          throw conflict(
            `A commune with the id ${JSON.stringify(id)} or the code ${input.code} exists.`,
            `Đã có xã với mã "${id}" hoặc mã số ${input.code}.`,
          );
        }
        if (await r.users.isUsernameTaken(input.admin.username)) {
          throw conflict(
            `The username ${JSON.stringify(input.admin.username)} is taken.`,
            `Tên đăng nhập "${input.admin.username}" đã có người dùng.`,
          );
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
          action: 'commune.create',
          targetType: 'commune',
          targetId: id,
          details: { code: input.code, admin: input.admin.username },
        });
        return { commune, admin: { username: input.admin.username, password } };
      });
    },

    /** The signed-in user's commune with its settings (time zone, slots, quiet hours, languages). */
    async get(ctx: RequestContext): Promise<Commune> {
      assertAllowed(ctx.actor, 'commune.read');
      return load(deps.repos, ctx);
    },

    /**
     * Changes settings; from then on the commune file no longer overrides them at start. Occurrences
     * already scheduled keep their times; new broadcasts follow the new rules.
     */
    async updateSettings(ctx: RequestContext, patch: CommuneSettingsPatch): Promise<Commune> {
      assertAllowed(ctx.actor, 'commune.manage');
      return deps.tx(async (r) => {
        const commune = await load(r, ctx);
        const settings: CommuneSettings = { ...commune.settings, ...patch };
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
