import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly source: 'env' | 'path' | 'npm';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

/**
 * Finds ffmpeg and ffprobe: `FFMPEG_PATH` (ffprobe beside it, or `FFPROBE_PATH`), else the system's on
 * PATH, else the static binaries shipped in npm packages, so `npm install` alone is enough.
 */
export async function resolveFfmpeg(env: { FFMPEG_PATH?: string | undefined; FFPROBE_PATH?: string | undefined }): Promise<FfmpegBinaries> {
  if (env.FFMPEG_PATH) {
    const ffprobe = env.FFPROBE_PATH ?? join(dirname(env.FFMPEG_PATH), 'ffprobe');
    if (!(await isExecutable(env.FFMPEG_PATH))) throw new Error(`FFMPEG_PATH: ${env.FFMPEG_PATH} is not an executable file`);
    if (!(await isExecutable(ffprobe))) throw new Error(`ffprobe not found beside FFMPEG_PATH (${ffprobe}); set FFPROBE_PATH`);
    return { ffmpeg: env.FFMPEG_PATH, ffprobe, source: 'env' };
  }
  const [ffmpeg, ffprobe] = await Promise.all([onPath('ffmpeg'), onPath('ffprobe')]);
  if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source: 'path' };
  const [npmFfmpeg, npmFfprobe] = await Promise.all([
    import('@ffmpeg-installer/ffmpeg') as Promise<{ default: { path: string } }>,
    import('@ffprobe-installer/ffprobe') as Promise<{ default: { path: string } }>,
  ]);
  return { ffmpeg: npmFfmpeg.default.path, ffprobe: npmFfprobe.default.path, source: 'npm' };
}

/** The first line of `ffmpeg -version`, e.g. `ffmpeg version 5.1.6-0+deb12u1`. */
export function ffmpegVersion(ffmpeg: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(ffmpeg, ['-hide_banner', '-version'], { timeout: 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.split('\n')[0]?.trim() ?? 'ffmpeg'),
    ),
  );
}
