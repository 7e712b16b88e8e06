/**
 * The programs the tests drive, found the way a fresh machine has them: ffmpeg and espeak-ng from the
 * system when installed, else from npm (the same fallbacks the service uses, so `npm install` alone is
 * enough); sox, loudgain and Chromium come only from the system, and a test that needs a missing one is
 * skipped with one printed line naming it (`.ci/run` installs them all).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, renameSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';

/** The ffmpeg and ffprobe the service would run on this machine. */
export const binaries = await resolveFfmpeg(process.env);

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

const installs: Readonly<Record<string, string>> = {
  sox: 'apt-get install sox libsox-fmt-all',
  loudgain: 'apt-get install loudgain',
  chromium: 'apt-get install chromium',
};
const announced = new Set<string>();

/**
 * Whether a system program is there; when it is not, prints once why the tests that need it are
 * skipped. Use with `describe.skipIf(!hasTool('loudgain'))`.
 */
export function hasTool(name: 'sox' | 'loudgain' | 'chromium'): boolean {
  const found = name === 'chromium' ? chromiumPath() : onPath(name);
  if (!found && !announced.has(name)) {
    announced.add(name);
    process.stdout.write(`Skipped: tests that need ${name} (not installed here; ${installs[name]}).\n`);
  }
  return found !== undefined;
}

/** Debian's Chromium, or another Chromium on PATH. */
export function chromiumPath(): string | undefined {
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not installed there
    }
  }
  return onPath('chromium');
}

const systemEspeak = onPath('espeak-ng');
const wasmSpeaker = fileURLToPath(new URL('./speak-wasm.mjs', import.meta.url));

/**
 * Vietnamese speech written to `file`: the system espeak-ng, else its npm WebAssembly build (run in a
 * child process, so that this stays synchronous for the fixtures that call it).
 */
export function speakTo(file: string, text: string, wordsPerMinute = 150): void {
  if (systemEspeak) execFileSync(systemEspeak, ['-v', 'vi', '-s', String(wordsPerMinute), '-w', file, text]);
  else execFileSync(process.execPath, [wasmSpeaker, file, String(wordsPerMinute)], { input: text });
}

/**
 * An AMR-NB recording, as old phones make: with sox (its encoder uses discontinuous transmission, as
 * phones do) when installed, else with the npm ffmpeg's libopencore encoder.
 */
export async function encodeAmrNb(input: string, output: string): Promise<void> {
  const sox = onPath('sox');
  if (sox) {
    // sox picks the encoder by extension.
    execFileSync(sox, [input, '-r', '8000', '-c', '1', `${output}.amr-nb`]);
    renameSync(`${output}.amr-nb`, output);
    return;
  }
  const ffmpeg = (await import('@ffmpeg-installer/ffmpeg')).default.path;
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    input,
    '-ar',
    '8000',
    '-ac',
    '1',
    '-c:a',
    'libopencore_amrnb',
    '-b:a',
    '12.2k',
    output,
  ]);
}
