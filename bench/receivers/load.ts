// A lean HTTP/1.1 load generator on raw sockets: keep-alive connections, one request in flight each.
// Node's http client costs more CPU per request than the servers measured here; this one does not.
import { connect, type Socket } from 'node:net';

export interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Readonly<Record<number, number>>;
  readonly responseBytes: number;
}

const headerEnd = Buffer.from('\r\n\r\n');
const chunkedEnd = Buffer.from('\r\n0\r\n\r\n');

/** Length of the first complete response in `buf` and its status, or undefined if it is not all there. */
function completeResponse(buf: Buffer): { length: number; status: number } | undefined {
  const end = buf.indexOf(headerEnd);
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return buf.length >= total ? { length: total, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buf.indexOf(chunkedEnd, end);
    return last < 0 ? undefined : { length: last + chunkedEnd.length, status };
  }
  return { length: end + 4, status };
}

/** Opens `n` sockets, a few hundred at a time so the listen backlog never overflows. */
export async function openSockets(port: number, n: number, batch = 250): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => {
        const s = connect({ port, host: '127.0.0.1', noDelay: true });
        return new Promise<Socket>((resolve, reject) =>
          s.once('connect', () => resolve(s)).once('error', reject),
        );
      }),
    );
    sockets.push(...opened);
  }
  return sockets;
}

/**
 * Runs `connections` request loops for `warmupMs` (not counted) then `durationMs`. Without
 * `perConnectionPerSecond` each sends `request(i)` again as soon as its previous answer is complete
 * (the most the server can do); with it, each sends at that pace, as receivers polling on a timer do.
 */
export async function runLoad(options: {
  port: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  perConnectionPerSecond?: number;
  request: (connection: number) => Buffer;
}): Promise<LoadResult> {
  const sockets = await openSockets(options.port, options.connections);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let recording = false;
  let running = true;
  let bytes = 0;
  const loops = sockets.map(
    (socket, i) =>
      new Promise<void>((resolve) => {
        let buf: Buffer = Buffer.alloc(0);
        let sentAt = 0;
        const interval = options.perConnectionPerSecond ? 1000 / options.perConnectionPerSecond : 0;
        // Paced connections start spread over one interval, not all at once.
        let due = performance.now() + Math.random() * interval;
        const fire = () => {
          if (!running) {
            socket.destroy();
            return resolve();
          }
          sentAt = performance.now();
          socket.write(options.request(i));
        };
        const send = () => {
          if (!interval) return fire();
          const wait = due - performance.now();
          due = Math.max(due + interval, performance.now());
          if (wait > 0) setTimeout(fire, wait);
          else fire();
        };
        socket.on('data', (chunk: Buffer) => {
          buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
          for (let r = completeResponse(buf); r; r = completeResponse(buf)) {
            if (recording) {
              latencies.push(performance.now() - sentAt);
              statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              bytes += r.length;
            }
            buf = buf.subarray(r.length);
            send();
          }
        });
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        send();
      }),
  );
  await new Promise((r) => setTimeout(r, options.warmupMs));
  recording = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, options.durationMs));
  recording = false;
  const elapsed = performance.now() - started;
  running = false;
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    perSecond: latencies.length / (elapsed / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    statuses,
    responseBytes: latencies.length ? bytes / latencies.length : 0,
  };
}

/**
 * Holds `tokens.length` push channels open. `ready` resolves when every one has its first event;
 * `arrivals` then collects, per channel, when (performance.now()) a `play` event arrived.
 */
export async function openPushChannels(port: number, tokens: readonly string[]) {
  const arrivals: number[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < tokens.length; i += 500) {
    const batch = tokens.slice(i, i + 500);
    const opened = await openSockets(port, batch.length, 500);
    await Promise.all(
      opened.map(
        (socket, j) =>
          new Promise<void>((resolve, reject) => {
            let text = '';
            let connected = false;
            let played = false;
            socket.on('data', (chunk: Buffer) => {
              // The tail of the previous chunk, in case an event name is split across two.
              const seen = text + chunk.toString('latin1');
              text = seen.slice(-32);
              if (!connected && seen.includes('event: schedule')) {
                connected = true;
                resolve();
              }
              if (!played && seen.includes('event: play')) {
                played = true;
                arrivals.push(performance.now());
              }
            });
            socket.on('error', reject);
            socket.write(
              `GET /api/v1/receiver/events HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${batch[j]}\r\n\r\n`,
            );
          }),
      ),
    );
    sockets.push(...opened);
  }
  return { arrivals, close: () => sockets.forEach((s) => s.destroy()) };
}
