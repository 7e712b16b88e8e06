/**
 * Inputs made to defeat the limits: files whose header claims one second but whose frames last
 * minutes (an MP3 with its Xing/Info frame count patched, a FLAC with its STREAMINFO sample count
 * patched).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SPEECH_TEXT } from './fixtures.js';

const run = promisify(execFile);

async function ffmpeg(...args: string[]): Promise<void> {
  await run('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], { maxBuffer: 1 << 24 });
}

async function speech(dir: string): Promise<string> {
  const path = join(dir, 'crafted-speech.wav');
  await run('espeak-ng', ['-v', 'vi', '-w', path, SPEECH_TEXT]);
  return path;
}

/** Looped speech, `realS` seconds of it, as a file whose header claims `claimS`. */
export interface LyingHeader {
  readonly claimS: number;
  readonly realS: number;
}

/** An MP3 whose Xing/Info header counts the frames of `claimS` seconds. */
export async function mp3WithLyingHeader(dir: string, { claimS, realS }: LyingHeader): Promise<string> {
  const path = join(dir, `claims-${claimS}s-holds-${realS}s.mp3`);
  const src = await speech(dir);
  await ffmpeg('-stream_loop', '-1', '-i', src, '-t', String(realS), '-ar', '44100', '-b:a', '64k', path);
  const bytes = await readFile(path);
  // The Xing/Info tag sits in the first frame; flag bit 0 says a frame count follows the flags.
  const at = [bytes.indexOf('Xing'), bytes.indexOf('Info')].find((i) => i >= 0 && i < 4096);
  if (at === undefined) throw new Error('ffmpeg wrote no Xing/Info header');
  const flags = bytes.readUInt32BE(at + 4);
  if ((flags & 1) === 0) throw new Error('the Xing/Info header carries no frame count');
  bytes.writeUInt32BE(Math.ceil((claimS * 44100) / 1152), at + 8);
  await writeFile(path, bytes);
  return path;
}

/** A FLAC whose STREAMINFO holds the sample count of `claimS` seconds. */
export async function flacWithLyingHeader(dir: string, { claimS, realS }: LyingHeader): Promise<string> {
  const path = join(dir, `claims-${claimS}s-holds-${realS}s.flac`);
  const src = await speech(dir);
  await ffmpeg('-stream_loop', '-1', '-i', src, '-t', String(realS), '-ar', '16000', '-c:a', 'flac', path);
  const bytes = await readFile(path);
  if (bytes.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  // STREAMINFO follows the 4-byte block header; bytes 10..17 of it hold 20 bits of sample rate,
  // 3 of channels, 5 of bits per sample and 36 of total samples.
  const packed = bytes.readBigUInt64BE(8 + 10);
  const sampleRate = packed >> 44n;
  const totalMask = (1n << 36n) - 1n;
  bytes.writeBigUInt64BE((packed & ~totalMask) | (BigInt(claimS) * sampleRate), 8 + 10);
  await writeFile(path, bytes);
  return path;
}
