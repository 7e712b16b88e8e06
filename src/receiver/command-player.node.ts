import { spawn, spawnSync } from 'node:child_process';
import type { PlayHandle, Player } from './player.js';

/**
 * Splits a player command template into arguments, honouring single and double quotes, and puts the
 * target in place of `{file}` (or at the end). No shell is involved, so a URL or path is one argument.
 * `{volume}` becomes the volume in percent (ffplay's `-volume`), `{scale}` the same as mpg123's `-f`
 * scale factor (32768 = 100 %).
 * @example commandArgs('mpg123 -q {file}', '/cache/a.mp3') // → ['mpg123', '-q', '/cache/a.mp3']
 * @example commandArgs('ffplay -volume {volume} {file}', 'a.mp3', 35) // → ['ffplay', '-volume', '35', 'a.mp3']
 */
export function commandArgs(template: string, target: string, volume = 100): string[] {
  const words = [...template.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  if (words.length === 0) throw new Error('The player command is empty.');
  const level = (w: string) =>
    w
      .replaceAll('{volume}', String(volume))
      .replaceAll('{scale}', String(Math.round((volume / 100) * 32768)));
  return words.some((w) => w.includes('{file}'))
    ? words.map((w) => level(w).replaceAll('{file}', target))
    : [...words.map(level), target];
}

const onPath = (binary: string) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;

/** ffplay (from ffmpeg) or mpg123 when the box has one; both play files and http streams. */
export function defaultPlayerCommand(): string | undefined {
  if (onPath('ffplay')) return 'ffplay -nodisp -autoexit -loglevel error -volume {volume} {file}';
  if (onPath('mpg123')) return 'mpg123 -q -f {scale} {file}';
  return undefined;
}

/** Runs the configured player command per item; exit code 0 is success. */
export function createCommandPlayer(template: string): Player {
  commandArgs(template, 'x');
  return {
    play(target, _item, options): PlayHandle {
      const [command, ...args] = commandArgs(template, target, options?.volume ?? 100);
      const child = spawn(command!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-500);
      });
      const done = new Promise<{ ok: boolean; detail: string | null }>((resolve) => {
        child.once('error', (error) =>
          resolve({ ok: false, detail: `player did not start: ${error.message}` }),
        );
        child.once('close', (code, signal) =>
          resolve(
            code === 0
              ? { ok: true, detail: null }
              : {
                  ok: false,
                  detail: `player exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`,
                },
          ),
        );
      });
      return { done, stop: () => void child.kill('SIGTERM') };
    },
  };
}
