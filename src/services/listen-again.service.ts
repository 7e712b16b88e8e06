import { notFound } from '../domain/errors.js';
import type { Commune } from '../domain/commune.js';
import type { Hamlet } from '../domain/hamlet.js';
import {
  DEFAULT_LISTEN_AGAIN,
  LISTEN_AGAIN_DAYS,
  listenAgainEntries,
  type ListenAgainEntry,
} from '../domain/listen-again.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Repositories } from '../domain/ports/repositories.js';

interface Deps {
  readonly repos: Pick<Repositories, 'communes' | 'hamlets' | 'listenAgain'>;
  readonly clock: Clock;
}

/**
 * Rows (an announcement's language version in a hamlet) one page or feed reads at most: a month of a busy
 * commune is a few hundred, however often each item was repeated.
 */
const MAX_ROWS = 5000;

export interface ListenAgainView {
  readonly commune: Commune;
  /** The hamlet of a hamlet's page; null for the whole commune. */
  readonly hamlet: Hamlet | null;
  readonly hamlets: readonly Hamlet[];
  readonly entries: readonly ListenAgainEntry[];
  readonly from: string;
  readonly to: string;
}

/**
 * Listen again, for anyone without signing in: what aired in a commune or one of its hamlets in the last
 * 30 days. A commune unknown, a hamlet not of it, or a commune that turned listening again off are all
 * the same 404, so that the page tells nothing of what exists.
 */
export function createListenAgainService(deps: Deps) {
  return {
    async aired(communeCode: string, hamletId?: string): Promise<ListenAgainView> {
      const commune = /^\d{5}$/.test(communeCode)
        ? await deps.repos.communes.findCommuneByCode(communeCode)
        : undefined;
      const settings = commune?.settings.listenAgain ?? DEFAULT_LISTEN_AGAIN;
      if (!commune || !settings.enabled) throw notFound('Commune', communeCode, 'xã');
      const hamlets = await deps.repos.hamlets.listCommuneHamlets(commune.id);
      const hamlet = hamletId === undefined ? null : hamlets.find((h) => h.id === hamletId);
      if (hamlet === undefined) throw notFound('Hamlet', hamletId ?? '', 'thôn');
      const now = deps.clock.now().getTime();
      const from = new Date(now - LISTEN_AGAIN_DAYS * 86_400_000).toISOString();
      const to = new Date(now).toISOString();
      const rows = await deps.repos.listenAgain.listAiredAudio({
        communeId: commune.id,
        hamletId: hamlet?.id ?? null,
        from,
        to,
        categories: settings.categories,
        limit: MAX_ROWS,
      });
      return {
        commune,
        hamlet,
        hamlets,
        entries: listenAgainEntries(
          rows,
          now,
          commune.settings.languages.map((l) => l.code),
        ),
        from,
        to,
      };
    },
  };
}

export type ListenAgainService = ReturnType<typeof createListenAgainService>;
