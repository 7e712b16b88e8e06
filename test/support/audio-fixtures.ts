import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'loa-audio-'));

/** Vietnamese speech from the system espeak-ng, as WAV bytes (CI installs espeak-ng). */
export function speechWav(
  text = 'Thông báo của Ủy ban nhân dân xã Cốc San về việc tiêm phòng cho đàn gia súc.',
  name = 'speech',
): Uint8Array {
  const file = join(dir, `${name}.wav`);
  execFileSync('espeak-ng', ['-v', 'vi', '-s', '150', '-w', file, text]);
  return readFileSync(file);
}

/** Runs ffmpeg with `args` writing `name` in the fixture folder and returns the bytes. */
export function ffmpegFixture(name: string, args: readonly string[]): Uint8Array {
  const file = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, file]);
  return readFileSync(file);
}

export const fixtureDir = dir;
