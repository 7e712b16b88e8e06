import type { CommunesRepository } from '../db/repositories/communes.repository.js';
import type { Commune, CommuneSettings } from '../domain/commune.js';
import { notFound } from '../domain/errors.js';
import { assertAllowed } from '../domain/policy.js';
import type { AuditTrail } from './audit.service.js';
import type { RequestContext } from '../domain/context.js';
import type { Clock } from '../domain/ports.js';

interface Deps {
  readonly communes: CommunesRepository;
  readonly audit: AuditTrail;
  readonly clock: Clock;
}

/** The broadcasting rules an admin may change in the app; identity (name, code, zone) comes from the file. */
export type CommuneSettingsPatch = Partial<
  Pick<CommuneSettings, 'quietHours' | 'approvalRequired' | 'audio' | 'emergency' | 'slots'>
>;

export function createCommunesService(deps: Deps) {
  async function load(ctx: RequestContext): Promise<Commune> {
    const commune = await deps.communes.findCommune(ctx.actor.communeId);
    if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
    return commune;
  }

  return {
    /** The signed-in user's commune with its settings (time zone, slots, quiet hours, languages). */
    async get(ctx: RequestContext): Promise<Commune> {
      assertAllowed(ctx.actor, 'commune.read');
      return load(ctx);
    },

    /**
     * Changes settings; from then on the commune file no longer overrides them at start. Occurrences
     * already scheduled keep their times; new broadcasts follow the new rules.
     */
    async updateSettings(ctx: RequestContext, patch: CommuneSettingsPatch): Promise<Commune> {
      assertAllowed(ctx.actor, 'commune.manage');
      const commune = await load(ctx);
      const settings: CommuneSettings = { ...commune.settings, ...patch };
      await deps.communes.updateSettings(commune.id, settings, deps.clock.now().toISOString());
      await deps.audit.record({
        ...ctx,
        action: 'commune.update_settings',
        targetType: 'commune',
        targetId: commune.id,
        details: { fields: Object.keys(patch) },
      });
      return load(ctx);
    },
  };
}

export type CommunesService = ReturnType<typeof createCommunesService>;
