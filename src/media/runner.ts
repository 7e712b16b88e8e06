import { spawn } from 'node:child_process';
import { saysNoSpace, StorageFullError } from './storage-full.js';

/** How a tool run ended; stderr is kept for the parsers in `ffmpeg-output.ts`. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  /** Killed after this long; ffmpeg on a 90-minute file takes about a minute on one core. */
  readonly timeoutMs?: number;
  /** Receives stdout as it arrives (raw PCM from a measurement pass) instead of collecting it. */
  readonly onStdout?: (chunk: Buffer) => void;
  readonly signal?: AbortSignal;
}

/** A tool run that failed, with the last lines of its stderr: ffmpeg says what went wrong there. */
export class ToolRunError extends Error {
  override readonly name = 'ToolRunError';
  constructor(
    message: string,
    readonly tool: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** stderr kept in memory: ebur128 and astats summaries are a few kB; frame logs are switched off. */
const MAX_STDERR_CHARS = 4 * 1024 * 1024;

/** The last `count` non-empty lines of a tool's stderr. */
export function lastLines(text: string, count = 8): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

/**
 * Runs a binary with an argument list (no shell), collecting stderr, with a timeout.
 * Rejects with a {@link ToolRunError} carrying the last stderr lines when it exits non-zero, or
 * with a {@link StorageFullError} when its stderr says a write found no room (ffmpeg then fails
 * on a valid input, and must not be taken for a tool that refused the input).
 *
 * @example await runTool(binaries.ffmpeg, ['-i', input, '-f', 'null', '-'])
 */
export function runTool(
  binary: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tool = binary.split(/[\\/]/).pop() ?? binary;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    if (options.onStdout) child.stdout.on('data', options.onStdout);
    else child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > MAX_STDERR_CHARS) stderr = stderr.slice(-MAX_STDERR_CHARS / 2);
    });

    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ToolRunError(`${tool} could not be started: ${err.message}`, tool, null, '', false));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      if (code === 0) {
        resolve({ stdout, stderr, durationMs });
        return;
      }
      const tail = lastLines(stderr);
      const why = timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : code === null
          ? `was killed (${signal ?? 'signal'})`
          : `exited with code ${code}`;
      const failure = new ToolRunError(
        `${tool} ${why}${tail ? `:\n${tail}` : ''}`,
        tool,
        code,
        tail,
        timedOut,
      );
      reject(saysNoSpace(stderr) ? new StorageFullError(`${tool} was writing`, { cause: failure }) : failure);
    });
  });
}
