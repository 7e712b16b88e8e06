import { createParser } from 'eventsource-parser';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Reads an event stream body to its end, calling `onEvent` per complete event (parsed by
 * eventsource-parser; comments and `id` fields are ignored) and `onBytes` per chunk (any traffic,
 * keep-alive comments included, proves the link is alive). Resolves with the `retry:` hint the stream
 * ended on: a `retry:` field followed by no event, as a server sends when it closes the channel on purpose
 * (one sent before events, as on opening, is the general reconnection time and is not returned).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  onBytes: () => void = () => {},
): Promise<{ readonly retryMs: number | undefined }> {
  let retryMs: number | undefined;
  // An event without a type is a "message" (WHATWG HTML §9.2.6); eventsource-parser leaves it undefined.
  const parser = createParser({
    onEvent: (e) => {
      retryMs = undefined;
      onEvent({ event: e.event ?? 'message', data: e.data });
    },
    onRetry: (ms) => void (retryMs = ms),
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { retryMs };
      onBytes();
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
