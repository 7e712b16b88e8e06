import type { RequestContext } from '../domain/actor.js';
import type { Commune, CommuneSettings } from '../domain/commune.js';
import { notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Repositories, UnitOfWork } from '../domain/ports/repositories.js';
import type { AuditTrail } from './audit.service.js';

interface Deps {
  readonly repos: Pick<Repositories, 'communes'>;
  readonly tx: UnitOfWork;
  readonly audit: AuditTrail;
  readonly clock: Clock;
}

async function load(r: Pick<Repositories, 'communes'>, ctx: RequestContext): Promise<Commune> {
  const commune = await r.communes.findCommune(ctx.actor.communeId);
  if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
  return commune;
}

/** The broadcasting rules an admin may change in the app; identity (name, code, zone) comes from the file. */
export type CommuneSettingsPatch = Partial<
  Pick<CommuneSettings, 'quietHours' | 'approvalRequired' | 'audio' | 'emergency' | 'slots'>
>;

export function createCommunesService(deps: Deps) {
  return {
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
