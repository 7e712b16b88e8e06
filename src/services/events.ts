/**
 * The in-process event bus between the scheduler and the receivers' push channel. Several API instances
 * each have their own bus; the receivers' schedule version (ETag) stays the source of truth, so a missed
 * push only delays a receiver until its next poll.
 */
export type LoaEvent =
  /** The future schedule of these hamlets changed; `versions` are their new schedule versions. */
  | { readonly type: 'schedule-changed'; readonly versions: Readonly<Record<string, number>> }
  /** An emergency occurrence must start now on these hamlets' receivers. */
  | { readonly type: 'emergency'; readonly hamletId: string; readonly occurrenceId: string }
  /** Stop what is playing (an emergency was cancelled). */
  | { readonly type: 'stop'; readonly hamletId: string; readonly occurrenceId: string | null }
  /** A receiver's token was rotated or the receiver disabled or moved: close its open push channels. */
  | { readonly type: 'receiver-revoked'; readonly receiverId: string };

export type EventListener = (event: LoaEvent) => void;

export interface EventBus {
  publish(event: LoaEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>();
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // One failing subscriber must not stop the others from hearing about a schedule change.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
