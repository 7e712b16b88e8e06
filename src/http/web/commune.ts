import type { Hamlet as HamletRow } from '../../domain/hamlet.js';
import type { Commune } from '../../domain/commune.js';
import type { RequestContext } from '../../domain/actor.js';
import type { Services } from '../../services/index.js';

/** The signed-in user's commune, for labels (language names, slot names, time zone). */
export function communeOf(services: Services, ctx: RequestContext): Promise<Commune> {
  return services.communes.get(ctx);
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
