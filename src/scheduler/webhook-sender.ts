import type { Logger } from '../domain/ports/logger.js';
import type { Services } from '../services/index.js';

export interface WebhookSenderDeps {
  readonly services: Pick<Services, 'webhooks'>;
  readonly logger: Logger;
  /** Who holds delivery leases: unique per running process, so two never settle each other's attempts. */
  readonly workerId: string;
  /** How often an idle sender looks for due deliveries (default 2 s). */
  readonly pollMs?: number;
}

/**
 * Works the webhook deliveries on every instance: looks for due ones every two seconds, or at once when
 * the event bus tells of a fact with a webhook (`wake`), and makes one attempt of each it can lease.
 * Leases keep two instances from sending the same attempt; deliveries and their retries wait in the
 * database, so nothing is lost with a process.
 */
export function createWebhookSender(deps: WebhookSenderDeps) {
  const pollMs = deps.pollMs ?? 2000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function round(): Promise<number> {
    let total = 0;
    for (let n = -1; n !== 0; total += n) n = await deps.services.webhooks.deliverDue(deps.workerId);
    return total;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = round()
        .then(() => undefined)
        .catch((error: Error) => deps.logger.error({ err: error.message }, 'webhook delivery round failed'))
        .finally(() => {
          running = undefined;
          schedule(pollMs);
        });
    }, delayMs);
  }

  return {
    /** Looks for due deliveries now rather than at the next poll. */
    wake(): void {
      if (!running) schedule(0);
    },

    /**
     * Makes every attempt due now, after the round under way (tests drive the clock and call this instead
     * of waiting for a poll). Returns how many attempts were made.
     */
    async drain(): Promise<number> {
      await running;
      return round();
    },

    start(): void {
      stopped = false;
      schedule(0);
    },

    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
