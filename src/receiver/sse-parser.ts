import { createParser } from 'eventsource-parser';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Reads an event stream body to its end, calling `onEvent` per complete event (parsed by
 * eventsource-parser; comments and `retry`/`id` fields are ignored) and `onBytes` per chunk (any traffic,
 * keep-alive comments included, proves the link is alive).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  onBytes: () => void = () => {},
): Promise<void> {
  // An event without a type is a "message" (WHATWG HTML §9.2.6); eventsource-parser leaves it undefined.
  const parser = createParser({ onEvent: (e) => onEvent({ event: e.event ?? 'message', data: e.data }) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes();
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
