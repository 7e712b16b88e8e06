// The processes of `npm run bench:national`: `loa` roles, channel holders and pollers started with an
// open-file limit above what they may hold, ended together however the run ends.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Open files each process may have: above the channels a `serve` may take over when another dies and the
 * sockets of a load generator. The limit is raised for the children with prlimit(1) where the run may
 * (root with CAP_SYS_RESOURCE); in a container without it the hard limit stays, and the run starts as many
 * `serve` as it takes for the survivors of a kill to stay under it.
 */
const WANTED_FILES = 200_000;
export const raised = (() => {
  try {
    execFileSync('prlimit', [`--nofile=${WANTED_FILES}:${WANTED_FILES}`, '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
export const NOFILE = raised
  ? WANTED_FILES
  : Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim());
const withFiles = (args: readonly string[]): [string, string[]] =>
  raised
    ? ['prlimit', [`--nofile=${NOFILE}:${NOFILE}`, '--', ...args]]
    : ['sh', ['-c', `ulimit -n ${NOFILE} && exec "$0" "$@"`, ...args]];
/** Room for what a `serve` holds besides channels: database pool, event bus, log files, the polling. */
const FILES_BESIDES_CHANNELS = 2500;
/** At least three; more when the channels of a killed one would take the others past the file limit. */
export const servesFor = (receivers: number): number => {
  for (let n = 3; ; n++) if (Math.ceil(receivers / (n - 1)) + FILES_BESIDES_CHANNELS <= NOFILE) return n;
};
const root = fileURLToPath(new URL('../..', import.meta.url));
const loaBin = join(root, 'bin/loa.js');

const children: ChildProcess[] = [];
export const progress = (text: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

/** Ends every process this run started (each `loa` with its ffmpeg: they lead their own group). */
export function killChildren(): void {
  for (const child of children) {
    try {
      if (child.pid) process.kill(child.spawnargs.includes(loaBin) ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      // Already gone (the killed ones).
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killChildren();
    process.exit(1);
  });

export interface Process {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
}

export function startLoa(role: string, name: string, env: Record<string, string>): Promise<Process> {
  return new Promise((resolve, reject) => {
    const child = spawn(...withFiles([process.execPath, loaBin, role]), {
      env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', WORKER_ID: name, LOG_LEVEL: 'info' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.once('exit', (code, signal) => progress(`${name} exited (${signal ?? code})`));
    let out = '';
    const onData = (d: Buffer) => {
      if (out === null) return;
      out += d.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        out = null as unknown as string;
        const port = Number(match[1]);
        resolve({ name, child, port, url: `http://127.0.0.1:${port}` });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => out !== null && reject(new Error(`${name} exited with ${code}:\n${out}`)));
  });
}

/** The sums of a serve's `loa_emergency_push_seconds` by phase: the time its emergencies took there. */
export async function emergencyPushSeconds(url: string): Promise<{ lookup: number; pushed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (phase: string) =>
    Number(
      new RegExp(`loa_emergency_push_seconds_sum\\{[^}]*phase="${phase}"[^}]*\\} ([\\d.e-]+)`).exec(
        text,
      )?.[1] ?? 0,
    );
  return { lookup: sum('lookup'), pushed: sum('pushed') };
}

export interface Holder {
  readonly child: ChildProcess;
  command(line: string, expect: string): Promise<string>;
}

export function startHolder(tokensFile: string, ports: readonly number[], base: number): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ...withFiles([
        process.execPath,
        '--import',
        'tsx',
        join(root, 'bench/national/channels.ts'),
        tokensFile,
        ports.join(','),
        String(base),
      ]),
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(child);
    const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const at = waiting.findIndex((w) => line.startsWith(w.prefix));
      if (at >= 0) waiting.splice(at, 1)[0]!.resolve(line);
    });
    const holder: Holder = {
      child,
      command(line, expect) {
        return new Promise((done) => {
          waiting.push({ prefix: expect, resolve: done });
          if (line) child.stdin!.write(`${line}\n`);
        });
      },
    };
    holder.command('', 'READY').then(() => resolve(holder), reject);
    child.once('exit', (code) => reject(new Error(`channel holder exited with ${code}`)));
  });
}

export interface Report {
  readonly arrivals: number[];
  readonly played: boolean[];
  readonly reconnections: { cutAt: number; backAt: number }[];
  readonly open: number;
}
export const report = async (holders: readonly Holder[]) =>
  Promise.all(
    holders.map(async (h) => JSON.parse((await h.command('report', 'REPORT ')).slice(7)) as Report),
  );

/**
 * Manifest polling at `rate` requests a second for `forMs`, from a process of its own
 * (`bench/national/poller.ts`) over the receivers in `tokensFile`.
 */
export const poll = (tokensFile: string, ports: readonly number[], rate: number, forMs: number) =>
  new Promise<{ achieved: number; errors: Record<string, number>; p50: number; p99: number }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'bench/national/poller.ts'),
          tokensFile,
          ports.join(','),
          String(rate),
          String(forMs),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => {
        const line = /POLLED (.*)/.exec(out);
        if (line) resolve(JSON.parse(line[1]!) as never);
        else reject(new Error(`poller exited with ${code}: ${out}`));
      });
    },
  );
