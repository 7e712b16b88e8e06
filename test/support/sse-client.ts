import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../../src/receiver/sse-parser.js';

/** Reads an SSE response in a test: `next(type)` resolves with the next event of that type. */
export function sseClient(res: Response) {
  const events: SseEvent[] = [];
  const waiters: { type: string; resolve: (e: SseEvent) => void }[] = [];
  let raw = '';
  /** The text of each read, to see what the server wrote together. */
  const chunks: string[] = [];
  let ended = false;
  const parser = createParser({
    onEvent: (message) => {
      const e: SseEvent = { event: message.event ?? 'message', data: message.data };
      const i = waiters.findIndex((w) => w.type === e.event);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(e);
      else events.push(e);
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        chunks.push(text);
        parser.feed(text);
      }
    } catch {
      // A stream cut by the server ends here as well.
    }
    ended = true;
  })();
  return {
    /** The next event of `type`; fails after `timeoutMs` of real time rather than hanging the test. */
    next(type: string, timeoutMs = 5000): Promise<SseEvent> {
      const i = events.findIndex((e) => e.event === type);
      if (i >= 0) return Promise.resolve(events.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${type}" event; got so far: ${raw}`)),
          timeoutMs,
        );
        waiters.push({ type, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    /** Resolves when the server ends the stream. */
    ended: () => pump.then(() => ended),
    pending: () => [...events],
    raw: () => raw,
    chunks: () => [...chunks],
    cancel: () => reader.cancel().catch(() => undefined),
  };
}
