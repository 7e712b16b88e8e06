import type { LogEvent, RejectedEvent } from '../domain/receiver/protocol.js';
import { HttpError } from './client.js';

/** What a refused delivery of a batch of log events says to do next. */
export type AfterRefusal =
  /** Too large (413): send batches of `size` events from now on. */
  | { readonly kind: 'smaller'; readonly size: number }
  /**
   * Refused for good: keeping them would block the queue. `size`, when given, is the batch size to go
   * back to.
   */
  | {
      readonly kind: 'drop';
      readonly ids: readonly string[];
      readonly warning: string;
      readonly details: Readonly<Record<string, unknown>>;
      readonly size?: number;
    }
  /** Nothing said of the events (the link, the server, a proxy): the batch is kept for a later try. */
  | { readonly kind: 'retry' };

/**
 * Reads a failed delivery of `batch`: a 413 halves the batches (down to one event, which goes alone), a
 * 422 or a 400 naming some of its events drops those and only those, and anything else keeps the batch.
 * @example afterRefusal(new HttpError(413, 'too large'), batchOf500) // → { kind: 'smaller', size: 250 }
 */
export function afterRefusal(error: unknown, batch: readonly LogEvent[], fullSize: number): AfterRefusal {
  if (error instanceof HttpError && error.status === 413) {
    if (batch.length > 1) return { kind: 'smaller', size: Math.ceil(batch.length / 2) };
    // Too large on its own (an older agent's event with a player's whole output): no batch will ever
    // carry it. What made the batches too large is gone with it.
    return {
      kind: 'drop',
      ids: [batch[0]!.id],
      warning: 'log event too large for the server; dropped',
      details: { id: batch[0]!.id, bytes: new TextEncoder().encode(JSON.stringify(batch[0])).byteLength },
      size: fullSize,
    };
  }
  const rejected = rejectedEvents(error);
  // Only the events named go: the rest of the batch is proof of playback the server can take, and a 400
  // that names none (a proxy's) says nothing of the events at all.
  const sent = new Set(batch.map((e) => e.id));
  const ids = [...rejected.map((r) => r.id), ...unreadableEvents(error, batch)].filter((id) => sent.has(id));
  if (ids.length === 0) return { kind: 'retry' };
  return {
    kind: 'drop',
    ids,
    // Unknown or foreign occurrence, bad time, a form the server cannot read.
    warning: 'log events refused by the server; dropped',
    details: { count: ids.length, rejected },
  };
}

/** The events a 422 refused, from its problem body. */
function rejectedEvents(error: unknown): readonly RejectedEvent[] {
  if (!(error instanceof HttpError) || error.status !== 422) return [];
  const rejected = error.problem?.rejected;
  return Array.isArray(rejected) ? (rejected as RejectedEvent[]) : [];
}

/**
 * The events of `batch` that the server's schema refused (a 400 naming `events[i]…` in its `errors`), as
 * an older agent may have queued them; none for a 400 that names no event (a proxy's, a gateway's).
 */
function unreadableEvents(error: unknown, batch: readonly LogEvent[]): readonly string[] {
  if (!(error instanceof HttpError) || error.status !== 400) return [];
  const errors = error.problem?.errors;
  if (!Array.isArray(errors)) return [];
  const named = errors.flatMap((e: unknown) => {
    const field = (e as { field?: unknown } | null)?.field;
    const index = typeof field === 'string' ? /^events\[(\d+)\]/.exec(field)?.[1] : undefined;
    const event = index === undefined ? undefined : batch[Number(index)];
    return event ? [event.id] : [];
  });
  return [...new Set(named)];
}
