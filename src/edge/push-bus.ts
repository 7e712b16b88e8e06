import type { EventBus, LoaEvent } from '../domain/ports/events.js';
import type { Logger } from '../domain/ports/logger.js';

/** Where a commune's receivers hold their push channels: a Durable Object on the edge profile. */
export interface PushTarget {
  publish(event: LoaEvent): Promise<void>;
}

export interface PushBusDeps {
  /** The communes these hamlets belong to. */
  readonly communesOfHamlets: (hamletIds: readonly string[]) => Promise<readonly string[]>;
  /** The communes an emergency booking was made in (one, or every commune of a province's bulletin). */
  readonly communesOfBooking: (bookingId: string) => Promise<readonly string[]>;
  /** The commune of a receiver (for a revoked token), if it still exists. */
  readonly communeOfReceiver: (receiverId: string) => Promise<string | undefined>;
  readonly target: (communeId: string) => PushTarget;
  readonly logger: Logger;
}

export interface PushBus extends EventBus {
  /** Resolves once every event published so far has reached its communes (for `waitUntil`). */
  settle(): Promise<void>;
}

/**
 * The event bus of a Worker: an isolate holds no push channel, so each event goes to the Durable Object
 * of every commune it concerns, which delivers it to the channels it holds with the same receiver hub
 * as the Node profile. Publishing never blocks the use case that committed; `settle` lets the request
 * keep running until the events are delivered.
 */
export function createPushBus(deps: PushBusDeps): PushBus {
  const pending = new Set<Promise<void>>();
  const listeners = new Set<(event: LoaEvent) => void>();

  async function communesOf(event: LoaEvent): Promise<readonly string[]> {
    switch (event.type) {
      case 'schedule-changed':
        return deps.communesOfHamlets(Object.keys(event.versions));
      case 'emergency':
        return deps.communesOfBooking(event.bookingId);
      case 'stop':
        return deps.communesOfHamlets(event.hamletIds);
      case 'receiver-command':
        return deps.communesOfHamlets([event.hamletId]);
      case 'receiver-revoked': {
        const commune = await deps.communeOfReceiver(event.receiverId);
        return commune ? [commune] : [];
      }
      // Events for the service's own subscribers (webhooks, live pages), not for receivers.
      default:
        return [];
    }
  }

  async function deliver(event: LoaEvent): Promise<void> {
    const communes = await communesOf(event);
    await Promise.all(communes.map((id) => deps.target(id).publish(event)));
  }

  return {
    publish(event) {
      for (const listener of listeners) listener(event);
      const delivery = deliver(event).catch((error: unknown) =>
        // A lost push delays a receiver until its next poll (at most a minute); the change is stored.
        deps.logger.error({ err: String(error), event: event.type }, 'push to the commune failed'),
      );
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
