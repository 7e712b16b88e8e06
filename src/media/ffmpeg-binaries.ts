import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { chooseDecoding, type SourceDecoding } from './decoding.js';
import { runTool } from './runner.js';

/** The ffmpeg and ffprobe executables the media pipeline runs, and where they were found. */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly source: 'env' | 'path' | 'npm';
}

export interface FfmpegEnv {
  readonly FFMPEG_PATH?: string | undefined;
  readonly FFPROBE_PATH?: string | undefined;
  /** Defaults to the process's PATH. */
  readonly PATH?: string | undefined;
}

const exe = (name: string): string => (process.platform === 'win32' ? `${name}.exe` : name);

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exe(name));
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function npmBinary(pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): Promise<string> {
  // Imported lazily: the package throws at import time on a platform it has no binary for.
  const mod = (await import(pkg)) as { default?: { path?: unknown }; path?: unknown };
  const path = mod.default?.path ?? mod.path;
  if (typeof path !== 'string') throw new Error(`${pkg} did not export a binary path`);
  return path;
}

/**
 * Finds ffmpeg and ffprobe: `FFMPEG_PATH` (ffprobe beside it, or `FFPROBE_PATH`), else both on
 * PATH, else the binaries shipped in `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`,
 * so that `npm install` alone is enough on a fresh machine.
 *
 * @example const binaries = await resolveFfmpeg(process.env);
 */
export async function resolveFfmpeg(env: FfmpegEnv): Promise<FfmpegBinaries> {
  if (env.FFMPEG_PATH) {
    const ffmpeg = env.FFMPEG_PATH;
    const ffprobe = env.FFPROBE_PATH || join(dirname(ffmpeg), exe('ffprobe'));
    for (const [name, path] of [
      ['FFMPEG_PATH', ffmpeg],
      ['ffprobe', ffprobe],
    ] as const) {
      if (!(await isExecutable(path))) {
        throw new Error(
          `${name} points to ${path}, which is not an executable file` +
            (name === 'ffprobe' ? ' (set FFPROBE_PATH when ffprobe is not beside ffmpeg)' : ''),
        );
      }
    }
    return { ffmpeg, ffprobe, source: 'env' };
  }

  const pathVar = env.PATH ?? process.env.PATH ?? '';
  const [ffmpeg, ffprobe] = await Promise.all([
    findOnPath('ffmpeg', pathVar),
    findOnPath('ffprobe', pathVar),
  ]);
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source: 'path' };

  try {
    const [npmFfmpeg, npmFfprobe] = await Promise.all([
      npmBinary('@ffmpeg-installer/ffmpeg'),
      npmBinary('@ffprobe-installer/ffprobe'),
    ]);
    return { ffmpeg: npmFfmpeg, ffprobe: npmFfprobe, source: 'npm' };
  } catch (cause) {
    throw new Error(
      'No ffmpeg found: set FFMPEG_PATH, install ffmpeg on PATH, or reinstall the npm packages ' +
        '@ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe',
      { cause },
    );
  }
}

/**
 * The version line of an ffmpeg or ffprobe binary, for the health check.
 *
 * @example await ffmpegVersion('/usr/bin/ffmpeg') // '5.1.9-0+deb12u1'
 */
export function ffmpegVersion(path: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const match = /^\S+ version (\S+)/.exec(out);
      if (code === 0 && match?.[1]) resolve(match[1]);
      else reject(new Error(`${path} -version failed (exit ${code ?? 'killed'})`));
    });
  });
}

/**
 * The decoder names in the output of `ffmpeg -decoders`. Pure.
 *
 * @example parseDecoders(' ------\n A....D amrnb   AMR-NB …\n') // Set { 'amrnb' }
 */
export function parseDecoders(output: string): ReadonlySet<string> {
  const names = new Set<string>();
  let listing = false;
  for (const line of output.split(/\r?\n/)) {
    if (/^\s*-{6}\s*$/.test(line)) listing = true;
    else if (listing) {
      const m = /^\s[A-Z.]{6}\s+(\S+)/.exec(line);
      if (m?.[1]) names.add(m[1]);
    }
  }
  return names;
}

const decodersByBinary = new Map<string, Promise<ReadonlySet<string>>>();

/**
 * The decoders an ffmpeg binary has, asked once per binary and remembered: which one decodes a
 * codec differs between builds (Debian's ffmpeg has no `libopencore_amrnb`, the npm one has).
 * A binary that cannot say is taken to have none beyond its defaults, and asked again next time.
 */
export function ffmpegDecoders(path: string): Promise<ReadonlySet<string>> {
  let known = decodersByBinary.get(path);
  if (!known) {
    known = runTool(path, ['-hide_banner', '-decoders'], { timeoutMs: 10_000 }).then(
      (result) => parseDecoders(result.stdout),
      () => {
        decodersByBinary.delete(path);
        return new Set<string>();
      },
    );
    decodersByBinary.set(path, known);
  }
  return known;
}

/**
 * How this ffmpeg should decode a source of `codec`: see {@link chooseDecoding}.
 *
 * @example await decodingFor(binaries, 'amr_nb') // { decoder: 'libopencore_amrnb' } with the npm ffmpeg
 */
export async function decodingFor(binaries: FfmpegBinaries, codec: string): Promise<SourceDecoding> {
  return chooseDecoding(codec, await ffmpegDecoders(binaries.ffmpeg));
}
