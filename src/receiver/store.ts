import type { LogEvent } from '../domain/receiver/protocol.js';

/**
 * What the agent must not lose across restarts and outages: the log events not yet delivered (in order),
 * the items already handled (so nothing plays twice), and a few values (clock offset).
 */
export interface AgentStore {
  enqueue(event: LogEvent): void;
  /** The oldest undelivered events, at most `limit`. */
  peek(limit: number): readonly LogEvent[];
  /** Removes delivered (or refused) events. */
  remove(ids: readonly string[]): void;
  pending(): number;
  markDone(itemKey: string, at: string): void;
  isDone(itemKey: string): boolean;
  /** Forgets handled items older than `before` (ISO), which no manifest lists any more. */
  pruneDone(before: string): void;
  getValue(key: string): string | undefined;
  setValue(key: string, value: string): void;
  close(): void;
}

/** A store in memory, for simulated receivers. */
export function createMemoryStore(): AgentStore {
  const outbox = new Map<string, LogEvent>();
  const done = new Map<string, string>();
  const values = new Map<string, string>();
  return {
    enqueue: (e) => void (outbox.has(e.id) || outbox.set(e.id, e)),
    peek: (limit) => [...outbox.values()].slice(0, limit),
    remove: (ids) => ids.forEach((id) => outbox.delete(id)),
    pending: () => outbox.size,
    markDone: (key, at) => void done.set(key, at),
    isDone: (key) => done.has(key),
    pruneDone: (before) => [...done].forEach(([k, at]) => at < before && done.delete(k)),
    getValue: (key) => values.get(key),
    setValue: (key, value) => void values.set(key, value),
    close: () => {},
  };
}
