import { MAX_CAP_BYTES } from '../domain/cap/alert.js';
import { capFeedEntries, inSentOrder, MAX_FEED_BYTES, type CapFeed } from '../domain/cap/feed.js';
import { LoaError } from '../domain/errors.js';
import type { Clock } from '../domain/ports/clock.js';
import type { FeedFetcher } from '../domain/ports/feeds.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Repositories } from '../domain/ports/repositories.js';
import type { CapAlertsService } from './cap-alerts.service.js';

export type { CapFeed };

export interface CapFeedsDeps {
  readonly feeds: readonly CapFeed[];
  readonly fetcher: FeedFetcher;
  readonly intervalMs: number;
  readonly capAlerts: Pick<CapAlertsService, 'intake'>;
  readonly repos: Pick<Repositories, 'provinces'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface PollReport {
  readonly feeds: number;
  /** New alerts taken (duplicates not counted). */
  readonly received: number;
  /** Documents refused (not CAP, expired …) or feeds that could not be read. */
  readonly refused: number;
}

const LINKS_REMEMBERED = 5000;

/**
 * Polls the configured CAP feeds on the dispatcher's tick, once every `intervalMs`: each feed is read
 * with the outbound checks (public http(s) only, timeout, size limit), the alerts it carries inline are
 * taken, and the CAP documents it links to are fetched once each (a document already taken or refused
 * is not fetched again; the intake answers duplicates anyway). A refused document is logged with its
 * reason and never aired; one that failed for a passing reason (the speech engine) is fetched again on
 * the next poll; one bad feed does not stop the others.
 */
export function createCapFeedsService(deps: CapFeedsDeps) {
  let nextAt = Number.NEGATIVE_INFINITY;
  const fetched = new Set<string>();

  async function take(
    provinceId: string,
    xml: string,
    where: string,
  ): Promise<'new' | 'duplicate' | 'refused' | 'failed'> {
    try {
      const result = await deps.capAlerts.intake(provinceId, { via: 'feed', actorCtx: null }, xml);
      return result.duplicate ? 'duplicate' : 'new';
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      deps.logger.warn(
        { feed: where, code: error.code, reason: error.detail },
        'CAP document from a feed refused',
      );
      // A passing failure (the speech engine, a full disk) leaves the document to the next poll.
      return error.status >= 500 ? 'failed' : 'refused';
    }
  }

  return {
    async poll(): Promise<PollReport> {
      const now = deps.clock.now().getTime();
      if (deps.feeds.length === 0 || now < nextAt) return { feeds: 0, received: 0, refused: 0 };
      nextAt = now + deps.intervalMs;
      let received = 0;
      let refused = 0;
      for (const feed of deps.feeds) {
        const province = await deps.repos.provinces.findProvinceByCode(feed.provinceCode);
        if (!province) {
          deps.logger.error(
            { feed: feed.url, province: feed.provinceCode },
            'CAP feed of an unknown province',
          );
          refused++;
          continue;
        }
        const read = await deps.fetcher.get(feed.url, MAX_FEED_BYTES);
        if ('error' in read) {
          deps.logger.warn({ feed: feed.url, reason: read.error }, 'CAP feed could not be read');
          refused++;
          continue;
        }
        const entries = capFeedEntries(read.body, feed.url);
        if (!entries.ok) {
          deps.logger.warn({ feed: feed.url, reason: entries.error }, 'CAP feed refused');
          refused++;
          continue;
        }
        const documents: { xml: string; where: string; link?: string }[] = entries.entries.embedded.map(
          (xml) => ({ xml, where: feed.url }),
        );
        for (const link of entries.entries.links) {
          // Remembered per province: a national feed polled for two provinces brings each its alerts.
          if (fetched.has(`${province.id} ${link}`)) continue;
          const doc = await deps.fetcher.get(link, MAX_CAP_BYTES);
          if ('error' in doc) {
            deps.logger.warn({ feed: feed.url, link, reason: doc.error }, 'CAP document could not be read');
            refused++;
            continue;
          }
          documents.push({ xml: doc.body, where: link, link });
        }
        for (const d of inSentOrder(documents)) {
          const outcome = await take(province.id, d.xml, d.where);
          if (outcome === 'new') received++;
          else if (outcome !== 'duplicate') refused++;
          if (d.link && outcome !== 'failed') {
            if (fetched.size >= LINKS_REMEMBERED) fetched.clear();
            fetched.add(`${province.id} ${d.link}`);
          }
        }
      }
      if (received > 0 || refused > 0) deps.logger.info({ received, refused }, 'CAP feeds polled');
      return { feeds: deps.feeds.length, received, refused };
    },
  };
}

export type CapFeedsService = ReturnType<typeof createCapFeedsService>;
