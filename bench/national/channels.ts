// A share of the simulated country's receivers holding push channels, for bench/national.bench.ts.
// One process per share keeps each under the per-process file limit. Channels are spread over the
// `serve` instances and over loopback source addresses (127.0.0.2 …) so that 50,000 connections fit in
// the ephemeral ports. A channel cut by its server reconnects to the next instance with the agent's own
// policy (`reconnectMs`): the server's closing `retry:` hint, 0.5–3 s after a drop without one, and an
// exponential back-off while attempts fail.
//
// stdin commands (one per line): `reset` forgets the `play` arrivals; `report` prints one line
// `REPORT {json}` with the arrivals (epoch ms), reconnections and the count of open channels.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { reconnectMs, type ChannelEnd } from '../../src/receiver/backoff.js';

const [tokensFile, portsArg, sourceBase] = process.argv.slice(2) as [string, string, string];
const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as string[];
let ports = portsArg.split(',').map(Number);
const base = Number(sourceBase);

interface Channel {
  readonly index: number;
  socket?: Socket;
  port: number;
  playedAt?: number;
  open: boolean;
  cutAt?: number;
  /** The `retry:` hint the stream ended on so far (one followed by an event is not a closing hint). */
  retryMs?: number;
  /** Failed attempts in a row. */
  failures: number;
}

const channels: Channel[] = tokens.map((_, index) => ({
  index,
  port: ports[index % ports.length]!,
  open: false,
  failures: 0,
}));
const reconnections: { readonly cutAt: number; readonly backAt: number }[] = [];
const now = () => performance.timeOrigin + performance.now();
const [NOTHING, SCHEDULE, PLAY, EVENT, RETRY] = [
  '',
  'event: schedule',
  'event: play',
  'event: ',
  'retry: ',
].map((text) => Buffer.from(text, 'latin1')) as [Buffer, Buffer, Buffer, Buffer, Buffer];

function open(channel: Channel): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({
      port: channel.port,
      host: '127.0.0.1',
      localAddress: `127.0.0.${2 + ((base + channel.index) % 200)}`,
      noDelay: true,
    });
    channel.socket = socket;
    let tail = NOTHING;
    let settled = false;
    const done = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    // Read as bytes: 50,000 channels' pushes arrive within seconds on the cores the servers use too.
    socket.on('data', (chunk: Buffer) => {
      const seen = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      tail = Buffer.from(seen.subarray(Math.max(0, seen.length - 64)));
      if (!channel.open && seen.includes(SCHEDULE)) {
        channel.open = true;
        channel.failures = 0;
        if (channel.cutAt !== undefined) {
          reconnections.push({ cutAt: channel.cutAt, backAt: now() });
          channel.cutAt = undefined;
        }
        done();
      }
      // The last `retry:` of this chunk counts only when no event follows it (the opening one does not).
      const retryAt = chunk.lastIndexOf(RETRY);
      if (retryAt >= 0 && chunk.indexOf(EVENT, retryAt) < 0)
        channel.retryMs = Number(/retry: (\d+)/.exec(chunk.toString('latin1', retryAt, retryAt + 24))![1]);
      else if (chunk.includes(EVENT)) channel.retryMs = undefined;
      if (channel.playedAt === undefined && seen.includes(PLAY)) channel.playedAt = now();
    });
    let gone = false;
    const lost = () => {
      done();
      // 'error' is followed by 'close': one reconnection for both.
      if (gone || channel.socket !== socket) return;
      gone = true;
      const wasOpen = channel.open;
      channel.open = false;
      channel.cutAt ??= now();
      // The next instance; the hint the server sent on closing, else 1–3 s of jitter.
      // Spread over the instances still listed, as a load balancer would.
      const left = ports.filter((p) => p !== channel.port);
      channel.port = left.length > 0 ? left[channel.index % left.length]! : channel.port;
      const end: ChannelEnd = !wasOpen
        ? { kind: 'failed', attempt: channel.failures++ }
        : channel.retryMs !== undefined
          ? { kind: 'hinted', retryMs: channel.retryMs }
          : { kind: 'dropped' };
      channel.retryMs = undefined;
      setTimeout(() => void open(channel), reconnectMs(end, Math.random));
    };
    socket.on('error', lost);
    socket.on('close', lost);
    socket.write(
      `GET /api/v1/receiver/events HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${tokens[channel.index]}\r\n\r\n`,
    );
  });
}

for (let i = 0; i < channels.length; i += 500) {
  await Promise.all(channels.slice(i, i + 500).map(open));
}
process.stdout.write(`READY ${channels.filter((c) => c.open).length}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.trim().split(' ');
  if (command === 'reset') {
    for (const c of channels) c.playedAt = undefined;
    reconnections.length = 0;
    process.stdout.write('OK\n');
  } else if (command === 'ports' && arg) {
    // Instances still alive: reconnections go only there.
    ports = arg.split(',').map(Number);
    process.stdout.write('OK\n');
  } else if (command === 'report') {
    const arrivals = channels.flatMap((c) => (c.playedAt === undefined ? [] : [c.playedAt]));
    process.stdout.write(
      `REPORT ${JSON.stringify({
        arrivals,
        played: channels.map((c) => c.playedAt !== undefined),
        reconnections,
        open: channels.filter((c) => c.open).length,
      })}\n`,
    );
  }
});
