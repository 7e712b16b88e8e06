import type { EventBus, EventListener } from '../domain/ports/events.js';

/** The bus of one process (the embedded profile): listeners hear every event published here. */
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
