import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const loaBin = fileURLToPath(new URL('../../bin/loa.js', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `loa <args>` to completion. */
export function runLoa(args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [loaBin, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningServer {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
  /**
   * `kill -9` of the server and everything it started (its ffmpeg runs), as a power cut or the
   * OOM killer of a service manager's control group would; resolves once it is gone.
   */
  kill(): Promise<void>;
}

/**
 * Starts a service process on an ephemeral port and resolves once it listens: `loa start` (the whole
 * service) by default, or `serve`, `worker`, `dispatch`.
 */
export function serveLoa(
  env: Record<string, string>,
  command: 'start' | 'serve' | 'worker' | 'dispatch' = 'start',
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [loaBin, command], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
      // Its own process group, so that `kill` reaches its children too.
      detached: true,
    });
    const gone = new Promise<void>((done) => child.once('close', () => done()));
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/Loa(?: \w+)? listening on (http:\/\/localhost:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!.replace('localhost', '127.0.0.1'),
          output: () => output,
          stop: () => {
            child.kill('SIGTERM');
            return gone;
          },
          kill: () => {
            process.kill(-child.pid!, 'SIGKILL');
            return gone;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}
