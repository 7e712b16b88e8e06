/*
 * Push channels are written here rather than with Hono's `streamSSE` (hono 4.13), whose writes go through
 * a TransformStream with an unbounded queue and whose `abort()` ends the response as if it were complete.
 * Measured on @hono/node-server with one client reading and one never reading, 400 events of 50 KB fanned
 * out without waiting: with `streamSSE` the silent client held 40 MB and was never cut off; counting its
 * unconfirmed bytes and calling `abort()` freed them, but its socket stayed open with 98 KB unsent 10 s
 * later. Here the body stream errors at 64 KB, the server destroys the socket, and 0.3 MB stays in use.
 * An idle channel also cost 19 KB of live memory with `streamSSE` against 11 KB here (5,000 channels).
 */
import type { PushMessage } from '../domain/receiver/protocol.js';

const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');
const encoded = new WeakMap<object, Uint8Array>();

const event = ({ type, ...data }: PushMessage) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const isList = (message: object): message is readonly PushMessage[] => Array.isArray(message);

/**
 * A push message, or a list of them, as Server-Sent Events bytes. A fanned-out message is one object, so
 * it is encoded once for all of its receivers.
 * @example encodePush({ type: 'schedule', version: 7 }) // → 'event: schedule\ndata: {"version":7}\n\n'
 */
export function encodePush(
  message: PushMessage | readonly PushMessage[] | { readonly type: 'ping' },
): Uint8Array {
  if (!isList(message) && message.type === 'ping') return PING;
  let bytes = encoded.get(message);
  if (!bytes) {
    bytes = encoder.encode(isList(message) ? message.map(event).join('') : event(message));
    encoded.set(message, bytes);
  }
  return bytes;
}

// The HTTP server logs the error that drops the socket; one line says enough, a stack trace would not.
const slowClient = () => {
  const error = new Error('push client stopped reading; its connection was dropped');
  error.stack = error.message;
  return error;
};

export interface SseChannel {
  readonly stream: ReadableStream<Uint8Array>;
  /** Queues bytes for the client; a client that stopped reading is cut off instead of queued for. */
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface SseChannelOptions {
  /** Bytes that may wait for the client; one more and it counts as not reading. */
  readonly maxQueuedBytes: number;
  /** How long waiting bytes may go untaken before the client counts as not reading (default 60 s). */
  readonly maxStallMs?: number;
  readonly onClose: () => void;
}

/**
 * A stream for one SSE client with a bounded queue. The HTTP server pulls from it only as fast as the
 * socket drains, so a client that never reads makes the queue grow; past `maxQueuedBytes`, or when bytes
 * have waited `maxStallMs` without the client taking them, the stream errors, which makes the server
 * destroy the socket and free everything the client held. The time bound catches a client that stalls
 * while only keep-alives and small pushes arrive, which would take days to fill the byte bound. Bytes the
 * kernel's socket buffers have accepted count as taken: the server cannot see past them.
 */
export function openSseChannel(options: SseChannelOptions): SseChannel {
  const maxStallMs = options.maxStallMs ?? 60_000;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  /** Bytes ever queued, and the timer that checks that those queued so far were taken in time. */
  let enqueued = 0;
  let stallCheck: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (closed) return false;
    closed = true;
    clearTimeout(stallCheck);
    options.onClose();
    return true;
  };
  const cutOff = () => {
    if (finish()) controller.error(slowClient());
  };
  const waiting = () => options.maxQueuedBytes - (controller.desiredSize ?? 0);
  const watch = () => {
    if (stallCheck !== undefined || closed) return;
    const due = enqueued;
    stallCheck = setTimeout(() => {
      stallCheck = undefined;
      if (closed) return;
      if (enqueued - waiting() < due) cutOff();
      else if (waiting() > 0) watch();
    }, maxStallMs);
    // A CLI process ends when its work does; a pending check is not work.
    (stallCheck as { unref?: () => void }).unref?.();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: options.maxQueuedBytes, size: (chunk) => chunk.byteLength },
  );
  return {
    stream,
    send(bytes) {
      if (closed) return;
      if ((controller.desiredSize ?? 0) < bytes.byteLength) return cutOff();
      // Handed straight to a waiting read, the bytes never wait in the queue and need no watch.
      controller.enqueue(bytes);
      enqueued += bytes.byteLength;
      if (waiting() > 0) watch();
    },
    close() {
      if (finish()) controller.close();
    },
  };
}
