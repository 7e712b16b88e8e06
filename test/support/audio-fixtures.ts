import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaries, speakTo } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-audio-'));

/** Vietnamese speech from espeak-ng (the system's, else npm's), as WAV bytes. */
export function speechWav(
  text = 'Thông báo của Ủy ban nhân dân xã Cốc San về việc tiêm phòng cho đàn gia súc.',
  name = 'speech',
): Uint8Array {
  const file = join(dir, `${name}.wav`);
  speakTo(file, text);
  return readFileSync(file);
}

/** Runs ffmpeg with `args` writing `name` in the fixture folder and returns the bytes. */
export function ffmpegFixture(name: string, args: readonly string[]): Uint8Array {
  const file = join(dir, name);
  execFileSync(binaries.ffmpeg, ['-v', 'error', '-y', ...args, file]);
  return readFileSync(file);
}

export const fixtureDir = dir;
