import type { LogEvent } from '../domain/receiver/protocol.js';
import { backoffMs } from './backoff.js';
import { afterRefusal } from './log-refusal.js';
import type { AgentLogger, Timers } from './ports.js';
import type { AgentStore } from './store.js';

export interface LogDeliveryDeps {
  readonly store: AgentStore;
  /** POSTs a batch; the server takes each event once (a batch sent again counts its duplicates). */
  readonly send: (events: readonly LogEvent[]) => Promise<{ accepted: number; duplicates: number }>;
  readonly batchSize: number;
  readonly timers: Timers;
  readonly random: () => number;
  readonly logger: AgentLogger;
  readonly track: (work: Promise<unknown>) => void;
  /** Whether a delivery may start now: online, and the token not refused. */
  readonly mayDeliver: () => boolean;
  /** The agent is stopping: no batch more, no retry armed. */
  readonly stopped: () => boolean;
  /** The server answered the batch (took it, or refused it for good): the link works. */
  readonly answered: () => void;
  /** The batch could not go (the link, the server): it is kept and tried again later. */
  readonly failed: (error: unknown) => void;
}

/**
 * Delivers the agent's queued log events in order, in batches, exactly once with the server's help (the
 * queue is durable, the server idempotent by event id); a failed batch is tried again after a backoff.
 */
export function createLogDelivery(deps: LogDeliveryDeps) {
  const { store } = deps;
  let flushing = false;
  let attempt = 0;
  // Halved after each 413 (the server's 1 MB limit, or a proxy's smaller one).
  let sendSize = deps.batchSize;
  let retry: unknown;
  const delivered = { accepted: 0, duplicates: 0 };

  async function flush(): Promise<void> {
    flushing = true;
    retry = undefined;
    try {
      for (
        let batch = store.peek(sendSize);
        batch.length > 0 && !deps.stopped();
        batch = store.peek(sendSize)
      ) {
        try {
          const answer = await deps.send(batch);
          store.remove(batch.map((e) => e.id));
          delivered.accepted += answer.accepted;
          delivered.duplicates += answer.duplicates;
          attempt = 0;
          deps.answered();
        } catch (error) {
          const next = afterRefusal(error, batch, deps.batchSize);
          if (next.kind !== 'retry') {
            deps.answered();
            // Kept after a 413: the link it came on is often closed with it, and the retry after that failure
            // must not start from the full size again.
            if (next.kind === 'smaller') sendSize = next.size;
            else {
              deps.logger.warn(next.warning, next.details);
              store.remove(next.ids);
              sendSize = next.size ?? sendSize;
            }
            continue;
          }
          deps.failed(error);
          if (!deps.stopped())
            retry = deps.timers.setTimeout(() => deps.track(flush()), backoffMs(attempt++, deps.random));
          return;
        }
      }
    } finally {
      flushing = false;
    }
  }

  return {
    flush,
    /** Starts a delivery unless one runs, or waits for its retry, or there is nothing to deliver. */
    soon(): void {
      if (!flushing && retry === undefined && deps.mayDeliver() && store.pending() > 0) deps.track(flush());
    },
    /** Forgets the retry armed: one left as armed would keep every later delivery from starting. */
    cancel(): void {
      deps.timers.clearTimeout(retry);
      retry = undefined;
    },
    delivered: () => ({ ...delivered }),
  };
}

export type LogDelivery = ReturnType<typeof createLogDelivery>;
