// Manifest polling for bench/national.bench.ts, in a process of its own: `rate` polls a second for `ms`,
// each as a receiver without a manifest yet (no If-None-Match: the state of every box after a change in
// every hamlet), spread over the `serve` instances on kept-alive connections, as receivers behind a
// load balancer. node:http rather than fetch: measured here, fetch spent more CPU per request than the
// server did answering it, and the load generator shares the machine's two cores with the servers.
//
// Prints one line: `POLLED {"achieved":…,"errors":{status or error code: count},"p50":…,"p99":…}` (ms).
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

const [tokensFile, portsArg, rateArg, msArg] = process.argv.slice(2) as [string, string, string, string];
const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as string[];
const ports = portsArg.split(',').map(Number);
const rate = Number(rateArg);
const forMs = Number(msArg);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status of the answer, or the error's code when none came. */
function poll(port: number, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/api/v1/receiver/schedule',
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.end();
  });
}

const latencies: number[] = [];
const errors: Record<string, number> = {};
const inflight: Promise<void>[] = [];
const start = now();
for (let i = 0; now() - start < forMs; i++) {
  const wait = start + (i * 1000) / rate - now();
  if (wait > 0) await sleep(wait);
  const t = now();
  inflight.push(
    poll(ports[i % ports.length]!, tokens[(i * 7919) % tokens.length]!).then((status) => {
      if (status === 200 || status === 304) latencies.push(now() - t);
      else errors[status] = (errors[status] ?? 0) + 1;
    }),
  );
}
await Promise.all(inflight);
const achieved = latencies.length / ((now() - start) / 1000);
latencies.sort((a, b) => a - b);
const quantile = (q: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `POLLED ${JSON.stringify({ achieved, errors, p50: quantile(0.5), p99: quantile(0.99) })}\n`,
);
agent.destroy();
