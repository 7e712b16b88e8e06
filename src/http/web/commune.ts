import type { HamletRow } from '../../db/repositories/hamlets.repository.js';
import type { Commune } from '../../domain/commune.js';
import { notFound } from '../../domain/errors.js';
import type { RequestContext } from '../../domain/context.js';
import type { Services } from '../../services/index.js';

/**
 * The signed-in user's commune, for labels (language names, slot names, time zone). Read-only display data;
 * no service owns communes yet, so this reads the repository the services are built on.
 */
export async function communeOf(services: Services, ctx: RequestContext): Promise<Commune> {
  const commune = await services.repos.communes.findCommune(ctx.actor.communeId);
  if (!commune) throw notFound('Commune', ctx.actor.communeId, 'xã');
  return commune;
}

/** The hamlets the user may see (the service applies the scope). */
export async function hamletsOf(services: Services, ctx: RequestContext): Promise<readonly HamletRow[]> {
  return (await services.hamlets.list(ctx, { limit: 200 })).items;
}

export function languageName(commune: Commune, code: string): string {
  return commune.settings.languages.find((l) => l.code === code)?.name ?? code;
}

/** A number the Vietnamese way (decimal comma) or the English way, with a true minus sign. */
export function formatNumber(value: number, lang: 'vi' | 'en', digits = 1): string {
  return value
    .toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
    .replace('-', '−');
}
